"""English strings of alert messages: the incident, why it reads as it does, Wolkvox errors,
thread notes, digests, the record, and the budget, expected and queue kinds. Part of `EN`
(i18n_en.py); the Spanish twins are in i18n_es_alerts.py.
"""

from __future__ import annotations

EN_ALERTS: dict[str, str] = {
    # alert messages
    "alert.header": "{icon} {severity}: {rule} · {operation}",
    "alert.header_resolved": "{icon} Resolved: {rule} · {operation}",
    "alert.rate": "{measure}: *{value}* of {population}; {threshold}",
    "alert.count": "*{value}* {measure} in the last {window}; {threshold}",
    "alert.ratio": "{measure}: *{value}* the usual level ({baseline}); {threshold}",
    "alert.calls": "calls",
    "alert.calls.one": "call",
    "alert.since": "Since {since} ({age})",
    "alert.breakdown": "*Breakdown*",
    "alert.last_hour": "Last hour: {spark}",
    "alert.acked": ":eyes: Acknowledged by {user} at {at}",
    "alert.silenced": ":zzz: Silenced by {user} until {until}",
    "alert.silenced_anon": ":zzz: Silenced until {until}",
    "alert.resolved": ":white_check_mark: Resolved at {at} after {duration}; peak {peak}",
    "alert.peak": "{value} ({severity})",
    "alert.updated": "Updated {time}",
    "alert.recent": "*Latest calls*",
    "alert.fallback": "{severity}: {rule} on {operation}: {value}",
    "alert.fallback_resolved": "Resolved: {rule} on {operation} after {duration}",
    "alert.header_removed": "{icon} Rule removed: {rule} · {operation}",
    "alert.removed": (
        "This alert ({severity}) was firing since {since}. Its rule is no longer "
        "in the configuration (removed or renamed), so it was closed at {at} and will "
        "not change again."
    ),
    "alert.fallback_removed": "Closed: {rule} on {operation}, its rule was removed",
    # why an alert reads as it does (from the evaluation's numbers, never its log text)
    "detail.share": "{matched} of {population} in {window}",
    "detail.matched.one": "{matched} matching call in {window}",
    "detail.matched.other": "{matched} matching calls in {window}",
    "detail.expected": "{matched} calls vs {expected} expected",
    "detail.bound": "lower bound {bound} at {confidence} confidence",
    "detail.recover_rise": "not yet below the recovery level {recover}",
    "detail.recover_flat": "fewer than the {recover} needed to recover",
    "detail.outside_hours": "Outside active hours: not evaluated.",
    "detail.volume_guard": "Too few calls to judge: {count}, at least {minimum} needed.",
    "detail.no_calls": "No calls in the last {window}.",
    "detail.no_baseline": "Not enough history yet to compare with.",
    "detail.polling_gap": (
        "On hold: successful polls covered only {coverage} of the last {window}."
    ),
    "detail.held": "On hold while Wolkvox is unavailable.",
    "unavailable.stale": "No data from Wolkvox for *{age}*; critical after {limit}",
    "unavailable.never": "Wolkvox has not answered a poll yet",
    "unavailable.fresh": "Last successful poll {age} ago",
    "unavailable.failures.one": "{count} failed poll in a row",
    "unavailable.failures.other": "{count} failed polls in a row",
    "unavailable.see_status": "`/calls status` shows the last error.",
    "unavailable.description": (
        "Wolkvox cannot be polled or its data is stale; the other rules wait until it answers"
    ),
    # Wolkvox errors by kind (the client's own text follows in parentheses)
    "error.line": "{lead} ({message})",
    "error.configuration": "The bot's request to Wolkvox is wrong (API or address)",
    "error.token_missing": "Wolkvox received no token",
    "error.token_rejected": "Wolkvox rejected the token",
    "error.quota_exceeded": "The daily quota of Wolkvox calls is spent",
    "error.concurrency_limit": "Wolkvox refused a simultaneous request",
    "error.server_backup": "Wolkvox is unavailable (possibly a server backup)",
    "error.server_error": "Wolkvox had a server error",
    "error.timeout": "Wolkvox did not answer in time",
    "error.connection": "The bot could not connect to Wolkvox",
    "error.payload": "Wolkvox sent an answer the bot cannot read",
    "error.response_too_large": "Wolkvox's answer was too large",
    "error.not_found": "Wolkvox's address answered 404 Not Found: check base_url and server",
    "error.token_busy": (
        "A request Wolkvox may still be working on holds the token; the poll was skipped"
    ),
    "error.not_lease_holder": (
        "Not sent: another replica polls this operation (holds its lease), or the previous "
        "holder's last request may still be running"
    ),
    "error.stopped": "Polling is stopped until the configuration is fixed",
    "error.internal": "The bot failed while asking Wolkvox (a bug)",
    "error.unknown": "Wolkvox could not be polled",
    "reply.error": "Sorry, that did not work. Please try again in a moment.",
    "reply.working": "Working on it: the answer will follow in a moment.",
    "button.ack": "Acknowledge",
    "button.silence_1h": "Silence 1 h",
    "button.silence_tomorrow": "Silence until tomorrow 08:00",
    # thread notes
    "note.reminder": ":bell: Still firing since {since}: {value}",
    "note.escalated": ":arrow_up: Escalated to {severity}: {value}",
    "note.deescalated": ":arrow_down: Down to {severity}: {value}",
    "note.resolved": ":white_check_mark: Resolved after {duration}.",
    "note.resolved_silenced": "Resolved after {duration} while silenced.",
    "note.rule_removed": (
        ":wastebasket: Closed after {duration}: the rule was removed from the configuration."
    ),
    # alert storms (one digest message for many alerts)
    "digest.header": "{icon} {count} alerts firing in {operations}",
    "digest.header_some": "{icon} {firing} of {count} alerts still firing in {operations}",
    "digest.header_resolved": "{icon} All {count} alerts resolved in {operations}",
    "digest.member": "{icon} *{severity}* · {rule} · {operation}: {value}",
    "digest.member_resolved": "{icon} ~{rule} · {operation}~ resolved after {duration}",
    "digest.acked": ":eyes: {user}",
    "digest.silenced": ":zzz: until {until}",
    "digest.hint": (
        "Each alert's news goes in this thread. Acknowledge or silence one with "
        "`/calls ack` or `/calls silence` and its rule name."
    ),
    "digest.fallback": "{count} alerts firing in {operations}: {alerts}",
    "digest.fallback_resolved": "All {count} alerts resolved in {operations}",
    "digest.note": "*{rule}* · {operation}: {note}",
    "digest.joined": ":heavy_plus_sign: Joined this digest: {value}",
    # issue 12 (alert semantics): labels for every number, quiet, muted, recovery
    "threshold.after": "{severity} after {value}",
    "threshold.recovered": "recovered below {value}",
    "threshold.recovering": "below {value}: {clears} of {needed} evaluations to resolve",
    "threshold.recovered_bound": "recovered: lower bound {bound} below {value}",
    "threshold.recovering_bound": (
        "lower bound {bound} below {value}: {clears} of {needed} evaluations to resolve"
    ),
    "alerts.age": "no data for {value}; {threshold}",
    "alerts.bound": "{value} (lower bound {bound})",
    "alerts.quiet": ":pause_button: cannot judge now",
    "alerts.outside": ":crescent_moon: outside active hours since {since}",
    "rules.age": "last data {value} ago",
    "alert.quiet": ":pause_button: {reason} Still firing since {since}: quiet is not resolved.",
    "alert.outside_hours": (
        ":crescent_moon: Outside active hours since {since}: no reminders or escalations "
        "until they start again."
    ),
    "alert.resolved_quiet": (
        ":white_check_mark: Resolved at {at} after {duration}: nothing to judge for {quiet}; "
        "peak {peak}"
    ),
    "detail.too_few": "Too few calls to judge: {count} of {minimum}.",
    "detail.opening": "The {window} window starts at opening ({opened}): not judged before {at}.",
    "detail.holds": "{severity} until below {recover}",
    "note.resolved_quiet": (
        ":white_check_mark: Resolved after {duration}: nothing to judge for {quiet}."
    ),
    # issue 12: the record (silences that end, history)
    "action.silence_expired": (
        ":bell: The silence {user} put on *{rule}* ({operation}) ended at {until}."
    ),
    "history.header": "History · last {period}",
    "history.counts": "{incidents}, {silences}",
    "history.incidents.one": "{count} incident",
    "history.incidents.other": "{count} incidents",
    "history.silences.one": "{count} silence",
    "history.silences.other": "{count} silences",
    "history.none": "Nothing happened in the last {period}: no incidents, no silences.",
    "history.incident": (
        "{icon} *{rule}* · {operation}: {severity} from {start} to {end} ({duration})"
    ),
    "history.incident_open": (
        "{icon} *{rule}* · {operation}: {severity} since {start}, still firing ({duration})"
    ),
    "history.peak": ", peak {peak}",
    "history.acked": " · :eyes: acknowledged by {user} at {at}",
    "history.silence": ":zzz: *{rule}* · {operation}: silenced by {user} at {start} until {until}",
    "history.silence_before": ":zzz: *{rule}* · {operation}: silenced by {user} until {until}",
    "history.reason": " (“{reason}”)",
    "history.lifted": "; lifted by {user} at {at}",
    "history.expired": "; ran out at {at}",
    "history.unreadable.one": "{count} record could not be read and is left out.",
    "history.unreadable.other": "{count} records could not be read and are left out.",
    "history.truncated": "Only the latest entries are shown; ask for a shorter period or one rule.",
    "usage.bad_period": "`{word}` is not a period I keep; try 24h or 7d (at most {limit}).",
    "help.history": (
        "`/calls history [&lt;rule&gt;] [&lt;operation&gt;] [24h|7d]`: incidents, "
        "acknowledgements and silences, newest first."
    ),
    # issue 16: kind budget (a daily objective) and kind expected (the usual count of a slot)
    "kinds.budget.matching.one": "matching",
    "kinds.budget.matching.other": "matching",
    "kinds.budget.day.one": "today {rate} {measure} of {calls} call (target {objective})",
    "kinds.budget.day.other": "today {rate} {measure} of {calls} calls (target {objective})",
    "kinds.budget.no_calls": "no calls yet today (target {objective})",
    "kinds.budget.pace": "at the last hour's pace the day closes at {projected}",
    "kinds.budget.spent_by": "budget spent by {at}",
    "kinds.budget.spent": "the day's budget is already spent",
    "kinds.budget.lasts": "the budget lasts the day",
    "kinds.budget.burn.one": (
        "Burning the day's budget at {burn} the sustainable pace ({calls} call); "
        "{severity} at {threshold}"
    ),
    "kinds.budget.burn.other": (
        "Burning the day's budget at {burn} the sustainable pace ({calls} calls); "
        "{severity} at {threshold}"
    ),
    "kinds.expected.line": "{observed} in {window}; {slot} usually brings {expected}",
    "kinds.expected.slot": "a {day} {time}",
    "kinds.expected.chance": "(chance below 1 in {odds})",
    "kinds.expected.no_history": ("Not enough history yet to learn what this slot usually brings."),
    "kinds.expected.small": (
        "This slot usually brings {expected} calls, too few to judge (at least {minimum})."
    ),
    "kinds.day.0": "Monday",
    "kinds.day.1": "Tuesday",
    "kinds.day.2": "Wednesday",
    "kinds.day.3": "Thursday",
    "kinds.day.4": "Friday",
    "kinds.day.5": "Saturday",
    "kinds.day.6": "Sunday",
    "kind.budget": "daily budget",
    "kind.expected": "expected count",
    # issue 15: kind queue (a skills metric per queue or over a named set)
    "kind.queue": "queue",
    "backtest.queue_rule": (
        "*{rule}* is a queue rule: it reads Wolkvox's skills snapshot of each moment (waiting, "
        "service level), which call history does not keep, so it cannot be replayed."
    ),
    "kinds.queue.service_level": "Service level *{value}* on {queue}",
    "kinds.queue.waiting": "*{value}* waiting on {queue}",
    "kinds.queue.abandon_rate": "Abandon *{value}* on {queue}",
    "kinds.queue.calls": "({calls})",
    "kinds.queue.all": "all queues",
    "kinds.queue.also.one": "{count} more queue past it",
    "kinds.queue.also.other": "{count} more queues past it",
    "kinds.queue.held": (
        "Cannot judge the queues now: no recent snapshot from Wolkvox's skills, or a queue "
        "the rule watches is missing from it."
    ),
    "kinds.day.weekday": "weekday",
}

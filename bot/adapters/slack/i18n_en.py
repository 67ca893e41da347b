"""English strings. Every key has a Spanish twin in i18n_es.py with the same placeholders.

The strings of alert messages are kept in i18n_en_alerts.py and merged in here, so `EN`
is the whole English catalog.

Templates are trusted mrkdwn (`*bold*`, `:emoji:`); whatever fills a
placeholder is escaped by the renderer before it gets here.
"""

from __future__ import annotations

from bot.adapters.slack.i18n_en_alerts import EN_ALERTS

EN: dict[str, str] = {
    # shared
    "more": "…and {count} more",
    "na": "n/a",
    "ago": "{age} ago",
    "at_time": "{time} ({age} ago)",
    "all_operations": "all operations",
    "as_of": "As of {time}",
    "as_of_polled": "As of {time}, polled {age} ago",
    "never_polled": "not polled yet",
    "stale": ":warning: Data is stale: no successful poll since {since} ({age} ago).",
    "stale_error": "Last error: {error}",
    "store_lost": (
        ":warning: The database cannot be reached since {since} ({age} ago): these are this "
        "replica's latest numbers and may be out of date."
    ),
    "threshold.at": "{severity} at {value}",
    "threshold.below": "{severity} below {value}",
    "call_line.phone": "tel. {phone}",
    "call_line.customer": "customer {customer}",
    "call_line": "{time} · {type} · {result}",
    # display names
    "result.answer": "answered",
    "result.abandon": "abandoned",
    "result.no_answer": "no answer",
    "result.busy": "busy",
    "result.failed": "failed",
    "result.congestion": "congestion",
    "result.chanunavail": "channel unavailable",
    "result.answer_machine": "answering machine",
    "results.answer": "answered",
    "results.abandon": "abandoned",
    "results.no_answer": "no answer",
    "results.busy": "busy",
    "results.failed": "failed",
    "results.congestion": "congestion",
    "results.chanunavail": "channel unavailable",
    "results.answer_machine": "answering machine",
    "type.conference": "conference",
    "type.inbound": "inbound",
    "type.outbound": "outbound",
    "type.internal_call": "internal call",
    "type.internal_call_inb": "internal call (inbound)",
    "type.internal_call_que": "internal call (queue)",
    "type.out_pre": "outbound (predictive)",
    "type.outbound_ma": "outbound (manual)",
    "type.transfer": "transfer",
    "measure.answer": "answered calls",
    "measure.abandon": "abandoned calls",
    "measure.no_answer": "unanswered calls",
    "measure.busy": "busy calls",
    "measure.failed": "failed calls",
    "measure.congestion": "calls hitting congestion",
    "measure.chanunavail": "calls with channel unavailable",
    "measure.answer_machine": "calls reaching an answering machine",
    "measure.network": "network failures",
    "measure.answer.one": "answered call",
    "measure.abandon.one": "abandoned call",
    "measure.no_answer.one": "unanswered call",
    "measure.busy.one": "busy call",
    "measure.failed.one": "failed call",
    "measure.congestion.one": "call hitting congestion",
    "measure.chanunavail.one": "call with channel unavailable",
    "measure.answer_machine.one": "call reaching an answering machine",
    "measure.network.one": "network failure",
    "severity.warning": "warning",
    "severity.critical": "critical",
    "state.inactive": "OK",
    "state.pending": "pending",
    "state.firing": "firing",
    "state.resolved": "resolved",
    "kind.count": "count",
    "kind.rate": "rate",
    "kind.spike": "spike",
    "kind.flatline": "flatline",
    "kind.unavailable": "availability",
    "outcome.ok": "OK",
    "outcome.error": "error",
    "outcome.budget_exhausted": "daily budget used up",
    "outcome.skipped": "skipped",
    "outcome.never": "never polled",
    "pop.all.one": "{count} call",
    "pop.all.other": "{count} calls",
    "pop.inbound.one": "{count} inbound call",
    "pop.inbound.other": "{count} inbound calls",
    "pop.outbound.one": "{count} outbound call",
    "pop.outbound.other": "{count} outbound calls",
    "pop.type.one": "{count} call of type {type}",
    "pop.type.other": "{count} calls of type {type}",
    # /calls last10
    "last10.header": "Calls in the last {window} · {operation}",
    "last10.filter": "Only {filter} calls",
    "last10.total.one": "*{total}* call",
    "last10.total.other": "*{total}* calls",
    "last10.change": "{delta} vs the previous {window} ({previous})",
    "last10.no_previous": "no previous {window} to compare with",
    "last10.by_result": "*By result*",
    "last10.by_type": "*By type*",
    "last10.abandon": "Abandoned among inbound: *{rate}* ({matched} of {population})",
    "last10.network": "Network failures among outbound: *{rate}* ({matched} of {population})",
    "last10.per_minute": "Per minute: {spark}",
    "last10.no_calls": "No calls in this window.",
    "last10.recent": "*Latest calls*",
    "last10.fallback.one": "{operation}: {total} call in the last {window}",
    "last10.fallback.other": "{operation}: {total} calls in the last {window}",
    # /calls status
    "status.header": "Polling status",
    "status.none": "No operations are configured.",
    "status.f_last_poll": "*Last poll*",
    "status.f_outcome": "*Outcome*",
    "status.f_budget": "*Wolkvox calls today*",
    "status.f_firing": "*Alerts firing*",
    "status.f_silences": "*Silences active*",
    "status.f_every": "*Polls every*",
    "status.took": "{outcome} in {duration}",
    "status.budget": "{used} of {limit}",
    "status.no_budget": "{used} (no limit)",
    "status.stale": ":warning: Stale: older than two poll periods.",
    "status.fallback.one": "Polling status of {count} operation",
    "status.fallback.other": "Polling status of {count} operations",
    # /calls alerts
    "alerts.header": "Alerts firing or pending",
    "alerts.none": ":white_check_mark: No alerts are firing.",
    "alerts.line": "{icon} *{rule}* · {operation}: {state} since {since}",
    "alerts.value": "{value}; {threshold}",
    "alerts.acked": ":eyes: acknowledged by {user}",
    "alerts.silenced": ":zzz: silenced until {until}",
    "alerts.fallback.one": "{count} alert firing or pending",
    "alerts.fallback.other": "{count} alerts firing or pending",
    # /calls rules
    "rules.header": "Rules",
    "rules.none": "No rules are configured.",
    "rules.line": "{icon} *{rule}* ({kind}) · {operation}: {value}, {state}",
    "rules.no_value": "no value yet",
    "rules.fallback.one": "{count} rule",
    "rules.fallback.other": "{count} rules",
    # /calls help and usage
    "help.header": "/calls: what I can do",
    "help.last10": (
        "`/calls last10 [inbound|outbound|&lt;type&gt;] [&lt;operation&gt;]`: calls in "
        "the last 10 minutes by result and type. Other windows: `last30`, `30m`, `1h`."
    ),
    "help.status": (
        "`/calls status`: last poll, Wolkvox calls used today, alerts and silences per operation."
    ),
    "help.alerts": "`/calls alerts`: what is firing or pending, since when, acknowledged by whom.",
    "help.rules": "`/calls rules`: every rule with its current value and state.",
    "help.silence": (
        "`/calls silence &lt;rule&gt; &lt;duration&gt; [reason]`: mute a rule, e.g. "
        "`/calls silence abandon-rate 1h lunch`."
    ),
    "help.unsilence": "`/calls unsilence &lt;rule&gt; [&lt;operation&gt;]`: lift a silence.",
    "help.ack": (
        "`/calls ack &lt;rule&gt; [&lt;operation&gt;]`: acknowledge a firing alert and "
        "stop its reminders."
    ),
    "help.public": "Add `public` to any command to show the answer to the whole channel.",
    "help.fallback": (
        "/calls: last10, status, alerts, rules, queues, agents, silence, unsilence, ack, "
        "history, backtest, help"
    ),
    "usage.hint": "Type `/calls help` to see everything I can do.",
    "usage.unknown_command": "I don't know `{word}`.",
    "usage.missing_rule": "Say which rule, e.g. `{example}`.",
    "usage.missing_duration": "Say for how long, e.g. `{example}`.",
    "usage.bad_duration": "`{word}` is not a duration; write it like 30m, 1h, 2d or 2 hours.",
    "usage.duration_too_long": "`{word}` is too long; the longest silence is {limit}.",
    "usage.bad_window": (
        "`{word}` is not a window I can show; try 10m, 30m or 1h (at most {limit})."
    ),
    "usage.bad_time": "`{word}` is not a time of day; write it like 08:00.",
    "usage.unexpected": "I did not expect `{word}` there.",
    "usage.too_long": "That command is too long.",
    "usage.fallback": "I did not understand that. Type /calls help.",
    # notices
    "notice.unknown_operation": "I don't know the operation `{subject}`. Known: {options}.",
    "notice.ambiguous_operation": "Several operations are configured; name one: {options}.",
    "notice.unknown_rule": "I don't know the rule `{subject}`. Known: {options}.",
    "notice.window_not_covered": (
        "I only have the last {covered} of calls; ask for a shorter window."
    ),
    "notice.no_data_yet": "No data yet for `{subject}`: the first poll has not finished.",
    "notice.not_allowed": "You are not allowed to do that here.",
    # actions
    "action.acknowledged": ":eyes: {user} acknowledged *{rule}* ({operation}).",
    "action.already_acknowledged": "*{rule}* ({operation}) was already acknowledged.",
    "action.silenced": ":zzz: {user} silenced *{rule}* ({operation}) until {until}.",
    "action.unsilenced": ":bell: {user} lifted the silence on *{rule}* ({operation}).",
    "action.not_silenced": "*{rule}* ({operation}) is not silenced.",
    "action.not_firing": "*{rule}* ({operation}) is not firing: nothing to acknowledge.",
    "action.not_allowed": "Sorry {user}, you may not change *{rule}*.",
    "action.queued": (
        ":hourglass_flowing_sand: {user}, your request on *{rule}* ({operation}) was passed to "
        "the replica that polls it; the alert's message will show it shortly."
    ),
    "action.reason": "Reason: {reason}",
    # home tab
    "home.header": "Call monitor",
    "home.none": "No operations are configured.",
    "home.operation": ":telephone_receiver: *{operation}*",
    "home.last_poll": "Last poll {when}: {outcome}",
    "home.last10.one": "Last 10 minutes: *{total}* call  {spark}",
    "home.last10.other": "Last 10 minutes: *{total}* calls  {spark}",
    "home.firing": "*Firing*",
    "home.no_firing": ":white_check_mark: No alerts firing",
    "home.silences": "*Silences*",
    "home.silence_line": ":zzz: {rule} ({operation}) until {until}{by}",
    "home.silence_by": " by {user}",
    "home.fallback.one": "Call monitor for {count} operation",
    "home.fallback.other": "Call monitor for {count} operations",
    # issue 12: the subcommands in usage examples
    "command.silence": "silence",
    "command.unsilence": "unsilence",
    "command.ack": "ack",
    "command.help": "help",
    "command.until": "until",
    # issue 12: the demo's own lines
    "demo.intro": (
        "callbot demo: {span} of simulated time at {speed}x (about {real}), "
        "from {day} {time} in Bogota."
    ),
    "demo.polled": (
        "A simulated Wolkvox operation '{operation}' is polled every {every}; "
        "scenario '{scenario}':"
    ),
    "demo.phase": "{begin}-{end}  {name}: {text}",
    "demo.normal": "normal traffic all along",
    "demo.incident_name.abandon_surge": "abandon surge",
    "demo.incident_name.trunk_failure": "trunk failure",
    "demo.incident_name.silence": "silence",
    "demo.incident.abandon_surge": "inbound volume x1.3, inbound abandon rate 27-38%",
    "demo.incident.trunk_failure": (
        "outbound calls end mostly with channel unavailable (~55%) and congestion (~25%)"
    ),
    "demo.incident.silence": "no calls at all",
    "demo.where": "Alerts go to {where}. No credentials are used; the store is a temporary file.",
    "demo.where_slack": "Slack channel {channel}",
    "demo.where_terminal": "#{channel} (this terminal)",
    "demo.over": "Demo over after {span} of simulated time: {fired}, {updated}, {resolved}.",
    "demo.fired.one": "{count} alert fired",
    "demo.fired.other": "{count} alerts fired",
    "demo.updated.one": "{count} update",
    "demo.updated.other": "{count} updates",
    "demo.resolved.one": "{count} resolved",
    "demo.resolved.other": "{count} resolved",
    "demo.reason": "carrier notified",
    "demo.ack": "ack {rule}",
    "demo.silence": "silence {rule} 10 minutes {reason}",
    "demo.history": "history",
    "demo.last10": "last10",
    "weekday.0": "Monday",
    "weekday.1": "Tuesday",
    "weekday.2": "Wednesday",
    "weekday.3": "Thursday",
    "weekday.4": "Friday",
    "weekday.5": "Saturday",
    "weekday.6": "Sunday",
    # issue15: queues and agents (skills / agents context)
    "help.queues": (
        "`/calls queues [&lt;operation&gt;]`: each queue now: waiting, abandon %, service level."
    ),
    "help.agents": "`/calls agents [&lt;operation&gt;]`: agents by state (ready, talking, paused).",
    "context.queues_header": "Queues",
    "context.agents_header": "Agents",
    "context.home_title": "*Queues of {operation}*",
    "context.queue_line": (
        "*{name}*: waiting {waiting} · abandon {abandon} · service level (20 s) {level}"
    ),
    "context.agents_line": (
        "ready {ready} · talking {talking} · after-call work {after_call} · "
        "auxiliary/paused {auxiliary} · logged in {logged_in}"
    ),
    "context.aux_states": "paused: {states}",
    "context.age": "Wolkvox data from {age} ago ({time})",
    "context.no_queues_yet": "No queue data yet.",
    "context.no_queues": "Wolkvox lists no queues.",
    "context.no_agents_yet": "No agent data yet.",
    "context.reserve_queues": ":warning: no queue detail: budget reserve reached",
    "context.reserve_agents": ":warning: no agent detail: budget reserve reached",
    "context.stopped_queues": ":warning: no queue detail: polling is stopped",
    "context.stopped_agents": ":warning: no agent detail: polling is stopped",
    "context.failed_queues": ":warning: no fresh queue detail: {error}",
    "context.failed_agents": ":warning: no fresh agent detail: {error}",
    "context.elsewhere_queues": (
        "as last stored by the replica that polls this operation (only it asks Wolkvox)"
    ),
    "context.elsewhere_agents": (
        "as last stored by the replica that polls this operation (only it asks Wolkvox)"
    ),
    # issue 13: /calls backtest
    "help.backtest": (
        "`/calls backtest &lt;rule&gt; [&lt;operation&gt;] [24h|7d] [key=value ...]`: what the "
        "rule would have done with the stored history, as configured or with other values "
        "(`warning=10% min_calls=30 for=3`)."
    ),
    "backtest.fired": (
        "*{rule}* ({operation}){changes} would have fired {times} in the last {window}: {incidents}"
    ),
    "backtest.quiet": "*{rule}* ({operation}){changes} would not have fired in the last {window}.",
    "backtest.with": " with {changes}",
    "backtest.once": "once",
    "backtest.times": "{count} times",
    "backtest.incident": "{span} {severity}, peak {peak}",
    "backtest.still": "still firing",
    "backtest.more": "and {count} more",
    "backtest.how": (
        "Replayed from the stored per-minute history through the rule as the bot runs it; "
        "nothing was posted."
    ),
    "backtest.bad_change": (
        "I cannot try that: {why}. For example: "
        "`/calls backtest abandon-rate 7d warning=10% critical=20% min_calls=30 for=3`."
    ),
    "backtest.change.key": "`{field}` is not one of {keys}",
    "backtest.change.duration": "`{field}={given}` is not a duration like 10m",
    "backtest.change.number": "`{field}={given}` is not a number",
    "backtest.change.whole": "`{field}={given}` is not a whole number",
    "backtest.change.share": "`{field}={given}`: a rate's level is a share such as 10% or 0.1",
    "backtest.change.recover_critical": (
        "`recover_critical={given}` must lie between recover and critical: a critical alert "
        "stays critical until the value falls below it"
    ),
    "backtest.change.order": "warning is above critical",
    **EN_ALERTS,
}

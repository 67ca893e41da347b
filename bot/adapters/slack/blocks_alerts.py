"""The living message of an incident, its thread notes, and action confirmations.

One message per incident: posted when it fires, edited in place while the
numbers change, edited to a resolved state at the end. Buttons carry only the
incident id (clients can read a button's value). The rule's `mention:` is the
only markup that may ping anyone, and only when the view carries it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.slack.blocks_evidence import (
    UNAVAILABLE_KIND,
    description,
    evidence_line,
    outside_line,
    quiet_line,
    quiet_reason,
    reason_line,
    threshold_label,
    unavailable_line,
)
from bot.adapters.slack.blocks_kinds import KINDS, kind_value_line
from bot.adapters.slack.blocks_kit import (
    EMPTY,
    MAX_BLOCKS,
    Block,
    Message,
    actions,
    button,
    cap,
    context,
    fallback,
    header,
    more_text,
    pack_lines,
    section,
)
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age, format_decimal, safe
from bot.adapters.slack.wording import (
    call_line,
    count_lines,
    format_value,
    full_time,
    local_time,
    mention_markup,
    name,
    spark,
    state_icon,
    threshold_text,
    user_ref,
)
from bot.services.views.alert import (
    ActionKind,
    ActionResultView,
    AlertEvent,
    AlertMessageView,
    RemovedRuleView,
    Unit,
)

ACK_ACTION = "callbot_ack"
SILENCE_1H_ACTION = "callbot_silence_1h"
SILENCE_TOMORROW_ACTION = "callbot_silence_tomorrow"
ACTIONS_BLOCK = "callbot_alert_actions"
_LIST_BLOCKS = 2
_RESOLVED_ICON = ":white_check_mark:"
_REMOVED_ICON = ":wastebasket:"
_WITH_REASON = frozenset(
    {
        ActionKind.ACKNOWLEDGED,
        ActionKind.SILENCED,
        ActionKind.UNSILENCED,
        ActionKind.SILENCE_EXPIRED,
    }
)


def _whole(value: float) -> int | None:
    return int(value) if float(value).is_integer() else None


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text and text[0].isalpha() else text


def _measure(tr: Translator, label: str, count: int | None = None) -> str:
    """What is measured, in words: `abandoned calls` (`1 abandoned call` when `count` is
    1), or each result of a combination."""
    if not label.strip():
        return tr("alert.calls.one") if count == 1 else tr("alert.calls")
    if " + " in label:
        return " + ".join(tr.result(part) for part in label.split(" + "))
    return tr.measure(label, count)


def _population(tr: Translator, view: AlertMessageView) -> str:
    count = view.population or 0
    label = view.population_label.strip().lower()
    if not label:
        return tr.n("pop.all", count)
    if label in {"inbound", "outbound"}:
        return tr.n(f"pop.{label}", count)
    return tr.n("pop.type", count, type=tr.call_type(view.population_label))


def value_line(tr: Translator, view: AlertMessageView) -> str:
    """`abandoned *18.4%* of 49 inbound calls; critical at 15%`, or why there is no value."""
    if view.rule_kind == UNAVAILABLE_KIND:
        return unavailable_line(tr, view)
    if view.rule_kind in KINDS:
        return kind_value_line(tr, view) or reason_line(tr, view)
    if view.value is None:
        return reason_line(tr, view)
    value = format_value(view.value, view.unit, tr.lang)
    threshold = threshold_label(tr, view) or threshold_text(
        tr, view.severity, view.threshold, view.unit, view.below
    )
    measure = _measure(tr, view.measure_label)
    if view.unit == Unit.RATE and view.population is not None:
        line = tr(
            "alert.rate",
            measure=measure,
            value=value,
            population=_population(tr, view),
            threshold=threshold,
        )
    elif view.unit == Unit.RATIO:
        baseline = format_decimal(view.baseline, tr.lang, 1) if view.baseline is not None else EMPTY
        line = tr(
            "alert.ratio", measure=measure, value=value, baseline=baseline, threshold=threshold
        )
    else:
        window = format_age(view.window, tr.lang) if view.window is not None else EMPTY
        line = tr(
            "alert.count",
            value=value,
            measure=_measure(tr, view.measure_label, _whole(view.value)),
            window=window,
            threshold=threshold,
        )
    return _upper_first(line.strip().rstrip(";").strip())


def main_line(tr: Translator, view: AlertMessageView) -> str:
    """The value line, except for an incident that ended with nothing to judge: its
    last value is no longer news, why it ended is."""
    if view.resolved and view.resolution == "quiet" and view.quiet is not None:
        return quiet_reason(tr, view)
    return value_line(tr, view)


def _quiet_line(tr: Translator, view: AlertMessageView) -> str:
    return "" if view.resolved else quiet_line(tr, view)


def note_text(tr: Translator, view: AlertMessageView, event: str) -> str:
    """A thread note's words for `event` (reminder, escalated, resolved...)."""
    value = value_line(tr, view) or EMPTY
    end = view.resolved_at or view.as_of
    key = f"note.{event}"
    quiet = ""
    if event == AlertEvent.RESOLVED.value and view.resolution == "quiet" and view.quiet:
        key, quiet = "note.resolved_quiet", format_age(end - view.quiet.since, tr.lang)
    return tr(
        key,
        since=local_time(view.since, view.tz, view.as_of),
        value=value,
        severity=tr.severity(view.severity),
        duration=format_age(end - view.since, tr.lang),
        quiet=quiet,
    )


def _header(tr: Translator, view: AlertMessageView) -> Block:
    if view.resolved:
        return header(
            tr(
                "alert.header_resolved",
                icon=_RESOLVED_ICON,
                rule=name(view.rule),
                operation=name(view.operation),
            )
        )
    return header(
        tr(
            "alert.header",
            icon=state_icon("firing", view.severity),
            severity=_upper_first(tr.severity(view.severity)),
            rule=name(view.rule),
            operation=name(view.operation),
        )
    )


def _status_lines(tr: Translator, view: AlertMessageView) -> list[str]:
    lines = []
    if view.resolved and view.resolved_at is not None:
        peak_value = view.peak_value if view.peak_value is not None else view.value
        shown = format_value(peak_value, view.unit, tr.lang)
        if view.rule_kind == UNAVAILABLE_KIND and peak_value is not None:
            shown = format_age(timedelta(seconds=peak_value), tr.lang)
        peak = tr(
            "alert.peak",
            value=shown,
            severity=tr.severity(view.peak_severity or view.severity),
        )
        at = local_time(view.resolved_at, view.tz, view.since)
        duration = format_age(view.resolved_at - view.since, tr.lang)
        if view.resolution == "quiet" and view.quiet is not None:
            quiet = format_age(view.resolved_at - view.quiet.since, tr.lang)
            lines.append(
                tr("alert.resolved_quiet", at=at, duration=duration, quiet=quiet, peak=peak)
            )
        else:
            lines.append(tr("alert.resolved", at=at, duration=duration, peak=peak))
    if view.acked_by:
        at = local_time(view.acked_at, view.tz, view.as_of) if view.acked_at else EMPTY
        lines.append(tr("alert.acked", user=user_ref(view.acked_by), at=at))
    if view.silenced_until is not None and not view.resolved:
        until = local_time(view.silenced_until, view.tz, view.as_of)
        if view.silenced_by:
            lines.append(tr("alert.silenced", user=user_ref(view.silenced_by), until=until))
        else:
            lines.append(tr("alert.silenced_anon", until=until))
    return lines


def _buttons(tr: Translator, view: AlertMessageView) -> Block | None:
    if view.resolved:
        return None
    value = view.incident_id
    elements = []
    if not view.acked_by:
        elements.append(
            button(tr("button.ack"), action_id=ACK_ACTION, value=value, style="primary")
        )
    elements.append(button(tr("button.silence_1h"), action_id=SILENCE_1H_ACTION, value=value))
    elements.append(
        button(tr("button.silence_tomorrow"), action_id=SILENCE_TOMORROW_ACTION, value=value)
    )
    return actions(elements, block_id=ACTIONS_BLOCK)


def render_alert_message(
    view: AlertMessageView, lang: str, *, mask_personal_data: bool = True
) -> Message:
    """The incident's message: firing (with buttons) or resolved (duration, peak, no buttons)."""
    tr = Translator(lang)
    mention = "" if view.resolved else mention_markup(view.mention)
    line = main_line(tr, view)
    blocks: list[Block] = [_header(tr, view)]
    main = "\n".join(x for x in (mention, line, _quiet_line(tr, view), outside_line(tr, view)) if x)
    if main:
        blocks.append(section(main))
    about = description(tr, view) if view.description else ""
    if about:
        blocks.append(context(f"_{about}_"))
    evidence = evidence_line(tr, view)
    if evidence:
        blocks.append(context(evidence))
    status = _status_lines(tr, view)
    if status:
        blocks.append(section("\n".join(status)))
    more = more_text(tr)
    if view.breakdown:
        total = view.population or sum(count for _, count in view.breakdown)
        blocks += pack_lines(
            count_lines(view.breakdown, total, tr.result, tr.lang),
            max_blocks=_LIST_BLOCKS,
            more=more,
            title=tr("alert.breakdown"),
        )
    if view.recent:
        lines = [
            call_line(c, tr, view.tz, view.as_of, mask=mask_personal_data) for c in view.recent
        ]
        blocks += pack_lines(lines, max_blocks=_LIST_BLOCKS, more=more, title=tr("alert.recent"))
    since = tr(
        "alert.since",
        since=local_time(view.since, view.tz, view.as_of),
        age=format_age((view.resolved_at or view.as_of) - view.since, tr.lang),
    )
    notes = [since]
    if view.series:
        notes.append(tr("alert.last_hour", spark=spark(view.series)))
    notes.append(tr("alert.updated", time=local_time(view.as_of, view.tz)))
    blocks.append(context(*notes))
    buttons = _buttons(tr, view)
    if buttons is not None:
        blocks.append(buttons)
    blocks = cap(blocks, max_blocks=MAX_BLOCKS, more=more)
    return Message(text=_alert_fallback(tr, view, mention, line), blocks=tuple(blocks))


def _alert_fallback(tr: Translator, view: AlertMessageView, mention: str, line: str) -> str:
    if view.resolved:
        end = view.resolved_at or view.as_of
        return fallback(
            tr(
                "alert.fallback_resolved",
                rule=name(view.rule),
                operation=name(view.operation),
                duration=format_age(end - view.since, tr.lang),
            )
        )
    summary = tr(
        "alert.fallback",
        severity=_upper_first(tr.severity(view.severity)),
        rule=name(view.rule),
        operation=name(view.operation),
        value=line or EMPTY,
    )
    return fallback(f"{mention} {summary}" if mention else summary)


def render_alert_note(view: AlertMessageView, event: AlertEvent, lang: str) -> Message:
    """A reply in the incident's thread: reminder, escalation, resolution.

    An escalation edits the message in place, which notifies no one, so the
    rule's mention (when the view carries it) goes in this note instead.
    """
    tr = Translator(lang)
    text = note_text(tr, view, event.value)
    mention = mention_markup(view.mention) if event == AlertEvent.ESCALATED else ""
    if mention:
        text = f"{mention} {text}"
    return Message(text=fallback(text), blocks=(section(text),))


def render_removed_message(view: RemovedRuleView, lang: str) -> Message:
    """The final state of an incident whose rule left the configuration: no buttons, since
    a click could only answer "unknown rule", and nothing that looks still firing."""
    tr = Translator(lang)
    rule, operation = name(view.rule), name(view.operation)
    text = tr(
        "alert.removed",
        severity=tr.severity(view.severity),
        since=local_time(view.since, view.tz, view.as_of),
        at=local_time(view.as_of, view.tz),
    )
    blocks = (
        header(tr("alert.header_removed", icon=_REMOVED_ICON, rule=rule, operation=operation)),
        section(text),
        context(tr("alert.updated", time=local_time(view.as_of, view.tz))),
    )
    fallback_text = tr("alert.fallback_removed", rule=rule, operation=operation)
    return Message(text=fallback(fallback_text), blocks=blocks)


def render_removed_note(view: RemovedRuleView, lang: str) -> Message:
    """The note in the incident's thread that says why its message was closed."""
    tr = Translator(lang)
    text = tr("note.rule_removed", duration=format_age(view.as_of - view.since, tr.lang))
    return Message(text=fallback(text), blocks=(section(text),))


def render_thread_note(view: ActionResultView, lang: str) -> Message:
    """What a person did to an alert: a note in the incident's thread, or the
    ephemeral confirmation to the person who did it."""
    tr = Translator(lang)
    operation = name(view.operation) if view.operation else tr("all_operations")
    until = ""
    if view.until is not None:
        until = (
            local_time(view.until, view.tz, view.at)
            if view.at is not None
            else full_time(view.until, view.tz)
        )
    text = tr(
        f"action.{view.kind.value}",
        user=user_ref(view.actor),
        rule=name(view.rule),
        operation=operation,
        until=until,
    )
    if view.reason and view.kind in _WITH_REASON:
        text += "\n" + tr("action.reason", reason=safe(view.reason, 500))
    return Message(text=fallback(text), blocks=(section(text),))

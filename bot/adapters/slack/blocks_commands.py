"""Replies to `/calls` that show data: last10, status, alerts and rules (help, usage and
notices are in blocks_help.py).

Pure functions from view models to a `Message`; the listener decides whether
the reply is ephemeral or in the channel. Names and values from the
configuration, Wolkvox or people are escaped; phone numbers and customer ids
are masked unless `mask_personal_data=False`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.adapters.slack.blocks_kinds import budget_day_line
from bot.adapters.slack.blocks_kit import (
    MAX_BLOCKS,
    Block,
    Message,
    context,
    fallback,
    fields_section,
    header,
    more_text,
    pack_lines,
    section,
    take_items,
)
from bot.adapters.slack.blocks_staleness import stale_block
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import (
    MINUS,
    format_age,
    format_decimal,
    format_number,
    format_percent,
    safe,
)
from bot.adapters.slack.wording import (
    call_line,
    count_lines,
    error_text,
    format_value,
    local_time,
    name,
    spark,
    state_icon,
    threshold_text,
    user_ref,
)
from bot.services.views.alert import Unit
from bot.services.views.replies import (
    AlertLine,
    AlertsView,
    Last10View,
    OperationStatus,
    RulesView,
    Share,
    StatusView,
)

_LIST_BLOCKS = 3


def _share_line(tr: Translator, key: str, share: Share | None) -> str:
    if share is None:
        return ""
    fraction = share.fraction
    rate = format_percent(fraction, tr.lang) if fraction is not None else tr("na")
    return tr(
        key,
        rate=rate,
        matched=format_number(share.matched, tr.lang),
        population=format_number(share.population, tr.lang),
    )


def _change(tr: Translator, view: Last10View) -> str:
    window = format_age(view.window, tr.lang)
    if view.previous_total is None:
        return tr("last10.no_previous", window=window)
    delta = view.total - view.previous_total
    sign = "+" if delta > 0 else (MINUS if delta < 0 else "±")
    return tr(
        "last10.change",
        delta=sign + format_number(abs(delta), tr.lang),
        window=window,
        previous=format_number(view.previous_total, tr.lang),
    )


def _last10_blocks(view: Last10View, tr: Translator, *, mask: bool) -> list[Block]:
    operation = name(view.operation)
    blocks = [
        header(tr("last10.header", window=format_age(view.window, tr.lang), operation=operation))
    ]
    as_of = local_time(view.as_of, view.tz)
    notes = [
        tr("as_of_polled", time=as_of, age=format_age(view.polled_ago, tr.lang))
        if view.polled_ago is not None
        else tr("as_of", time=as_of)
    ]
    if view.type_filter:
        notes.append(tr("last10.filter", filter=tr.call_type(view.type_filter)))
    blocks.append(context(*notes))
    if view.stale is not None:
        blocks.append(stale_block(tr, view.stale, view.as_of, view.tz))
    total = tr.n("last10.total", view.total, total=format_number(view.total, tr.lang))
    blocks.append(section(f"{total} · {_change(tr, view)}"))
    if view.total == 0:
        blocks.append(section(tr("last10.no_calls")))
    more = more_text(tr)
    blocks += pack_lines(
        count_lines(view.by_result, view.total, tr.result, tr.lang),
        max_blocks=_LIST_BLOCKS,
        more=more,
        title=tr("last10.by_result"),
    )
    blocks += pack_lines(
        count_lines(view.by_type, view.total, tr.call_type, tr.lang),
        max_blocks=_LIST_BLOCKS,
        more=more,
        title=tr("last10.by_type"),
    )
    rates = [
        _share_line(tr, "last10.abandon", view.abandon),
        _share_line(tr, "last10.network", view.network_failures),
    ]
    if any(rates):
        blocks.append(section("\n".join(r for r in rates if r)))
    if view.series:
        blocks.append(context(tr("last10.per_minute", spark=spark(view.series))))
    if view.recent:
        lines = [call_line(c, tr, view.tz, view.as_of, mask=mask) for c in view.recent]
        blocks += pack_lines(lines, max_blocks=_LIST_BLOCKS, more=more, title=tr("last10.recent"))
    return blocks


def render_last10(
    view: Last10View | Sequence[Last10View], lang: str, *, mask_personal_data: bool = True
) -> Message:
    """`/calls last10` for one operation, or for several one after the other."""
    tr = Translator(lang)
    views = [view] if isinstance(view, Last10View) else list(view)
    if not views:
        return Message(text=fallback(tr("status.none")), blocks=(section(tr("status.none")),))
    groups = [_last10_blocks(v, tr, mask=mask_personal_data) for v in views]
    blocks = take_items(groups, max_blocks=MAX_BLOCKS, more=more_text(tr))
    text = fallback(
        *(
            tr.n(
                "last10.fallback",
                v.total,
                operation=name(v.operation),
                total=format_number(v.total, tr.lang),
                window=format_age(v.window, tr.lang),
            )
            for v in views
        )
    )
    return Message(text=text, blocks=tuple(blocks))


def _status_group(op: OperationStatus, tr: Translator, as_of: datetime, tz: str) -> list[Block]:
    if op.last_poll_at is None:
        last = tr("never_polled")
    else:
        last = tr(
            "at_time",
            time=local_time(op.last_poll_at, tz, as_of),
            age=format_age(as_of - op.last_poll_at, tr.lang),
        )
    outcome = tr.outcome(op.outcome)
    if op.duration_s is not None:
        duration = format_decimal(op.duration_s, tr.lang, 1) + " s"
        outcome = tr("status.took", outcome=outcome, duration=duration)
    calls = op.calls_today
    used = format_number(calls.used if calls is not None else 0, tr.lang)
    budget = (
        tr("status.budget", used=used, limit=format_number(calls.limit, tr.lang))
        if calls is not None and calls.limit
        else tr("status.no_budget", used=used)
    )
    stale = op.last_poll_at is None or as_of - op.last_poll_at > 2 * op.poll_every
    title = f"*{name(op.operation)}*" + ("\n" + tr("status.stale") if stale else "")
    fields = [
        f"{tr('status.f_last_poll')}\n{last}",
        f"{tr('status.f_outcome')}\n{outcome}",
        f"{tr('status.f_budget')}\n{budget}",
        f"{tr('status.f_firing')}\n{format_number(op.alerts_firing, tr.lang)}",
        f"{tr('status.f_silences')}\n{format_number(op.silences_active, tr.lang)}",
        f"{tr('status.f_every')}\n{format_age(op.poll_every, tr.lang)}",
    ]
    group = [fields_section(fields, text=title)]
    if op.last_error:
        error = error_text(tr, op.last_error_kind, op.last_error)
        group.append(context(tr("stale_error", error=error)))
    for day in op.budget_days:
        line = budget_day_line(
            tr, dict(day.facts), measure_label=day.measure_label, tz=tz, as_of=as_of
        )
        group.append(context(f"{name(day.rule)}: {line}"))
    return group


def render_status(view: StatusView, lang: str) -> Message:
    """`/calls status`: per operation, last poll, outcome, budget, alerts and silences."""
    tr = Translator(lang)
    groups = [_status_group(op, tr, view.as_of, view.tz) for op in view.operations]
    return _listing(
        tr,
        "status",
        view.as_of,
        view.tz,
        len(groups),
        lambda room: take_items(groups, max_blocks=room, more=more_text(tr)),
    )


def alert_line(line: AlertLine, tr: Translator, as_of: datetime, tz: str) -> str:
    parts = [
        tr(
            "alerts.line",
            icon=state_icon(line.state, line.severity),
            rule=name(line.rule),
            operation=name(line.operation),
            state=tr.state(line.state),
            since=local_time(line.since, tz, as_of),
        )
    ]
    if line.value is not None:
        threshold = threshold_text(tr, line.severity, line.threshold, line.unit, line.below)
        value = format_value(line.value, line.unit, tr.lang)
        if line.compared is not None:
            bound = format_value(line.compared, line.unit, tr.lang)
            value = tr("alerts.bound", value=value, bound=bound)
        key = "alerts.age" if line.unit == Unit.AGE else "alerts.value"
        parts.append(tr(key, value=value, threshold=threshold).rstrip("; "))
    extras = []
    if line.quiet:
        extras.append(tr("alerts.quiet"))
    if line.outside_since is not None:
        extras.append(tr("alerts.outside", since=local_time(line.outside_since, tz, as_of)))
    if line.acked_by:
        extras.append(tr("alerts.acked", user=user_ref(line.acked_by)))
    if line.silenced_until is not None:
        extras.append(tr("alerts.silenced", until=local_time(line.silenced_until, tz, as_of)))
    if extras:
        parts.append(" · ".join(extras))
    return "\n".join(parts)


def render_alerts(view: AlertsView, lang: str) -> Message:
    """`/calls alerts`: what is firing or pending, since when, value, acknowledged by whom."""
    tr = Translator(lang)
    lines = [alert_line(line, tr, view.as_of, view.tz) for line in view.lines]
    return _listing(
        tr,
        "alerts",
        view.as_of,
        view.tz,
        len(lines),
        lambda room: pack_lines(lines, max_blocks=room, more=more_text(tr)),
    )


def render_rules(view: RulesView, lang: str) -> Message:
    """`/calls rules`: each rule per operation, its current value, its state, its thresholds."""
    tr = Translator(lang)
    lines = []
    for rule in view.lines:
        value = (
            format_value(rule.value, rule.unit, tr.lang)
            if rule.value is not None
            else tr("rules.no_value")
        )
        if rule.value is not None and rule.unit == Unit.AGE:
            value = tr("rules.age", value=value)
        first = tr(
            "rules.line",
            icon=state_icon(rule.state, rule.severity),
            rule=name(rule.rule),
            kind=tr.kind(rule.kind),
            operation=name(rule.operation),
            value=value,
            state=tr.state(rule.state),
        )
        limits = [
            threshold_text(tr, severity, level, rule.unit, rule.below)
            for severity, level in (("warning", rule.warning), ("critical", rule.critical))
        ]
        detail = ", ".join(x for x in limits if x)
        about = (
            tr("unavailable.description")
            if rule.kind == "unavailable"
            else safe(tr.description(rule.description), 300)
        )
        if about:
            detail = " · ".join(x for x in (detail, f"_{about}_") if x)
        lines.append(first + (f"\n        {detail}" if detail else ""))
    return _listing(
        tr,
        "rules",
        view.as_of,
        view.tz,
        len(lines),
        lambda room: pack_lines(lines, max_blocks=room, more=more_text(tr)),
    )


def _listing(
    tr: Translator,
    key: str,
    as_of: datetime,
    tz: str,
    count: int,
    body: Callable[[int], Sequence[Block]],
) -> Message:
    """A titled list reply (`status`, `alerts`, `rules`): header and time, then the items
    packed into the blocks left (`body(room)`), or the `<key>.none` sentence when empty."""
    head = [header(tr(f"{key}.header")), context(tr("as_of", time=local_time(as_of, tz)))]
    if not count:
        none = tr(f"{key}.none")
        return Message(text=fallback(none), blocks=(*head, section(none)))
    text = fallback(tr.n(f"{key}.fallback", count))
    return Message(text=text, blocks=(*head, *body(MAX_BLOCKS - len(head))))

"""The App Home tab: a live dashboard per operation, published when the tab is opened."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.blocks_commands import alert_line
from bot.adapters.slack.blocks_kit import (
    MAX_HOME_BLOCKS,
    Block,
    context,
    divider,
    header,
    more_text,
    pack_lines,
    section,
    take_items,
)
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age, format_number, safe
from bot.adapters.slack.wording import count_lines, error_text, local_time, name, spark, user_ref
from bot.services.views.replies import HomeOperation, HomeView, SilenceLine

_LIST_BLOCKS = 2


def _silence_line(tr: Translator, silence: SilenceLine, view: HomeView) -> str:
    line = tr(
        "home.silence_line",
        rule=name(silence.rule),
        operation=name(silence.operation) if silence.operation else tr("all_operations"),
        until=local_time(silence.until, view.tz, view.as_of),
        by=tr("home.silence_by", user=user_ref(silence.by)) if silence.by else "",
    )
    if silence.reason:
        line += " · " + tr("action.reason", reason=safe(silence.reason, 200))
    return line


def _operation_blocks(tr: Translator, op: HomeOperation, view: HomeView) -> list[Block]:
    if op.last_poll_at is None:
        when = tr("never_polled")
    else:
        when = tr(
            "at_time",
            time=local_time(op.last_poll_at, view.tz, view.as_of),
            age=format_age(view.as_of - op.last_poll_at, tr.lang),
        )
    summary = [
        tr("home.operation", operation=name(op.operation)),
        tr("home.last_poll", when=when, outcome=tr.outcome(op.outcome)),
        tr.n(
            "home.last10", op.total, total=format_number(op.total, tr.lang), spark=spark(op.series)
        ),
    ]
    if op.last_poll_at is not None and view.as_of - op.last_poll_at > 2 * op.poll_every:
        summary.append(tr("status.stale"))
    blocks: list[Block] = [divider(), section("\n".join(summary))]
    more = more_text(tr)
    blocks += pack_lines(
        count_lines(op.by_result, op.total, tr.result, tr.lang), max_blocks=_LIST_BLOCKS, more=more
    )
    if op.firing:
        lines = [alert_line(a, tr, view.as_of, view.tz) for a in op.firing]
        blocks += pack_lines(lines, max_blocks=_LIST_BLOCKS, more=more, title=tr("home.firing"))
    else:
        blocks.append(context(tr("home.no_firing")))
    if op.silences:
        lines = [_silence_line(tr, s, view) for s in op.silences]
        blocks += pack_lines(lines, max_blocks=_LIST_BLOCKS, more=more, title=tr("home.silences"))
    if op.last_error:
        error = error_text(tr, op.last_error_kind, op.last_error)
        blocks.append(context(tr("stale_error", error=error)))
    return blocks


def render_home(view: HomeView, lang: str) -> dict[str, Any]:
    """The `view` argument of views.publish for the Home tab (at most 100 blocks)."""
    tr = Translator(lang)
    head = [
        header(tr("home.header")),
        context(tr("as_of", time=local_time(view.as_of, view.tz))),
    ]
    if not view.operations:
        body: list[Block] = [section(tr("home.none"))]
    else:
        groups = [_operation_blocks(tr, op, view) for op in view.operations]
        body = take_items(groups, max_blocks=MAX_HOME_BLOCKS - len(head), more=more_text(tr))
    return {"type": "home", "blocks": [*head, *body]}

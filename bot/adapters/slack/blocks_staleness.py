"""The lines a `/calls` reply adds when its data is old or missing, and why.

A reply about an operation whose polls are failing must not read as a quiet contact
center: under its view come one line per stale operation (since when, how long ago,
the last error) and, on a "no data yet" notice, the error that has kept the first
poll from succeeding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.adapters.slack.blocks_commands import render_notice
from bot.adapters.slack.blocks_kit import (
    MAX_BLOCKS,
    Block,
    Message,
    cap,
    context,
    local_time,
    more_text,
    name,
)
from bot.adapters.slack.blocks_parts import error_text
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age
from bot.services.views.replies import NoticeKind, NoticeView, PollHealth


def with_blocks(message: Message, extra: Sequence[Block], *, at: int, lang: str) -> Message:
    """`message` with `extra` inserted at block `at`, still within Slack's block cap."""
    if not extra:
        return message
    blocks = [*message.blocks[:at], *extra, *message.blocks[at:]]
    capped = cap(blocks, max_blocks=MAX_BLOCKS, more=more_text(Translator(lang)))
    return Message(text=message.text, blocks=tuple(capped))


def notice_message(notice: NoticeView, health: PollHealth, lang: str) -> Message:
    """A notice, with the last error when polls have been failing from the start."""
    message = render_notice(notice, lang)
    error = health.last_error
    if notice.kind is not NoticeKind.NO_DATA_YET or not error:
        return message
    tr = Translator(lang)
    line = tr("stale_error", error=error_text(tr, health.last_error_kind, error))
    return with_blocks(message, [context(line)], at=len(message.blocks), lang=lang)


def staleness_blocks(healths: Sequence[PollHealth], now: datetime, lang: str) -> list[Block]:
    """One line per operation whose data is stale, saying since when and why."""
    tr = Translator(lang)
    blocks: list[Block] = []
    for health in healths:
        stale = health.stale
        if stale is not None:
            text = tr(
                "stale",
                since=local_time(stale.since, health.tz, now),
                age=format_age(now - stale.since, tr.lang),
            )
        elif health.never_succeeded and health.last_error:
            text = tr("notice.no_data_yet", subject=name(health.operation))
        else:
            continue
        if len(healths) > 1:
            text = f"*{name(health.operation)}*: {text}"
        if health.last_error:
            error = error_text(tr, health.last_error_kind, health.last_error)
            text += "\n" + tr("stale_error", error=error)
        blocks.append(context(text))
    return blocks

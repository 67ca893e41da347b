"""The lines a reply adds when its data is old or missing, and why.

A reply about an operation whose polls are failing must not read as a quiet contact
center: `/calls last10` shows a stale block in each operation's part, other replies
get one line per stale operation under their view (since when, how long ago, the
last error), and a "no data yet" notice gets the error that has kept the first poll
from succeeding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.adapters.slack.blocks_kit import (
    MAX_BLOCKS,
    Block,
    Message,
    cap,
    context,
    more_text,
    section,
)
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age
from bot.adapters.slack.wording import error_text, local_time, name
from bot.services.views.replies import NoticeKind, NoticeView, PollHealth, StaleInfo


def stale_block(tr: Translator, stale: StaleInfo, as_of: datetime, tz: str) -> Block:
    """The warning in a view whose data is older than two poll periods."""
    text = tr(
        "stale",
        since=local_time(stale.since, tz, as_of),
        age=format_age(as_of - stale.since, tr.lang),
    )
    if stale.last_error:
        error = error_text(tr, stale.last_error_kind, stale.last_error)
        text += "\n" + tr("stale_error", error=error)
    return section(text)


def with_blocks(message: Message, extra: Sequence[Block], *, at: int, lang: str) -> Message:
    """`message` with `extra` inserted at block `at`, still within Slack's block cap."""
    if not extra:
        return message
    blocks = [*message.blocks[:at], *extra, *message.blocks[at:]]
    capped = cap(blocks, max_blocks=MAX_BLOCKS, more=more_text(Translator(lang)))
    return Message(text=message.text, blocks=tuple(capped))


def no_data_error(notice: NoticeView, health: PollHealth, lang: str) -> list[Block]:
    """Under a "no data yet" notice, the last error while polls have failed from the start."""
    error = health.last_error
    if notice.kind is not NoticeKind.NO_DATA_YET or not error:
        return []
    tr = Translator(lang)
    return [context(tr("stale_error", error=error_text(tr, health.last_error_kind, error)))]


def store_lost_blocks(since: datetime | None, now: datetime, tz: str, lang: str) -> list[Block]:
    """The line every reply carries while the store cannot be reached (a lost database):
    the numbers are this replica's memory, which no longer follows the other replicas."""
    if since is None:
        return []
    tr = Translator(lang)
    text = tr("store_lost", since=local_time(since, tz, now), age=format_age(now - since, tr.lang))
    return [context(text)]


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

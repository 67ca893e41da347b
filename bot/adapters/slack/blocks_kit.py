"""Block Kit building blocks that respect Slack's limits by construction.

slack_sdk validates some limits in its model classes, never the 50-block cap,
and plain dicts not at all; a message over a limit is rejected whole
(`invalid_blocks`), so an alert would silently not reach anyone. Every block
the renderers produce comes from these helpers, which clip text to its limit
(never leaving half an HTML entity) and cut lists with "and N more".
Text given to them is mrkdwn that is already escaped.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import (
    DASH,
    TIMES,
    clip_escaped,
    format_age,
    format_decimal,
    format_number,
    format_percent,
    safe,
)
from bot.services.views.alert import Unit

Block = dict[str, Any]

MAX_BLOCKS: Final = 50
MAX_HOME_BLOCKS: Final = 100
MAX_TEXT: Final = 3000
MAX_FIELDS: Final = 10
MAX_FIELD_TEXT: Final = 2000
MAX_HEADER: Final = 150
MAX_CONTEXT_ELEMENTS: Final = 10
MAX_ACTION_ELEMENTS: Final = 25
MAX_BUTTON_TEXT: Final = 75
MAX_BUTTON_VALUE: Final = 2000
MAX_ID: Final = 255
MAX_FALLBACK: Final = 3000
EMPTY: Final = DASH
_TITLE_LIMIT: Final = 200


@dataclass(frozen=True, slots=True)
class Message:
    """A rendered message: `text` is the escaped plain fallback (notifications,
    screen readers), `blocks` the Block Kit layout."""

    text: str
    blocks: tuple[Block, ...]

    def to_payload(self) -> dict[str, Any]:
        """A fresh dict for chat.postMessage / chat.update / respond (no link_names, no parse).

        The blocks are copied, so whoever sends or stores the payload may change it
        without changing this Message (a `/calls` reply is rendered once and sent to
        everyone who asks until the next poll). Blocks are JSON trees by construction
        (only the helpers below build them), so copying the dicts and lists is a
        whole copy, several times faster than `copy.deepcopy` of the same tree.
        """
        return {"text": self.text, "blocks": [_fresh(block) for block in self.blocks]}


_LEAVES: Final = frozenset({str, int, float, bool, type(None)})


def _fresh(value: Any) -> Any:
    """A copy of a JSON tree: new dicts and lists, the same (immutable) strings and numbers;
    anything else a caller slipped in is deep-copied, so the copy is never shallow."""
    kind = type(value)
    if kind is dict:
        return {key: _fresh(item) for key, item in value.items()}
    if kind is list:
        return [_fresh(item) for item in value]
    if kind in _LEAVES:
        return value
    if kind is tuple:
        return tuple(_fresh(item) for item in value)
    return copy.deepcopy(value)


def mrkdwn(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip_escaped(text, limit) or EMPTY}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip_escaped(text, limit) or EMPTY, "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def section(text: str, *, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id[:MAX_ID]
    return block


def fields_section(fields: Sequence[str], text: str | None = None) -> Block:
    """A section of up to 10 short fields (extra fields are dropped: callers pass few)."""
    block: Block = {
        "type": "section",
        "fields": [mrkdwn(f, MAX_FIELD_TEXT) for f in fields[:MAX_FIELDS]] or [mrkdwn(EMPTY)],
    }
    if text:
        block["text"] = mrkdwn(text)
    return block


def context(*texts: str) -> Block:
    elements = [mrkdwn(t) for t in texts if t][:MAX_CONTEXT_ELEMENTS]
    return {"type": "context", "elements": elements or [mrkdwn(EMPTY)]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id[:MAX_ID],
        "value": value[:MAX_BUTTON_VALUE],
    }
    if style in {"primary", "danger"}:
        element["style"] = style
    return element


def actions(buttons: Sequence[Block], *, block_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": block_id[:MAX_ID],
        "elements": list(buttons[:MAX_ACTION_ELEMENTS]),
    }


def fallback(*parts: str) -> str:
    """The plain `text` of a message: escaped parts joined, bounded in length."""
    return clip_escaped(" · ".join(p for p in parts if p), MAX_FALLBACK) or EMPTY


def pack_lines(
    lines: Sequence[str],
    *,
    max_blocks: int,
    more: Callable[[int], str],
    title: str | None = None,
) -> list[Block]:
    """Put lines into as few sections as fit 3000 characters each, at most
    `max_blocks` blocks; what does not fit becomes one "and N more" context.
    `title` (short) heads the first section."""
    if max_blocks <= 0 or not lines:
        return []
    chunks: list[tuple[list[str], int]] = []
    current: list[str] = [clip_escaped(title, _TITLE_LIMIT)] if title else []
    length = len(current[0]) if current else 0
    count = 0
    for raw in lines:
        line = clip_escaped(raw, MAX_TEXT - _TITLE_LIMIT - 1)
        added = len(line) + (1 if current else 0)
        if count and length + added > MAX_TEXT:
            chunks.append((current, count))
            current, length, count = [line], len(line), 1
        else:
            current.append(line)
            length += added
            count += 1
    chunks.append((current, count))
    if len(chunks) <= max_blocks:
        return [section("\n".join(c)) for c, _ in chunks]
    kept = chunks[: max_blocks - 1]
    shown = sum(n for _, n in kept)
    blocks = [section("\n".join(c)) for c, _ in kept]
    blocks.append(context(more(len(lines) - shown)))
    return blocks


def take_items(
    groups: Iterable[list[Block]],
    *,
    max_blocks: int,
    more: Callable[[int], str],
) -> list[Block]:
    """Concatenate per-item block groups within `max_blocks`, ending with "and N more"."""
    all_groups = list(groups)
    if sum(len(g) for g in all_groups) <= max_blocks:
        return [b for g in all_groups for b in g]
    out: list[Block] = []
    used = 0
    for group in all_groups:
        if len(out) + len(group) > max_blocks - 1:
            break
        out.extend(group)
        used += 1
    out.append(context(more(len(all_groups) - used)))
    return out


def cap(blocks: Sequence[Block], *, max_blocks: int, more: Callable[[int], str]) -> list[Block]:
    """Last line of defence for the block count."""
    if len(blocks) <= max_blocks:
        return list(blocks)
    kept = list(blocks[: max_blocks - 1])
    kept.append(context(more(len(blocks) - len(kept))))
    return kept


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The operation's timezone; UTC if the name is unknown (configuration validates it)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(at: datetime, tz: str, reference: datetime | None = None) -> str:
    """`14:32` in the operation's timezone; with the date when not on `reference`'s day."""
    local = at.astimezone(zone(tz))
    if reference is None or reference.astimezone(zone(tz)).date() == local.date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def format_value(value: float | None, unit: Unit | str, lang: str) -> str:
    """A rule value for display: a rate as a percentage, a ratio with a times sign, a count."""
    if value is None:
        return EMPTY
    if unit == Unit.RATE:
        return format_percent(value, lang)
    if unit == Unit.RATIO:
        return TIMES + format_decimal(value, lang, 1)
    if unit == Unit.AGE:
        return format_age(timedelta(seconds=value), lang)
    if float(value).is_integer():
        return format_number(int(value), lang)
    return format_decimal(value, lang, 1)


def threshold_text(
    tr: Translator, severity: str | None, value: float | None, unit: Unit | str, below: bool
) -> str:
    """`critical at 15%` / `warning below 3` / `critical after 10 min` (an age)."""
    if value is None:
        return ""
    if unit == Unit.AGE:
        age = format_age(timedelta(seconds=value), tr.lang)
        return tr("threshold.after", severity=tr.severity(severity or "critical"), value=age)
    key = "threshold.below" if below else "threshold.at"
    if unit == Unit.RATE:
        shown = format_percent(value, tr.lang, trim=True)
    elif unit == Unit.RATIO:
        shown = TIMES + format_decimal(value, tr.lang, 1).removesuffix(".0").removesuffix(",0")
    else:
        shown = format_value(value, unit, tr.lang)
    return tr(key, severity=tr.severity(severity or "warning"), value=shown)


def more_text(tr: Translator) -> Callable[[int], str]:
    return lambda count: tr("more", count=format_number(count, tr.lang))


def name(value: str, limit: int = 80) -> str:
    """An operation or rule name from the configuration, shown escaped and bounded."""
    return safe(value, limit)


_USER_ID = re.compile(r"^<?@?([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>?$")
_GROUP_ID = re.compile(r"^<?!?(?:subteam\^)?(S[A-Z0-9]{2,30})(?:\|[^>]*)?>?$")
_SPECIAL = {"here": "<!here>", "channel": "<!channel>", "everyone": "<!everyone>"}


def user_ref(user: str | None) -> str:
    """A Slack user id as a mention (`<@U123>`); anything else shown escaped, never pinging."""
    if not user:
        return EMPTY
    match = _USER_ID.match(user.strip())
    return f"<@{match.group(1)}>" if match else safe(user, 80)


def mention_markup(mention: str | None) -> str:
    """The configured `mention:` of a rule as Slack markup, the only deliberate ping.

    Accepts a user id (`U123`, `<@U123>`), a user group id (`S123`,
    `<!subteam^S123>`) or `here` / `channel` / `everyone` (with or without `@`
    or `<!...>`), or several of them separated by spaces. Anything else is shown
    escaped, whole, so a configuration mistake is visible and pings no one.
    """
    if not mention or not mention.strip():
        return ""
    value = mention.strip()
    parts = [_one_mention(part) for part in value.split()]
    if all(parts):
        return " ".join(dict.fromkeys(p for p in parts if p))
    return safe(value, 80)


def _one_mention(value: str) -> str | None:
    special = value.strip("<>!@").lower()
    if special in _SPECIAL:
        return _SPECIAL[special]
    user = _USER_ID.match(value)
    if user:
        return f"<@{user.group(1)}>"
    group = _GROUP_ID.match(value)
    if group:
        return f"<!subteam^{group.group(1)}>"
    return None

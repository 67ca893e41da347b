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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import (
    DASH,
    clip_escaped,
    format_number,
)

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


def more_text(tr: Translator) -> Callable[[int], str]:
    return lambda count: tr("more", count=format_number(count, tr.lang))

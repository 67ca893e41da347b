"""A terminal "Slack" for `callbot demo`: each message printed as a person would read it.

`ConsoleChat` implements the drainer's `Chat` port, so the demo runs the real outbox and
delivery code; it keeps its messages in memory so edits, thread replies and `find` work
as they do against Slack. `render_message` walks the same Block Kit payload Slack would
get (header, sections and fields, context with the sparkline, buttons listed as
`[ Acknowledge ]`) and undoes Slack's markup: `*bold*` marks, `&amp;` escapes, `<@U1>`
mentions and emoji codes.
"""

from __future__ import annotations

import html
import itertools
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.services.ports import Clock, RenderedMessage
from bot.services.ports.chat import ChatError, ChatErrorKind

RULE_WIDTH = 72
INDENT = "    "
WORDS = {
    "en": {"edited": "✎ edited", "thread": "in the thread of"},
    "es": {"edited": "✎ editado", "thread": "en el hilo de"},
}
"""The console's own few words, in the bot's language."""

EMOJI = {
    ":red_circle:": "🔴",
    ":large_orange_circle:": "🟠",
    ":large_green_circle:": "🟢",
    ":white_check_mark:": "✅",
    ":hourglass_flowing_sand:": "⏳",
    ":warning:": "⚠️",
    ":zzz:": "💤",
    ":eyes:": "👀",
    ":bell:": "🔔",
    ":telephone_receiver:": "📞",
    ":arrow_up:": "⬆",
    ":arrow_down:": "⬇",
    ":heavy_plus_sign:": "+",
}
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]+))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")


def _link(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return label or target
    if target.startswith("!subteam^"):
        return label or "@" + target.removeprefix("!subteam^")
    if target.startswith("!"):
        return "@" + target[1:].split("|", 1)[0]
    if target.startswith("#"):
        return label or target
    return f"{label} ({target})" if label else target


def plain_text(mrkdwn: str) -> str:
    """Slack mrkdwn as a terminal shows it: markers dropped, escapes and mentions undone."""
    text = _LINK.sub(_link, mrkdwn)
    for pattern in (_BOLD, _ITALIC, _STRIKE, _CODE):
        text = pattern.sub(r"\1", text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(0), m.group(0)), text)
    return html.unescape(text)


def _text_of(obj: Any) -> str:
    if isinstance(obj, Mapping):
        return plain_text(str(obj.get("text", "")))
    return ""


def render_blocks(blocks: Any) -> list[str]:
    """Block Kit blocks as lines of text; unknown blocks are skipped."""
    lines: list[str] = []
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "header":
            lines.append(_text_of(block.get("text")))
        elif kind == "section":
            if block.get("text"):
                lines.extend(_text_of(block.get("text")).splitlines())
            for item in block.get("fields") or []:
                lines.append("  " + _text_of(item).replace("\n", "  "))
        elif kind == "context":
            parts = [_text_of(e) or str(e.get("alt_text", "")) for e in block.get("elements", [])]
            lines.append("  " + " · ".join(p for p in parts if p))
        elif kind == "actions":
            buttons = [
                f"[ {_text_of(e.get('text'))} ]"
                for e in block.get("elements", [])
                if isinstance(e, Mapping) and e.get("type") == "button"
            ]
            if buttons:
                lines.append(" ".join(buttons))
        elif kind == "divider":
            lines.append("─" * 24)
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
    return lines


def render_message(message: Mapping[str, Any]) -> list[str]:
    """The lines a person reads; the plain `text` when there are no blocks."""
    lines = render_blocks(message.get("blocks"))
    if not lines:
        lines = plain_text(str(message.get("text", ""))).splitlines()
    return lines


@dataclass(slots=True)
class ConsoleMessage:
    channel: str
    ts: str
    payload: RenderedMessage
    incident_id: str | None = None
    thread_ts: str | None = None
    posted_at: datetime | None = None
    edits: int = 0
    replies: list[str] = field(default_factory=list)
    reply_key: str | None = None

    @property
    def title(self) -> str:
        lines = render_message(self.payload)
        return lines[0] if lines else ""


class ConsoleChat:
    """Prints messages to `out` and remembers them. `timezone` is how times are shown;
    `channel_names` maps channel ids to the names printed; `language` (en, es) is the
    language of the console's own words."""

    def __init__(
        self,
        *,
        clock: Clock,
        out: TextIO | None = None,
        timezone: str = "UTC",
        channel_names: Mapping[str, str] | None = None,
        language: str = "en",
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self._clock = clock
        self._out = out
        self._tz = ZoneInfo(timezone)
        self._names = dict(channel_names or {})
        self._words = WORDS.get(language, WORDS["en"])
        self._echo = echo
        self._ts = itertools.count(1)
        self.messages: dict[str, ConsoleMessage] = {}

    def __repr__(self) -> str:
        return f"ConsoleChat(messages={len(self.messages)})"

    # ---- Chat port ----------------------------------------------------------------

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        ts = self._next_ts()
        self.messages[ts] = ConsoleMessage(
            channel, ts, dict(message), incident_id=incident_id, posted_at=self._clock.now()
        )
        self._print_full(channel, render_message(message))
        return ts

    async def update(self, channel: str, ts: str, message: RenderedMessage) -> None:
        existing = self.messages.get(ts)
        if existing is None or existing.channel != channel:
            raise ChatError(ChatErrorKind.MESSAGE_GONE, "message_not_found")
        before = existing.title
        existing.payload = dict(message)
        existing.edits += 1
        lines = render_message(message)
        if lines and lines[0] != before:
            self._print_full(channel, lines, mark=self._words["edited"])
        else:
            summary = next((line for line in lines[1:] if line.strip()), "")
            self._emit(f"{self._stamp()} {self._words['edited']} {before}: {summary.strip()}")

    async def reply(
        self, channel: str, thread_ts: str, message: RenderedMessage, *, key: str
    ) -> str:
        parent = self.messages.get(thread_ts)
        if parent is None or parent.channel != channel:
            raise ChatError(ChatErrorKind.MESSAGE_GONE, "thread_not_found")
        ts = self._next_ts()
        self.messages[ts] = ConsoleMessage(
            channel,
            ts,
            dict(message),
            thread_ts=thread_ts,
            posted_at=self._clock.now(),
            reply_key=key,
        )
        lines = render_message(message)
        parent.replies.append(ts)
        self._emit(f"{INDENT}↳ {self._stamp()} {self._words['thread']} “{parent.title}”")
        for line in lines:
            self._emit(f"{INDENT}  {line}")
        return ts

    async def find_reply(self, channel: str, thread_ts: str, key: str) -> str | None:
        parent = self.messages.get(thread_ts)
        if parent is None:
            return None
        return next((ts for ts in parent.replies if self.messages[ts].reply_key == key), None)

    async def find(self, channel: str, incident_id: str, *, since: datetime) -> str | None:
        for message in self.messages.values():
            if (
                message.channel == channel
                and message.incident_id == incident_id
                and (message.posted_at is None or message.posted_at >= since)
            ):
                return message.ts
        return None

    # ---- reading back -------------------------------------------------------------

    def top_level(self) -> list[ConsoleMessage]:
        return [m for m in self.messages.values() if m.thread_ts is None]

    def thread(self, ts: str) -> list[ConsoleMessage]:
        parent = self.messages.get(ts)
        return [self.messages[r] for r in parent.replies] if parent else []

    def print_block(self, title: str, lines: list[str]) -> None:
        """Print something that is not a channel message (a command's reply) the same way."""
        self._emit("")
        self._emit(f"{self._stamp()} {title} " + "─" * max(4, RULE_WIDTH - len(title) - 8))
        for line in lines:
            self._emit(f"  {line}")

    def print_time(self) -> None:
        """A divider with the (simulated) time, so a reader can follow the clock."""
        label = f" {self._stamp()} "
        self._emit("")
        self._emit("═" * 4 + label + "═" * (RULE_WIDTH - 4 - len(label)))

    # ---- output -------------------------------------------------------------------

    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    def _stamp(self) -> str:
        return self._clock.now().astimezone(self._tz).strftime("%H:%M")

    def _print_full(self, channel: str, lines: list[str], *, mark: str = "") -> None:
        head = f"{self._stamp()} #{self._names.get(channel, channel)}" + (
            f" {mark}" if mark else ""
        )
        self._emit("")
        self._emit(head + " " + "─" * max(4, RULE_WIDTH - len(head) - 1))
        for line in lines:
            self._emit(f"  {line}")

    def _emit(self, line: str) -> None:
        if self._echo is not None:
            self._echo(line)
            return
        out = self._out or sys.stdout
        out.write(line + "\n")
        out.flush()

"""The `/calls` text, parsed into a typed command or a usage message.

Pure and total: whatever Slack sends (empty, huge, binary, control
characters, Slack's own `&lt;` entities) becomes a command or a `Usage`, never
an exception, so a typo gets a short explanation instead of an error. Names of
operations and rules are kept as the user typed them; the command service
resolves them against the configuration. Spanish synonyms of the subcommands
are accepted (`ultimos10`, `estado`, `alertas`, `reglas`, `silenciar`, `colas`,
`agentes`...).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import time, timedelta
from typing import Final

from bot.domain.calls import CallType, normalise_type
from bot.domain.durations import UNIT_WORDS, format_duration, parse_duration
from bot.services.command_backtest import parse_backtest
from bot.services.command_types import (
    DEFAULT_HISTORY,
    DEFAULT_WINDOW,
    Ack,
    Agents,
    Alerts,
    Command,
    Help,
    History,
    Last10,
    Queues,
    Rules,
    Silence,
    Status,
    Unsilence,
    Usage,
    UsageReason,
)

MAX_INPUT: Final = 2000
MAX_REASON: Final = 500
MAX_WINDOW: Final = timedelta(hours=24)
MAX_SILENCE: Final = timedelta(days=30)
MAX_HISTORY: Final = timedelta(days=7)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_LAST = re.compile(r"^(?:last|ultimos|últimos|ultimas|últimas)(.*)$")
_MINUTES = re.compile(r"^\d{1,5}$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3])(?::?([0-5]\d))?(?:h)?$")
_PUBLIC = frozenset({"public", "publico", "público"})
_UNTIL = frozenset({"until", "hasta"})
_FOR = frozenset({"for", "por", "durante"})
_FILLER = frozenset({"las", "la", "a"})
_INBOUND = frozenset({"inbound", "entrantes", "entrante"})
_OUTBOUND = frozenset({"outbound", "salientes", "saliente"})
_KNOWN_TYPES = frozenset(t.value for t in CallType)
_NUMBER = re.compile(r"^\d{1,5}$")
_AND = frozenset({"and", "y"})

_SILENCE_EXAMPLE = "/calls silence abandon-rate 1h"
_ACK_EXAMPLE = "/calls ack abandon-rate"
_UNSILENCE_EXAMPLE = "/calls unsilence abandon-rate"


def _clean(text: str | bytes | None) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _CONTROL.sub(" ", text)


def parse_command(text: str | bytes | None, *, operations: Collection[str] = ()) -> Command | Usage:
    """Parse the text after `/calls`. `public` anywhere asks for an in-channel answer.

    `operations` are the configured operation names: one written after a silence's
    duration (`silence abandon-rate 1h bogota`) scopes the silence instead of becoming
    the first word of its reason, which would silence the rule everywhere.
    """
    if text is not None and len(text) > MAX_INPUT:
        return Usage(UsageReason.TOO_LONG)
    words = _clean(text).split()
    public = any(w.casefold() in _PUBLIC for w in words)
    words = _spoken_durations([w for w in words if w.casefold() not in _PUBLIC])
    if not words:
        return Help(public=public)
    head, args = words[0].casefold(), words[1:]
    if head in {"help", "ayuda", "?", "h"}:
        return Help(public=public) if not args else Usage(UsageReason.UNEXPECTED, args[0])
    if head in {"status", "estado"}:
        return _with_operation(Status, args, public)
    if head in {"alerts", "alert", "alertas"}:
        return _with_operation(Alerts, args, public)
    if head in {"rules", "rule", "reglas"}:
        return _with_operation(Rules, args, public)
    if head in {"queues", "queue", "colas", "cola"}:
        return _with_operation(Queues, args, public)
    if head in {"agents", "agent", "agentes", "agente"}:
        return _with_operation(Agents, args, public)
    if head in {"silence", "mute", "silenciar"}:
        return _silence(args, public, operations)
    if head in {"unsilence", "unmute", "desilenciar"}:
        return _rule_command(Unsilence, args, public, _UNSILENCE_EXAMPLE)
    if head in {"ack", "acknowledge", "reconocer"}:
        return _rule_command(Ack, args, public, _ACK_EXAMPLE)
    if head in {"history", "historial", "historia"}:
        return _history(args, public, operations)
    if head in {"backtest", "simular"}:  # issue 13
        return parse_backtest(args, public)
    return _last(words, public)


def _spoken_durations(words: list[str]) -> list[str]:
    """Join a duration written in words into one word: `2 horas`, `1 hour and 30 minutes`.

    Only a number followed by a unit is joined, so "silence abandon-rate 1h back at 2"
    keeps its reason as written.
    """
    out: list[str] = []
    i = 0
    while i < len(words):
        end = i
        while end + 1 < len(words) and _NUMBER.match(words[end]) and _is_unit(words[end + 1]):
            end += 2
            if (
                end + 2 < len(words)
                and words[end].casefold() in _AND
                and _NUMBER.match(words[end + 1])
                and _is_unit(words[end + 2])
            ):
                end += 1
        if end > i:
            out.append(" ".join(words[i:end]))
            i = end
        else:
            out.append(words[i])
            i += 1
    return out


def _is_unit(word: str) -> bool:
    return word.casefold().rstrip(",") in UNIT_WORDS


def _with_operation(
    kind: type[Status] | type[Alerts] | type[Rules] | type[Queues] | type[Agents],
    args: list[str],
    public: bool,
) -> Command | Usage:
    if len(args) > 1:
        return Usage(UsageReason.UNEXPECTED, args[1])
    return kind(operation=args[0] if args else None, public=public)


def _rule_command(
    kind: type[Unsilence] | type[Ack], args: list[str], public: bool, example: str
) -> Command | Usage:
    if not args:
        return Usage(UsageReason.MISSING_RULE, example=example)
    if len(args) > 2:
        return Usage(UsageReason.UNEXPECTED, args[2])
    return kind(rule=args[0], operation=args[1] if len(args) == 2 else None, public=public)


def _duration(word: str) -> timedelta | None:
    try:
        return parse_duration(word)
    except (ValueError, OverflowError):
        return None


def _window(spec: str) -> timedelta | Usage:
    window = timedelta(minutes=int(spec)) if _MINUTES.match(spec) else _duration(spec)
    if (
        window is None
        or window < timedelta(minutes=1)
        or window > MAX_WINDOW
        or window % timedelta(minutes=1)
    ):
        return Usage(UsageReason.BAD_WINDOW, spec, limit=format_duration(MAX_WINDOW))
    return window


def _last(words: list[str], public: bool) -> Command | Usage:
    head, args = words[0].casefold(), words[1:]
    match = _LAST.match(head)
    if match:
        spec = match.group(1).lstrip("-_")
        if not spec and args and (_MINUTES.match(args[0]) or _duration(args[0]) is not None):
            spec, args = args[0], args[1:]
        window = _window(spec) if spec else DEFAULT_WINDOW
    elif _duration(head) is not None:
        window = _window(head)
    else:
        return Usage(UsageReason.UNKNOWN_COMMAND, words[0], example="/calls help")
    if isinstance(window, Usage):
        return window
    return _last_args(window, args, public)


def _call_type(word: str) -> str | None:
    folded = word.casefold()
    if folded in _INBOUND:
        return CallType.INBOUND.value
    if folded in _OUTBOUND:
        return "outbound"
    normalised = normalise_type(word)
    return normalised if normalised in _KNOWN_TYPES else None


def _last_args(window: timedelta, args: list[str], public: bool) -> Command | Usage:
    call_type: str | None = None
    operation: str | None = None
    i = 0
    while i < len(args):
        word = args[i]
        joined = _call_type(f"{word} {args[i + 1]}") if i + 1 < len(args) else None
        found = joined or _call_type(word)
        if found is not None and call_type is None:
            call_type = found
            i += 2 if joined else 1
            continue
        if found is None and operation is None:
            operation = word
            i += 1
            continue
        return Usage(UsageReason.UNEXPECTED, word)
    return Last10(window=window, call_type=call_type, operation=operation, public=public)


def _until(args: list[str]) -> tuple[time | None, list[str]] | Usage:
    rest = args[1:]
    while rest and rest[0].casefold() in _FILLER:
        rest = rest[1:]
    if not rest:
        return Usage(
            UsageReason.BAD_TIME, args[0], example="/calls silence abandon-rate until 08:00"
        )
    clock = _CLOCK.match(rest[0].casefold())
    if not clock:
        return Usage(UsageReason.BAD_TIME, rest[0])
    return time(int(clock.group(1)), int(clock.group(2) or 0)), rest[1:]


def _silence(args: list[str], public: bool, operations: Collection[str]) -> Command | Usage:
    if not args:
        return Usage(UsageReason.MISSING_RULE, example=_SILENCE_EXAMPLE)
    rule, rest = args[0], args[1:]
    operation: str | None = None
    if len(rest) >= 2 and not _is_when(rest[0]) and _is_when(rest[1]):
        operation, rest = rest[0], rest[1:]
    if not rest:
        return Usage(UsageReason.MISSING_DURATION, example=f"/calls silence {rule} 1h")
    duration: timedelta | None = None
    until: time | None = None
    first = rest[0].casefold()
    if first in _UNTIL:
        parsed = _until(rest)
        if isinstance(parsed, Usage):
            return parsed
        until, rest = parsed
    else:
        if first in _FOR and len(rest) > 1:
            rest = rest[1:]
        duration = _duration(rest[0])
        if duration is None:
            return Usage(UsageReason.BAD_DURATION, rest[0])
        if duration > MAX_SILENCE:
            return Usage(UsageReason.DURATION_TOO_LONG, rest[0], limit=format_duration(MAX_SILENCE))
        rest = rest[1:]
    known = {name.casefold(): name for name in operations}
    if operation is None and rest and rest[0].casefold() in known:
        operation, rest = known[rest[0].casefold()], rest[1:]
    reason = " ".join(rest)[:MAX_REASON]
    return Silence(
        rule=rule,
        duration=duration,
        until=until,
        reason=reason,
        operation=operation,
        public=public,
    )


def _is_when(word: str) -> bool:
    folded = word.casefold()
    return folded in _UNTIL or folded in _FOR or _duration(word) is not None


def _history(args: list[str], public: bool, operations: Collection[str]) -> Command | Usage:
    """`history [rule] [operation] [24h|7d]`, in any order: a duration is the period, a
    configured operation the operation, anything else the rule."""
    known = {name.casefold(): name for name in operations}
    names: list[str] = []
    period: timedelta | None = None
    operation: str | None = None
    rule: str | None = None
    for word in args:
        duration = _duration(word)
        if duration is not None and period is None:
            if duration > MAX_HISTORY or duration < timedelta(minutes=1):
                return Usage(UsageReason.BAD_PERIOD, word, limit=format_duration(MAX_HISTORY))
            period = duration
        elif word.casefold() in known and operation is None:
            operation = known[word.casefold()]
        elif len(names) < 2 and duration is None:
            names.append(word)
        else:
            return Usage(UsageReason.UNEXPECTED, word)
    if len(names) == 2 and operation is None:
        rule, operation = names
    elif len(names) == 2:
        return Usage(UsageReason.UNEXPECTED, names[1])
    else:
        rule = names[0] if names else None
    return History(rule=rule, operation=operation, period=period or DEFAULT_HISTORY, public=public)

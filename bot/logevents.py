"""Structured log events and the audit trail, on the standard `logging` module.

`log_event(logger, logging.INFO, "poll", operation="bogota", records=5)` logs one event
whose fields keep their Python types: the JSON log format writes `"records": 5`, the
text format `event=poll operation=bogota records=5`. The fields ride on the record
(`record.callbot_fields`), so no formatter ever re-parses text; the record's message is
the same key=value line, so `caplog`, grep and older `event=...` checks keep working.

`audit(...)` is the one way to record what a person did, or a request the bot refused:
one INFO line on the `callbot.audit` logger, `event=audit`, with who, what and the scope.
Never pass a secret, a token, a message text or a person's free-text reason: audit lines
are kept longer than any other log and read by more people.

Standard library only, so every layer (services included) may call it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping

Field = str | int | float | bool | None
"""What a field may hold: JSON's scalars. Anything else is the caller's to stringify."""

FIELDS_ATTR = "callbot_fields"
"""The LogRecord attribute carrying an event's typed fields (with `event` first)."""

AUDIT_LOGGER = "callbot.audit"
_BARE = re.compile(r"^[^\s\"'=]+$")
_audit_log = logging.getLogger(AUDIT_LOGGER)


def render_value(value: Field) -> str:
    """A field as it reads in a key=value line: bare when it can be, else JSON-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    if _BARE.match(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def render_pairs(fields: Mapping[str, Field]) -> str:
    """`{"event": "poll", "operation": "a b"}` -> `event=poll operation="a b"`."""
    return " ".join(f"{key}={render_value(value)}" for key, value in fields.items())


def log_event(
    logger: logging.Logger,
    level: int,
    event: str,
    /,
    *,
    exc_info: bool = False,
    **fields: Field,
) -> None:
    """Log one event with typed fields; `None` fields are left out."""
    _emit(logger, level, event, fields, exc_info=exc_info)


def audit(action: str, *, actor: str, outcome: str = "ok", **scope: Field) -> None:
    """Record a person's action (ack, silence, unsilence, backtest...), a refusal, or a
    rejected request: `event=audit action=silence actor=U0123 outcome=silenced rule=...`.

    `actor` is who: a Slack user id, `callbot` for what the bot does on its own (a silence
    that expires), `unknown` for a request nobody could be identified from. `outcome` is
    what happened (`ok`, `refused`, `already_acknowledged`...); `scope` is what it touched
    (rule, operation, until...). Never a secret, never free text a person typed.
    """
    fields: dict[str, Field] = {"action": action, "actor": actor, "outcome": outcome}
    fields.update(scope)
    _emit(_audit_log, logging.INFO, "audit", fields)


def _emit(
    logger: logging.Logger,
    level: int,
    event: str,
    fields: Mapping[str, Field],
    *,
    exc_info: bool = False,
) -> None:
    if not logger.isEnabledFor(level):
        return
    kept: dict[str, Field] = {"event": event}
    kept.update((key, value) for key, value in fields.items() if value is not None)
    logger.log(
        level, render_pairs(kept), exc_info=exc_info, extra={FIELDS_ATTR: kept}, stacklevel=3
    )

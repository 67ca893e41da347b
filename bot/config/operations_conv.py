"""One operation's YAML -> `OperationSettings`, including its daily budget check."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.budget import daily_budget
from bot.config.errors import ProblemList
from bot.config.holidays_conv import build_holidays
from bot.config.model import (
    DEFAULT_CONTEXT,
    DEFAULT_CONTEXT_EVERY,
    DEFAULT_POLL_EVERY,
    DEFAULT_TIMEZONE,
    OperationSettings,
)
from bot.config.schema import OperationModel, format_loc, validate_partial
from bot.config.secret import Secret
from bot.domain.durations import format_duration

MAX_POLL_EVERY = timedelta(minutes=10)
"""calls_last_10 returns the last ten minutes: polling less often leaves holes."""
MIN_CONTEXT_EVERY = timedelta(minutes=1)


def operation_where(raw: Any, index: int) -> str:
    """How problems name an operation: by its name when it has one, else by position."""
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"operation {name!r}" if isinstance(name, str) and name else f"operation #{index + 1}"


def build_operation(
    raw: Any,
    *,
    where: str,
    default_reserve: float,
    default_channel: str | None,
    problems: ProblemList,
    today: date | None = None,
) -> OperationSettings | None:
    """Validate one operation; report every problem under `where` and return None if any.

    `today` anchors the years of public holidays resolved (default: the local date)."""
    if not isinstance(raw, dict):
        problems.add(where, "", "must be a mapping of keys, like {name: ..., server: ..., ...}")
        return None
    model, errors, broken = validate_partial(OperationModel, raw)
    before = len(problems)
    for loc, message in errors:
        problems.add(where, format_loc(loc), message)
    required = {
        "name": "required: a short unique name like bogota (used in commands and alerts)",
        "server": "required: the 4-digit server code, like '0004' for wv0004.wolkvox.com",
        "token": "required: the operation's API token, usually ${SOME_ENV_VAR}",
        "licenses": "required: the number of Wolkvox licences (sets the daily request budget)",
    }
    for key, message in required.items():
        if getattr(model, key) is None and key not in broken:
            problems.add(where, key, message)
    channel = model.channel or default_channel
    if channel is None and "channel" not in broken:
        problems.add(
            where, "channel", "required (or slack.default_channel): the Slack channel id for alerts"
        )
    poll_every = model.poll_every or DEFAULT_POLL_EVERY
    if poll_every >= MAX_POLL_EVERY:
        problems.add(
            where,
            "poll_every",
            "must be shorter than 10m: calls_last_10 only returns the last ten minutes, so "
            "slower polling leaves gaps the rules cannot see (5m is the vendor's suggestion)",
        )
    reserve = default_reserve if model.budget_reserve is None else model.budget_reserve
    if model.licenses is not None and not broken & {"poll_every", "budget_reserve"}:
        budget = daily_budget(
            operation=model.name or where,
            poll_every=poll_every,
            licenses=model.licenses,
            reserve=reserve,
        )
        if not budget.fits:
            problems.add(where, "poll_every", budget.explain())
    holidays = build_holidays(
        model.holidays, where=where, problems=problems, today=today or date.today()
    )
    if model.context_every is not None and model.context_every < MIN_CONTEXT_EVERY:
        problems.add(
            where,
            "context_every",
            "must be 1m or more: each refresh of queues and agents spends the daily budget",
        )
    if model.skills_every is not None and (
        model.skills_every < poll_every or model.skills_every % poll_every
    ):
        problems.add(
            where,
            "skills_every",
            f"must be a whole multiple of poll_every ({format_duration(poll_every)}): skills is "
            "asked right after calls_last_10, in the same poll",
        )
    if len(problems) > before or not (
        model.name and model.server and model.token and model.licenses and channel
    ):
        return None
    return OperationSettings(
        name=model.name,
        server=model.server,
        token=Secret(model.token.get_secret_value()),
        timezone=ZoneInfo(model.timezone or DEFAULT_TIMEZONE),
        licenses=model.licenses,
        poll_every=poll_every,
        channel=channel,
        budget_reserve=reserve,
        base_url=model.base_url,
        holidays=holidays,
        context=DEFAULT_CONTEXT if model.context is None else tuple(dict.fromkeys(model.context)),
        context_every=model.context_every or DEFAULT_CONTEXT_EVERY,
        skills_every=model.skills_every,
        opt_in=tuple(dict.fromkeys(model.opt_in or ())),
    )

"""The YAML file's shape as pydantic models, and turning their errors into Problems.

Every field is optional here, with `None` meaning "not written": the
conversion step (bot.config.rules_conv, bot.config.operations_conv) applies
defaults and checks what depends on the kind or on other fields, and so can
tell "not written" from "written where it does not apply". Because nothing is
required at this level, a model can always be rebuilt from the fields that
did validate (`validate_partial`), which lets the cross-field checks run even
when another field of the same rule is broken: all problems in one report.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from bot.config.fields import (
    ActiveText,
    AtLeastOne,
    CallResults,
    CallTypes,
    ChannelId,
    Confidence,
    Count,
    Duration,
    Factor,
    GroupId,
    HistoryDays,
    HolidayDate,
    HttpUrl,
    Megabytes,
    Mention,
    OptionalPort,
    Port,
    QueueNames,
    Reserve,
    SecretText,
    ServerCode,
    Slug,
    SlugList,
    Threshold,
    TimezoneName,
    UserIds,
)
from bot.config.yaml_source import Loc

Model = TypeVar("Model", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FilterModel(_Strict):
    type: CallTypes | None = None
    result: CallResults | None = None


class TierModel(_Strict):
    """A budget rule's burn-rate tier: `{spend: 20%, window: 1h, short: 5m, min_calls: 30}`."""

    spend: Threshold | None = None
    window: Duration | None = None
    short: Duration | None = None
    min_calls: Count | None = None


class RuleModel(_Strict):
    name: Slug | None = None
    description: str | None = None
    operations: SlugList | None = None
    kind: Literal["count", "rate", "spike", "flatline", "budget", "expected", "queue"] | None = None
    match: FilterModel | None = None
    among: FilterModel | None = None
    window: Duration | None = None
    min_calls: Count | None = None
    warning: Threshold | None = None
    critical: Threshold | None = None
    recover: Threshold | None = None
    recover_critical: Threshold | None = None
    resolve_when_quiet: Duration | None = None
    for_: AtLeastOne | None = Field(default=None, alias="for")
    repeat: Duration | None = None
    active: ActiveText | None = None
    on_holidays: bool | None = None
    channel: ChannelId | None = None
    mention: Mention | None = None
    confidence: Confidence | None = None
    baseline: Duration | None = None
    factor: Factor | None = None
    measure: Literal["count", "rate"] | None = None
    below: AtLeastOne | None = None
    severity: Literal["warning", "critical"] | None = None
    # issue 16: kind budget (a daily objective) and kind expected (a seasonal expectation)
    objective: Threshold | None = None
    fast: TierModel | None = None
    slow: TierModel | None = None
    direction: Literal["drop", "surge", "both"] | None = None
    chance: Threshold | None = None
    min_difference: Count | None = None
    min_expected: Count | None = None
    weeks: AtLeastOne | None = None
    opt_in: bool | None = None
    # issue 15: kind queue (a `skills` metric per queue or over a named set)
    metric: Literal["service_level", "waiting", "abandon_rate"] | None = None
    queues: QueueNames | None = None
    together: bool | None = None


class HolidaysModel(_Strict):
    """`holidays: CO`, or `{country: US, subdivision: CA, dates: [2026-12-24, ...]}`."""

    country: str | None = None
    subdivision: str | None = None
    dates: list[HolidayDate] | None = None


def _country_shorthand(value: Any) -> Any:
    return {"country": value} if isinstance(value, str) else value


class OperationModel(_Strict):
    name: Slug | None = None
    server: ServerCode | None = None
    token: SecretText | None = None
    timezone: TimezoneName | None = None
    licenses: AtLeastOne | None = None
    poll_every: Duration | None = None
    channel: ChannelId | None = None
    base_url: HttpUrl | None = None
    budget_reserve: Reserve | None = None
    holidays: Annotated[HolidaysModel, BeforeValidator(_country_shorthand)] | None = None
    # issue15: queue and agent context
    context: list[Literal["queues", "agents"]] | None = None
    context_every: Duration | None = None
    skills_every: Duration | None = None
    opt_in: SlugList | None = None


class StoreModel(_Strict):
    path: str | None = None
    url: SecretText | None = None
    lease_ttl: Duration | None = None


class SlackModel(_Strict):
    bot_token: SecretText | None = None
    app_token: SecretText | None = None
    signing_secret: SecretText | None = None
    default_channel: ChannelId | None = None
    admins: UserIds | None = None
    admin_group: GroupId | None = None


class HttpModel(_Strict):
    port: Port | None = None
    metrics_port: OptionalPort | None = None


class RootModel(_Strict):
    language: Literal["en", "es"] | None = None
    mask_personal_data: bool | None = None
    store: StoreModel | None = None
    slack: SlackModel | None = None
    http: HttpModel | None = None
    log_format: Literal["text", "json"] | None = None
    budget_reserve: Reserve | None = None
    storm_threshold: Count | None = None
    storm_window: Duration | None = None
    max_response_mb: Megabytes | None = None
    history_days: HistoryDays | None = None
    defaults: bool | None = None
    operations: list[Any] | None = None
    rules: list[Any] | None = None


_HINTS: dict[str, tuple[str, str]] = {
    "threshold": ("warning", "there is no 'threshold': use warning and/or critical"),
    "thresholds": ("warning", "there is no 'thresholds': use warning and/or critical"),
    "type": ("match", "write it inside match or among, like match: {type: [inbound]}"),
    "result": ("match", "write it inside match or among, like match: {result: [abandon]}"),
    "schedule": ("active", "use active, like active: 'mon-fri 07:00-19:00'"),
    "hours": ("active", "use active, like active: 'mon-fri 07:00-19:00'"),
    "holiday": ("holidays", "use holidays, like holidays: CO"),
    "cooldown": ("repeat", "use repeat (how often to remind while firing)"),
    "interval": ("poll_every", "use poll_every, like poll_every: 5m"),
    "poll_interval": ("poll_every", "use poll_every, like poll_every: 5m"),
}
"""Keys people reach for that do not exist: (a key the owner must have, advice)."""


def keys_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The YAML keys a model accepts (aliases where set)."""
    return tuple(info.alias or name for name, info in model.model_fields.items())


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
    return None


def _model_at(model: type[BaseModel], path: Loc) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        fields = {info.alias or name: info for name, info in current.model_fields.items()}
        info = fields.get(part)
        current = None if info is None else _nested_model(info.annotation)
    return current


def format_loc(loc: Loc) -> str:
    """('match', 'type', 1) -> 'match.type[1]'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _unknown_key(model: type[BaseModel], loc: Loc) -> tuple[str, str | None]:
    """The message for an unknown key, and the known key it was probably meant to be."""
    key = str(loc[-1])
    owner = _model_at(model, loc[:-1])
    known = keys_of(owner) if owner is not None else ()
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {close[0]!r}?", close[0]
    for near in difflib.get_close_matches(key, list(_HINTS), n=3, cutoff=0.75):
        needs, advice = _HINTS[near]
        if needs in known:
            return f"unknown key; {advice}", needs
    return f"unknown key; known keys: {', '.join(known)}", None


def _message(model: type[BaseModel], error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(model, error["loc"])[0]
    if kind == "missing":
        return "required"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message[:1].lower() + message[1:]


def validate_partial(
    model: type[Model], raw: dict[str, Any]
) -> tuple[Model, list[tuple[Loc, str]], set[str]]:
    """Validate `raw`; on errors, rebuild the model from the keys that did validate.

    Returns the model, the (location, message) problems and the set of keys
    to treat as broken: those that failed, plus the keys that unknown keys were
    probably meant to be (so `warnign: 10` is not also reported as "no
    threshold"). Later checks skip broken keys instead of reporting their
    absence as a second problem.
    """
    try:
        return model.model_validate(raw), [], set()
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    problems = [(tuple(error["loc"]), _message(model, error)) for error in errors]
    failed = {str(error["loc"][0]) for error in errors if error["loc"]}
    meant = {
        _unknown_key(model, error["loc"])[1]
        for error in errors
        if error["type"] == "extra_forbidden" and len(error["loc"]) == 1
    }
    rest = {key: value for key, value in raw.items() if key not in failed}
    return model.model_validate(rest), problems, failed | {key for key in meant if key}

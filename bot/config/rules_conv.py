"""One rule's YAML -> a domain `RuleSpec`, with the checks that need several keys.

A key that does not apply to the rule's kind is an error rather than ignored:
someone who writes `confidence:` on a count rule expects it to do something.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.config.errors import ProblemList
from bot.config.kinds_conv import budget_checks, expected_checks, kind_fields
from bot.config.queue_conv import queue_checks, queue_fields
from bot.config.schema import FilterModel, RuleModel, format_loc, validate_partial
from bot.domain.calendar import Calendar
from bot.domain.call_log import API_WINDOW, DEFAULT_RETENTION
from bot.domain.calls import expand_results, expand_types
from bot.domain.durations import format_duration
from bot.domain.specs import (
    DEFAULT_RESOLVE_WHEN_QUIET,
    WOLKVOX_UNAVAILABLE,
    CallFilter,
    Measure,
    RuleKind,
    RuleSpec,
    Severity,
)

DEFAULT_WINDOW = timedelta(minutes=10)
_MINUTE = timedelta(minutes=1)

APPLIES_TO: dict[str, tuple[str, ...]] = {
    "warning": ("count", "rate", "queue"),
    "critical": ("count", "rate", "queue"),
    "recover_critical": ("count", "rate", "queue", "budget"),
    "min_calls": ("count", "rate", "spike", "queue"),
    "confidence": ("rate", "budget"),
    "baseline": ("spike",),
    "factor": ("spike",),
    "measure": ("spike",),
    "below": ("flatline",),
    "severity": ("spike", "flatline", "expected"),
    # issue 16
    "objective": ("budget",),
    "fast": ("budget",),
    "slow": ("budget",),
    "direction": ("expected",),
    "chance": ("expected",),
    "min_difference": ("expected",),
    "min_expected": ("expected",),
    "weeks": ("expected",),
    # issue 15
    "metric": ("queue",),
    "queues": ("queue",),
    "together": ("queue",),
}
"""Keys that only some kinds use; every other key applies to every kind."""

_INSTEAD = {
    "spike": "a spike fires at `factor` times its baseline, at `severity`",
    "flatline": "a flatline fires below `below` calls, at `severity`",
    "budget": "a budget fires on the burn rate of its objective (tiers fast and slow)",
    "expected": "an expected rule fires on an improbable count (chance), at `severity`",
    "queue": "a queue rule fires on its metric's warning and critical levels",
}


def rule_where(raw: Any, index: int) -> str:
    """How problems name a rule: by its name when it has one, else by position."""
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"rule {name!r}" if isinstance(name, str) and name else f"rule #{index + 1}"


def build_rule(raw: Any, *, where: str, problems: ProblemList) -> RuleSpec | None:
    """Validate one rule; report every problem under `where` and return None if any."""
    if not isinstance(raw, dict):
        problems.add(where, "", "must be a mapping of keys, like {name: ..., kind: rate, ...}")
        return None
    model, errors, broken = validate_partial(RuleModel, raw)
    before = len(problems)
    for loc, message in errors:
        problems.add(where, format_loc(loc), message)
    for field, message in _cross_checks(model, broken):
        problems.add(where, field, message)
    if len(problems) > before or model.name is None or model.kind is None:
        return None
    return _to_spec(model)


def _cross_checks(m: RuleModel, broken: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if m.name is None and "name" not in broken:
        out.append(("name", "required: every rule needs a unique name"))
    if m.name == WOLKVOX_UNAVAILABLE:
        out.append(("name", f"{WOLKVOX_UNAVAILABLE!r} is the built-in rule's name; choose another"))
    if m.operations == []:
        out.append(("operations", "is empty; leave it out to apply the rule to every operation"))
    if m.window is not None and (m.window < _MINUTE or m.window % _MINUTE):
        out.append(("window", "must be whole minutes, at least 1m (calls are counted per minute)"))
    if m.resolve_when_quiet is not None and m.resolve_when_quiet < _MINUTE:
        out.append(
            (
                "resolve_when_quiet",
                "must be at least 1m: how long a firing alert may go without calls to "
                "judge before it resolves",
            )
        )
    if m.kind is None:
        if "kind" not in broken:
            out.append(
                ("kind", "required: one of count, rate, spike, flatline, budget, expected, queue")
            )
        return out
    written = m.model_fields_set
    for key, kinds in APPLIES_TO.items():
        if key in written and getattr(m, key) is not None and m.kind not in kinds:
            instead = f"; {_INSTEAD[m.kind]}" if m.kind in _INSTEAD else ""
            out.append(
                (key, f"does not apply to a {m.kind} rule (only {', '.join(kinds)}){instead}")
            )
    if m.kind in ("count", "rate"):
        out.extend(_threshold_checks(m, broken))
    elif m.kind == "spike":
        out.extend(_spike_checks(m, broken))
    elif m.kind == "budget":
        out.extend(budget_checks(m, broken))
    elif m.kind == "expected":
        out.extend(expected_checks(m, broken))
    elif m.kind == "queue":
        out.extend(queue_checks(m, broken))
    else:
        out.extend(_flatline_checks(m, broken))
    return out


def _threshold_checks(m: RuleModel, broken: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    levels = {k: v for k, v in (("warning", m.warning), ("critical", m.critical)) if v is not None}
    if not levels and not broken & {"warning", "critical"}:
        out.append(("warning", f"a {m.kind} rule needs a threshold: warning, critical or both"))
    if m.kind == "rate":
        if m.match is None and "match" not in broken:
            out.append(("match", "a rate rule needs match: the calls it counts among the rest"))
        for key, value in (
            *levels.items(),
            ("recover", m.recover),
            ("recover_critical", m.recover_critical),
        ):
            if value is not None and not 0 < value <= 1:
                out.append(
                    (key, f"{value:g} is not a rate: write a fraction in (0, 1], like 0.08 or '8%'")
                )
    for key, value in (*levels.items(), ("recover", m.recover)):
        if m.kind == "count" and value is not None and value <= 0:
            out.append((key, "must be above 0 (a count of 0 is always reached)"))
    if m.warning is not None and m.critical is not None and m.critical < m.warning:
        out.append(
            (
                "critical",
                f"{m.critical:g} is below warning {m.warning:g}; critical must be at least warning",
            )
        )
    out.extend(_recover_critical_checks(m, levels))
    if m.recover is not None and levels:
        lowest_key = min(levels, key=lambda k: levels[k])
        if m.recover > levels[lowest_key]:
            out.append(
                (
                    "recover",
                    f"{m.recover:g} is above {lowest_key} {levels[lowest_key]:g}; "
                    "an alert resolves below recover, so it must be at most "
                    "the lowest threshold",
                )
            )
    return out


def _recover_critical_checks(m: RuleModel, levels: dict[str, float]) -> list[tuple[str, str]]:
    """Severity hysteresis: recover <= recover_critical <= critical, with both levels set."""
    value = m.recover_critical
    if value is None:
        return []
    if m.warning is None or m.critical is None:
        return [
            (
                "recover_critical",
                "needs both warning and critical: it is where a critical alert goes back "
                "to warning",
            )
        ]
    if m.kind == "rate" and not 0 < value <= 1:
        return []  # reported with the other rate levels
    if value > m.critical:
        return [
            (
                "recover_critical",
                f"{value:g} is above critical {m.critical:g}; a critical alert stays critical "
                "until it falls below recover_critical, so it must be at most critical",
            )
        ]
    recover = m.recover if m.recover is not None else min(levels.values())
    if value < recover:
        return [
            (
                "recover_critical",
                f"{value:g} is below recover {recover:g}; the alert would resolve while "
                "still critical",
            )
        ]
    return []


def _spike_checks(m: RuleModel, broken: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if m.baseline is None and "baseline" not in broken:
        out.append(
            (
                "baseline",
                "a spike rule needs a baseline: 1h (the hour before) "
                "or 7d (the same time a week earlier)",
            )
        )
    if m.factor is None and "factor" not in broken:
        out.append(("factor", "a spike rule needs a factor, like 3 (three times the baseline)"))
    reach = (m.baseline or timedelta(0)) + (m.window or API_WINDOW)
    if m.baseline is not None and reach > DEFAULT_RETENTION:
        out.append(
            (
                "baseline",
                f"{format_duration(m.baseline)} reaches further back than the "
                f"{format_duration(DEFAULT_RETENTION)} of history callbot keeps, so the rule "
                "could never compare; use 7d or less",
            )
        )
    if m.recover is not None and m.factor is not None and not 0 < m.recover <= m.factor:
        out.append(("recover", f"{m.recover:g} must be above 0 and at most factor {m.factor:g}"))
    if m.measure == "rate" and m.among is None and "among" not in broken:
        out.append(("among", "a spike of a rate needs among: the population of the rate"))
    return out


def _flatline_checks(m: RuleModel, broken: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if m.below is None and "below" not in broken:
        out.append(
            (
                "below",
                "a flatline rule needs below: fewer calls than this in the "
                "window fire it (below: 1 means no calls at all)",
            )
        )
    if m.recover is not None and m.below is not None and m.recover < m.below:
        out.append(
            (
                "recover",
                f"{m.recover:g} is under below {m.below}; a flatline resolves "
                "once at least recover calls arrive, so it must be at least below",
            )
        )
    return out


def _filter(model: FilterModel | None) -> CallFilter:
    if model is None:
        return CallFilter()
    return CallFilter(
        types=expand_types(model.type or []), results=expand_results(model.result or [])
    )


def _calendar(m: RuleModel) -> Calendar | None:
    """The rule's own ranges; its operation's holidays are added by `settings.rules_for`."""
    if not m.active:
        return None
    return Calendar(Calendar.parse(m.active).ranges, on_holidays=bool(m.on_holidays))


def _to_spec(m: RuleModel) -> RuleSpec:
    assert m.name is not None and m.kind is not None
    spec = RuleSpec(
        name=m.name,
        kind=RuleKind(m.kind),
        match=_filter(m.match),
        among=_filter(m.among),
        window=m.window or DEFAULT_WINDOW,
        operations=frozenset(m.operations) if m.operations else None,
        min_calls=m.min_calls or 0,
        warning=m.warning,
        critical=m.critical,
        recover=m.recover,
        recover_critical=m.recover_critical,
        for_=m.for_ or 1,
        repeat=m.repeat,
        active=_calendar(m),
        on_holidays=bool(m.on_holidays),
        resolve_when_quiet=m.resolve_when_quiet or DEFAULT_RESOLVE_WHEN_QUIET,
        channel=m.channel,
        mention=m.mention,
        confidence=m.confidence,
        baseline=m.baseline,
        factor=m.factor,
        measure=Measure(m.measure or "count"),
        below=m.below,
        severity=Severity(m.severity or "warning"),
        description=m.description or "",
        opt_in=bool(m.opt_in),
    )
    if m.kind == "queue":
        return replace(spec, **queue_fields(m))
    return replace(spec, **kind_fields(m))

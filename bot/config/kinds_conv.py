"""Checks and conversion of the `budget` and `expected` rule kinds (issue 16).

Kept apart from rules_conv so the older kinds read as before. Each check returns
(field, message) pairs naming the field the way the YAML spells it (`fast.window`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.config.schema import RuleModel, TierModel
from bot.domain.durations import format_duration
from bot.domain.kind_specs import FAST_TIER, SLOW_TIER, BurnTier, Direction, Seasonal
from bot.domain.specs import RuleKind, RuleSpec

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)

BUDGET_CONFIDENCE = 0.9
"""A budget rule judges its long windows by the Wilson lower bound at this confidence."""


def budget_checks(m: RuleModel, broken: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if m.objective is None and "objective" not in broken:
        out.append(
            (
                "objective",
                "a budget rule needs an objective: the share of match among among allowed "
                "over the business day, like '5%'",
            )
        )
    elif m.objective is not None and not 0 < m.objective < 1:
        out.append(("objective", f"{m.objective:g} is not a share: write it like 0.05 or '5%'"))
    for key in ("match", "among"):
        if getattr(m, key) is None and key not in broken:
            out.append(
                (key, f"a budget rule needs {key}: the objective is the share of match among among")
            )
    if "window" in m.model_fields_set:
        out.append(
            (
                "window",
                "does not apply to a budget rule; its tiers have their own windows "
                "(fast: {window: 1h, short: 5m}, slow: {window: 4h, short: 20m})",
            )
        )
    for name, model in (("fast", m.fast), ("slow", m.slow)):
        if model is not None:
            out.extend(_tier_checks(name, model))
    if m.recover is not None and not m.recover > 0:
        out.append(("recover", "must be a burn rate above 0, like 1 (the sustainable pace)"))
    out.extend(_budget_recover_critical_checks(m))
    return out


def _budget_recover_critical_checks(m: RuleModel) -> list[tuple[str, str]]:
    """A burn rate above 0, not below `recover` (the alert would resolve still critical).
    Its ceiling, the fast tier's own level, depends on the length of each business day,
    so it is not checked here: a level at or above it never holds anything."""
    value = m.recover_critical
    if value is None:
        return []
    if not value > 0:
        return [("recover_critical", "must be a burn rate above 0, like 1.5")]
    if m.recover is not None and m.recover > 0 and value < m.recover:
        return [
            (
                "recover_critical",
                f"{value:g} is below recover {m.recover:g}; the alert would resolve while "
                "still critical",
            )
        ]
    return []


def _tier_checks(name: str, t: TierModel) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    default = FAST_TIER if name == "fast" else SLOW_TIER
    window, short = t.window or default.window, t.short or default.short
    if t.spend is not None and not 0 < t.spend <= 1:
        out.append((f"{name}.spend", f"{t.spend:g} is not a share of the day's budget: like '20%'"))
    for key, value in (("window", t.window), ("short", t.short)):
        if value is not None and (value < _MINUTE or value % _MINUTE or value > _DAY):
            out.append((f"{name}.{key}", "must be whole minutes, from 1m to 1d"))
    if short >= window:
        out.append(
            (
                f"{name}.short",
                f"{format_duration(short)} is not shorter than window {format_duration(window)}; "
                "the short window makes the alert stop soon after the burning stops",
            )
        )
    return out


def expected_checks(m: RuleModel, broken: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if m.match is None and "match" not in broken:
        out.append(("match", "an expected rule needs match: the calls whose count it expects"))
    chance = m.chance if m.chance is not None else Seasonal().chance
    if m.chance is not None and not 0 < m.chance < 0.5:
        out.append(
            (
                "chance",
                f"{m.chance:g} is not a small probability: write it like 0.0001 or '0.01%' "
                "(fire when a count this far from the usual is less likely than this)",
            )
        )
    if m.recover is not None and not chance <= m.recover < 1:
        out.append(
            (
                "recover",
                f"{m.recover:g} must be a probability from chance {chance:g} up to 1: a firing "
                "alert resolves once its count is at least this likely",
            )
        )
    if m.weeks is not None and m.weeks > 5:
        out.append(("weeks", f"{m.weeks} weeks is more history than callbot keeps (at most 5)"))
    if m.window is not None and m.window > timedelta(hours=2):
        out.append(("window", "must be at most 2h: a slot's count, compared with the same slot"))
    return out


def _tier(default: BurnTier, model: TierModel | None) -> BurnTier:
    if model is None:
        return default
    return replace(
        default,
        spend=model.spend if model.spend is not None else default.spend,
        window=model.window or default.window,
        short=model.short or default.short,
        min_calls=model.min_calls if model.min_calls is not None else default.min_calls,
    )


def kind_fields(m: RuleModel) -> dict[str, Any]:
    """The RuleSpec fields of a budget or expected rule (none for the other kinds).

    A budget rule's `window` is its fast tier's short window (what the coverage check
    and the sparkline read) and its `min_calls` the smallest tier guard (what a quiet
    message quotes)."""
    if m.kind == "budget":
        tiers = (_tier(FAST_TIER, m.fast), _tier(SLOW_TIER, m.slow))
        return {
            "objective": m.objective,
            "tiers": tiers,
            "window": tiers[0].short,
            "min_calls": min(t.min_calls for t in tiers),
            "confidence": m.confidence if m.confidence is not None else BUDGET_CONFIDENCE,
        }
    if m.kind == "expected":
        d = Seasonal()
        return {
            "seasonal": Seasonal(
                direction=Direction(m.direction or d.direction),
                chance=m.chance if m.chance is not None else d.chance,
                min_difference=(
                    m.min_difference if m.min_difference is not None else d.min_difference
                ),
                min_expected=float(m.min_expected if m.min_expected is not None else 20),
                weeks=m.weeks or d.weeks,
            ),
            "window": m.window or timedelta(minutes=15),
        }
    return {}


def describe_kind(rule: RuleSpec) -> str:
    """A budget or expected rule's levels in a few words, for check-config:
    `5%/day fast 20% in 1h+5m min 30, slow 50% in 4h+20m min 60 @90% conf`."""
    if rule.seasonal is not None:
        s = rule.seasonal
        return (
            f"{s.direction} p<{s.chance:g} diff>={s.min_difference} usual>={s.min_expected:g} "
            f"over {s.weeks} weeks ({rule.severity})"
        )
    tiers = ", ".join(
        f"{t.name} {t.spend:.0%} in {format_duration(t.window)}+{format_duration(t.short)} "
        f"min {t.min_calls}"
        for t in rule.tiers
    )
    conf = f" @{rule.confidence:.0%} conf" if rule.confidence is not None else ""
    if rule.recover_critical is not None:
        conf += f" crit until < {rule.recover_critical:g}x"
    if rule.recover is not None:
        conf += f" recover {rule.recover:g}x"
    return f"{(rule.objective or 0):.1%}/day ".replace(".0%", "%") + tiers + conf


def history_notes(rules: tuple[RuleSpec, ...], history_days: int) -> list[str]:
    """What each expected rule can learn from `history_days` of kept history: it needs
    7 x weeks + 1 days for its minute-of-week samples (else it falls back to comparable
    days) and 3 weeks + 1 day before a Saturday or Sunday has 3 samples of its own kind."""
    out: list[str] = []
    for rule in rules:
        if rule.kind is not RuleKind.EXPECTED or rule.seasonal is None:
            continue
        s = rule.seasonal
        needed = 7 * s.weeks + 1
        weekend = 7 * s.min_samples + 1
        if history_days >= needed:
            out.append(
                f"  {rule.name}: history_days {history_days} covers its {s.weeks} weeks of "
                f"the same minute-of-week ({needed} days)"
            )
            continue
        text = (
            f"  {rule.name}: {s.weeks} weeks of the same minute-of-week need history_days "
            f">= {needed}, but history_days is {history_days}: it compares with the same "
            "time on the last comparable days instead"
        )
        if history_days < weekend:
            text += (
                f", and stays quiet on Saturdays and Sundays (they need {weekend} days to "
                f"have {s.min_samples} of their own)"
            )
        out.append(text)
    return out

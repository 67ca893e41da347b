"""What a `budget` or an `expected` rule says, in the reader's language (issue 16).

A budget rule speaks of the supervisor's day: "Today 6.1% abandon (target 5%); at the
last hour's pace the day closes at 7.2%; budget spent by 15:40". An expected rule of
the usual count of the slot: "12 inbound calls in 15 min; a Tuesday 10:00 usually
brings 85 (chance below 1 in 10,000)". Both are built from the evaluation's named
numbers (`AlertMessageView.facts`), never from the domain's English detail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bot.adapters.slack.blocks_kit import EMPTY
from bot.adapters.slack.blocks_queue_rule import QUEUE, queue_value_line
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import (
    TIMES,
    format_age,
    format_decimal,
    format_number,
    format_percent,
)
from bot.adapters.slack.wording import local_time
from bot.services.views.alert import AlertMessageView

__all__ = ["KINDS", "budget_day_line", "kind_evidence", "kind_value_line"]

BUDGET, EXPECTED = "budget", "expected"
KINDS = frozenset({BUDGET, EXPECTED, QUEUE})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _facts(view: AlertMessageView) -> Mapping[str, float]:
    return dict(view.facts)


def _times(tr: Translator, value: float) -> str:
    return TIMES + format_decimal(value, tr.lang, 1).removesuffix(".0").removesuffix(",0")


def _measure(tr: Translator, label: str, calls: int) -> str:
    """What the budget counts, agreeing with the day's `calls` (Spanish: `abandonada` of
    one call, `abandonadas` of many)."""
    if not label.strip():
        return tr.n("kinds.budget.matching", calls)
    return " + ".join(tr.result(part, calls) for part in label.split(" + "))


def budget_day_line(
    tr: Translator,
    facts: Mapping[str, float],
    *,
    measure_label: str,
    tz: str,
    as_of: datetime,
) -> str:
    """`Today 6.1% abandon (target 5%); at the last hour's pace the day closes at 7.2%;
    budget spent by 15:40` (also what `/calls status` shows of a budget rule)."""
    objective = format_percent(facts.get("objective", 0.0), tr.lang, trim=True)
    population = facts.get("day_population", 0.0)
    if population <= 0:
        return tr("kinds.budget.no_calls", objective=objective)
    rate = format_percent(facts.get("day_matched", 0.0) / population, tr.lang)
    calls = int(population)
    parts = [
        tr.n(
            "kinds.budget.day",
            calls,
            rate=rate,
            measure=_measure(tr, measure_label, calls),
            objective=objective,
            calls=format_number(calls, tr.lang),
        )
    ]
    if "projected" in facts:
        parts.append(tr("kinds.budget.pace", projected=format_percent(facts["projected"], tr.lang)))
    spent = facts.get("spent_at")
    if spent is None:
        parts.append(tr("kinds.budget.lasts"))
    else:
        at = _EPOCH + timedelta(seconds=spent)
        key = "kinds.budget.spent" if at <= as_of else "kinds.budget.spent_by"
        parts.append(tr(key, at=local_time(at, tz, as_of)))
    return "; ".join(parts)


def _slot(tr: Translator, facts: Mapping[str, float], tz_time: str) -> str:
    weekday = int(facts.get("weekday", 0))
    if facts.get("by_week", 0.0) or weekday >= 5:
        day = tr(f"kinds.day.{weekday}")
    else:
        day = tr("kinds.day.weekday")
    return tr("kinds.expected.slot", day=day, time=tz_time)


def _odds(limit: float) -> str:
    return f"{round(1 / limit):,}" if limit > 0 else EMPTY


def kind_value_line(tr: Translator, view: AlertMessageView) -> str:
    """The main line of a budget, expected or queue rule, or why it cannot judge."""
    if view.rule_kind == QUEUE:
        return queue_value_line(tr, view)
    facts = _facts(view)
    if view.rule_kind == BUDGET:
        if not facts:
            return ""
        line = budget_day_line(
            tr, facts, measure_label=view.measure_label, tz=view.tz, as_of=view.as_of
        )
        return line[:1].upper() + line[1:]
    if "expected" not in facts:
        return tr("kinds.expected.no_history") if view.status == "quiet" else ""
    expected = format_number(round(facts["expected"]), tr.lang)
    if view.value is None:
        return tr(
            "kinds.expected.small",
            expected=expected,
            minimum=format_number(round(facts.get("min_expected", 0.0)), tr.lang),
        )
    start = view.as_of - (view.window or timedelta(0))
    label = view.population_label.strip().lower()
    key = f"pop.{label}" if label in {"inbound", "outbound"} else "pop.all"
    observed = tr.n(key, round(view.value))
    line = tr(
        "kinds.expected.line",
        observed=observed,
        window=format_age(view.window) if view.window is not None else EMPTY,
        slot=_slot(tr, facts, local_time(start, view.tz)),
        expected=expected,
    )
    chance = facts.get("chance")
    limit = facts.get("limit", 0.0)
    if view.status in ("breach", "band") and chance is not None and limit > 0:
        odds = _odds(limit).replace(",", "." if tr.lang == "es" else ",")
        line += " " + tr("kinds.expected.chance", odds=odds)
    return line


def kind_evidence(tr: Translator, view: AlertMessageView) -> str:
    """The numbers behind a budget alert: how fast it burns against its tier's level, and,
    for a critical alert held by `recover_critical` under that level, until when."""
    if view.rule_kind != BUDGET or view.value is None or view.threshold is None:
        return ""
    line = tr.n(
        "kinds.budget.burn",
        view.population or 0,
        burn=_times(tr, view.value),
        severity=tr.severity(view.severity or "warning"),
        threshold=_times(tr, view.threshold),
        calls=format_number(view.population or 0, tr.lang),
    )
    compared = view.compared if view.compared is not None else view.value
    held = view.severity == "critical" and view.status in ("breach", "band")
    if held and view.recover is not None and compared < view.threshold:
        severity = tr.severity("critical")
        line += ", " + tr("detail.holds", severity=severity, recover=_times(tr, view.recover))
    return line

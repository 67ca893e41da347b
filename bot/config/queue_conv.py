"""Checks and conversion of the `queue` rule kind (issue 15).

A queue rule reads Wolkvox's `skills` snapshot, not calls: `match`, `among` and
`window` do not apply to it. Its levels read in the metric's own direction: a
service level is worse the LOWER it is (critical at most warning, `recover` at
least warning), waiting and abandon rate the higher. Each check returns
(field, message) pairs naming the field the way the YAML spells it.
"""

from __future__ import annotations

from typing import Any

from bot.config.schema import RuleModel
from bot.domain.kind_specs import QueueJudge, QueueMetric, QueueScope
from bot.domain.specs import RuleSpec

_NOT_CALLS = "does not apply to a queue rule: it reads Wolkvox's skills snapshot, not calls"
_METRICS = "service_level, waiting or abandon_rate"


def _levels(m: RuleModel) -> dict[str, float]:
    written = (
        ("warning", m.warning),
        ("critical", m.critical),
        ("recover", m.recover),
        ("recover_critical", m.recover_critical),
    )
    return {key: value for key, value in written if value is not None}


def queue_checks(m: RuleModel, broken: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key in ("match", "among", "window"):
        if key in m.model_fields_set and getattr(m, key) is not None:
            out.append((key, _NOT_CALLS))
    if m.metric is None:
        if "metric" not in broken:
            out.append(("metric", f"a queue rule needs a metric: {_METRICS}"))
        return out
    if m.warning is None and m.critical is None and not broken & {"warning", "critical"}:
        out.append(("warning", "a queue rule needs a threshold: warning, critical or both"))
    levels = _levels(m)
    if m.metric == "waiting":
        for key, value in levels.items():
            if value <= 0:
                out.append((key, "must be above 0: a number of callers waiting"))
    else:
        bad = {k for k, v in levels.items() if not 0 < v <= 1}
        for key in bad:
            out.append(
                (
                    key,
                    f"{levels[key]:g} is not a share: write {m.metric} levels as a fraction in "
                    "(0, 1], like 0.8 or '80%'",
                )
            )
        if bad:
            return out
    out.extend(_order_checks(m, low=m.metric == "service_level"))
    return out


def _order_checks(m: RuleModel, *, low: bool) -> list[tuple[str, str]]:
    """critical past warning, recover on the good side of the mildest threshold, and
    recover_critical between them, all in the metric's own direction."""
    worse, better = ("below", "above") if low else ("above", "below")

    def past(a: float, b: float) -> bool:
        """`a` is strictly worse than `b`."""
        return a < b if low else a > b

    out: list[tuple[str, str]] = []
    warning, critical, recover = m.warning, m.critical, m.recover
    if warning is not None and critical is not None and past(warning, critical):
        out.append(
            (
                "critical",
                f"{critical:g} is {better} warning {warning:g}; {m.metric} is worse the "
                f"{'lower' if low else 'higher'} it is, so critical must be at or {worse} warning",
            )
        )
    mildest = warning if warning is not None else critical
    if recover is not None and mildest is not None and past(recover, mildest):
        out.append(
            (
                "recover",
                f"{recover:g} is {worse} the mildest threshold {mildest:g}; an alert resolves "
                f"once {m.metric} is {better} recover, so recover must be at or {better} it",
            )
        )
    value = m.recover_critical
    if value is None:
        return out
    if warning is None or critical is None:
        out.append(
            (
                "recover_critical",
                "needs both warning and critical: it is where a critical alert goes back "
                "to warning",
            )
        )
    elif past(value, critical):
        out.append(
            (
                "recover_critical",
                f"{value:g} is {worse} critical {critical:g}; a critical alert stays critical "
                f"until {m.metric} is {better} recover_critical, so it must be at or {better} "
                "critical",
            )
        )
    elif past(recover if recover is not None else warning, value):
        out.append(
            (
                "recover_critical",
                f"{value:g} is {better} recover {recover if recover is not None else warning:g}; "
                "the alert would resolve while still critical",
            )
        )
    return out


def queue_fields(m: RuleModel) -> dict[str, Any]:
    """The RuleSpec fields of a queue rule."""
    assert m.metric is not None
    return {
        "queue": QueueJudge(
            metric=QueueMetric(m.metric),
            queues=tuple(dict.fromkeys(m.queues or ())),
            scope=QueueScope.TOGETHER if m.together else QueueScope.EACH,
        )
    }


def _num(value: float, as_rate: bool) -> str:
    return f"{value:.1%}".replace(".0%", "%") if as_rate else f"{value:g}"


def describe_queue(rule: RuleSpec) -> str:
    """A queue rule's levels in a few words, for check-config:
    `service_level < warn 80% crit 60% recover 85% min 20 on each queue`."""
    judge = rule.queue
    assert judge is not None
    as_rate = judge.metric is not QueueMetric.WAITING
    sign = "<" if judge.metric.low_is_worse else ">="
    levels = [
        f"{label} {_num(value, as_rate)}"
        for label, value in (("warn", rule.warning), ("crit", rule.critical))
        if value is not None
    ]
    text = f"{judge.metric} {sign} " + " ".join(levels)
    if rule.recover is not None:
        text += f" recover {_num(rule.recover, as_rate)}"
    if rule.min_calls:
        text += f" min {rule.min_calls}"
    names = ", ".join(judge.queues)
    if judge.scope is QueueScope.TOGETHER:
        return text + (f" on {names} together" if names else " on all queues together")
    return text + (f" on each of {names}" if names else " on each queue")

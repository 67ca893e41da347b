"""Why an alert reads as it does, in the reader's language.

The domain explains every evaluation in an English sentence (`Evaluation.detail`)
for the logs. A message must speak the configured language with its number
format, so these lines are built again from the evaluation's numbers carried
by the view: the evidence behind a value (12 of 80 calls, the lower bound of a
rate and its confidence, how far from recovery), why there is no value (on hold,
too few calls, outside active hours), and what the built-in unavailable rule
knows (how old the data is, how many polls failed, the last error).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.adapters.slack.blocks_kinds import KINDS, kind_evidence
from bot.adapters.slack.blocks_kit import EMPTY
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import (
    TIMES,
    format_age,
    format_decimal,
    format_number,
    format_percent,
    safe,
)
from bot.adapters.slack.wording import error_text, format_value, local_time
from bot.services.views.alert import AlertMessageView, Unit

__all__ = [
    "UNAVAILABLE_KIND",
    "description",
    "evidence_line",
    "level_text",
    "outside_line",
    "quiet_line",
    "quiet_reason",
    "reason_line",
    "threshold_label",
    "unavailable_evidence",
    "unavailable_line",
]

UNAVAILABLE_KIND = "unavailable"
"""`rule_kind` of the built-in rule whose value is the age of the data in seconds."""

_BREACH = "breach"
_BAND = "band"
_QUIET = "quiet"
_HELD = "held"
_CLEAR = "clear"
_ERROR_LIMIT = 500


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text and text[0].isalpha() else text


def _window(view: AlertMessageView, lang: str) -> str:
    return format_age(view.window, lang) if view.window is not None else EMPTY


def level_text(tr: Translator, value: float, unit: Unit | str) -> str:
    """A threshold-like level as thresholds read: `15%`, `3 times`, `10`."""
    if unit == Unit.RATE:
        return format_percent(value, tr.lang, trim=True)
    if unit == Unit.RATIO:
        return TIMES + format_decimal(value, tr.lang, 1).removesuffix(".0").removesuffix(",0")
    return format_value(value, unit, tr.lang)


def evidence_line(tr: Translator, view: AlertMessageView) -> str:
    """The numbers behind a value: `12 of 80 in 10 min, lower bound 9.3% at 90%
    confidence`. Empty when the main line already says everything (a count)."""
    if view.rule_kind == UNAVAILABLE_KIND:
        return unavailable_evidence(tr, view)
    if view.rule_kind in KINDS:
        return kind_evidence(tr, view)
    if view.value is None:
        return ""
    parts: list[str] = []
    if view.unit == Unit.RATE and view.matched is not None and view.population is not None:
        parts.append(
            tr(
                "detail.share",
                matched=format_number(view.matched, tr.lang),
                population=format_number(view.population, tr.lang),
                window=_window(view, tr.lang),
            )
        )
        if view.confidence is not None and view.compared is not None:
            parts.append(
                tr(
                    "detail.bound",
                    bound=format_percent(view.compared, tr.lang),
                    confidence=format_percent(view.confidence, tr.lang, trim=True),
                )
            )
    elif view.unit == Unit.RATIO and view.matched is not None:
        parts.append(
            tr.n(
                "detail.matched",
                view.matched,
                matched=format_number(view.matched, tr.lang),
                window=_window(view, tr.lang),
            )
        )
    if view.status == _BAND or _kept(view):
        parts.append(_recovery(tr, view))
    return _upper_first(", ".join(p for p in parts if p))


def _compared(view: AlertMessageView) -> float | None:
    return view.compared if view.compared is not None else view.value


def _kept(view: AlertMessageView) -> bool:
    """A severity held by hysteresis: shown with its own threshold, which the value
    (or the bound it is judged by) no longer reaches. Never a CLEAR evaluation: that
    one is below its recovery level (it is recovering or resolved it)."""
    compared = _compared(view)
    return (
        view.status != _CLEAR
        and not view.below
        and view.threshold is not None
        and compared is not None
        and compared < view.threshold
    )


def _recovery(tr: Translator, view: AlertMessageView) -> str:
    """Still firing between the recover level and the threshold (hysteresis)."""
    recover = view.recover if view.recover is not None else view.threshold
    if recover is None:
        return ""
    if view.below:
        return tr("detail.recover_flat", recover=format_decimal(recover, tr.lang, 0))
    if view.severity == "critical" and _kept(view):
        return tr(
            "detail.holds",
            severity=tr.severity("critical"),
            recover=level_text(tr, recover, view.unit),
        )
    return tr("detail.recover_rise", recover=level_text(tr, recover, view.unit))


def threshold_label(tr: Translator, view: AlertMessageView) -> str | None:
    """The label of a value judged below `recover`: `recovered below 6%` once resolved,
    `below 6%: 1 of 2 evaluations to resolve` while it still fires. None otherwise: the
    severity's own threshold labels the value.

    A rate judged by its lower bound can recover while the raw rate shown is still
    above the level (14.5% of 55 calls, bound 7.6%, recover 10%): the label then names
    the bound, so that it never reads "14.5%; recovered below 10%"."""
    if view.status != _CLEAR or view.below or view.recover is None:
        return None
    level = level_text(tr, view.recover, view.unit)
    above = view.value is not None and view.value >= view.recover
    bound = view.compared if above else None
    by_bound = bound is not None
    args = {"value": level}
    if bound is not None:
        args["bound"] = format_percent(bound, tr.lang)
    if view.resolved:
        return tr("threshold.recovered_bound" if by_bound else "threshold.recovered", **args)
    return tr(
        "threshold.recovering_bound" if by_bound else "threshold.recovering",
        clears=format_number(view.clears, tr.lang),
        needed=format_number(view.needed, tr.lang),
        **args,
    )


def reason_line(tr: Translator, view: AlertMessageView) -> str:
    """Why an alert has no value: on hold (Wolkvox down, a polling gap) or not
    evaluable (outside active hours, too few calls, no baseline yet)."""
    if view.status == _HELD:
        if view.coverage is None:
            return tr("detail.held")
        return tr(
            "detail.polling_gap",
            coverage=format_percent(view.coverage, tr.lang, 0),
            window=_window(view, tr.lang),
        )
    if view.status != _QUIET:
        return ""
    if view.opened_at is not None and view.window is not None:
        return tr(
            "detail.opening",
            window=_window(view, tr.lang),
            opened=local_time(view.opened_at, view.tz),
            at=local_time(view.opened_at + view.window, view.tz),
        )
    if view.matched is None:
        return tr("detail.outside_hours")
    for count in (view.population, view.matched):
        if count is not None and count < view.min_calls:
            return tr(
                "detail.too_few",
                count=format_number(count, tr.lang),
                minimum=format_number(view.min_calls, tr.lang),
            )
    if view.population == 0:
        return tr("detail.no_calls", window=_window(view, tr.lang))
    return tr("detail.no_baseline")


def quiet_line(tr: Translator, view: AlertMessageView) -> str:
    """Why a firing alert cannot be judged now, and that it stays open meanwhile."""
    quiet = view.quiet
    if quiet is None:
        return ""
    reason = quiet_reason(tr, view)
    if view.resolved:
        return reason
    return tr("alert.quiet", reason=reason, since=local_time(quiet.since, view.tz, view.as_of))


def quiet_reason(tr: Translator, view: AlertMessageView) -> str:
    """The reason of the last evaluation that could not judge (too few calls, on hold...)."""
    quiet = view.quiet
    if quiet is None:
        return ""
    as_quiet = replace(
        view,
        status=quiet.status,
        value=None,
        matched=quiet.matched,
        population=quiet.population,
        coverage=quiet.coverage,
        opened_at=quiet.opened_at,
    )
    return reason_line(tr, as_quiet)


def outside_line(tr: Translator, view: AlertMessageView) -> str:
    """A firing alert muted because its active hours ended."""
    if view.outside_since is None or view.resolved:
        return ""
    return tr("alert.outside_hours", since=local_time(view.outside_since, view.tz, view.as_of))


def _age(seconds: float, lang: str) -> str:
    return format_age(timedelta(seconds=seconds), lang)


def unavailable_line(tr: Translator, view: AlertMessageView) -> str:
    """The built-in rule's main line: how old the data is (its value is an age)."""
    if view.value is None:
        return tr("unavailable.never")
    if view.status == _BREACH or view.status == "":
        limit = _age(view.threshold, tr.lang) if view.threshold is not None else EMPTY
        return tr("unavailable.stale", age=_age(view.value, tr.lang), limit=limit)
    return tr("unavailable.fresh", age=_age(view.value, tr.lang))


def unavailable_evidence(tr: Translator, view: AlertMessageView) -> str:
    """Failed polls in a row and the last error; without the polling state, where to look."""
    if view.resolved:
        return ""
    if view.failures is None:
        return tr("unavailable.see_status")
    parts = []
    if view.failures:
        parts.append(tr.n("unavailable.failures", view.failures))
    if view.error:
        error = error_text(tr, view.error_kind, view.error, _ERROR_LIMIT)
        parts.append(tr("stale_error", error=error))
    return " · ".join(parts)


def description(tr: Translator, view: AlertMessageView) -> str:
    """The rule's description: the configuration's own words, or, for the built-in
    unavailable rule (whose words the bot wrote), the bot's words in the reader's language."""
    if view.rule_kind == UNAVAILABLE_KIND:
        return tr("unavailable.description")
    return safe(tr.description(view.description), 300)

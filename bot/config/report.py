"""What `callbot check-config` prints: operations, rules and the budget, as aligned text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.config.budget import token_budgets
from bot.config.kinds_conv import describe_kind, history_notes
from bot.config.model import Settings
from bot.config.queue_conv import describe_queue
from bot.config.request_policy import request_policy
from bot.domain.calls import NETWORK_FAILURE_RESULTS, OUTBOUND_TYPES
from bot.domain.durations import format_duration
from bot.domain.specs import CallFilter, RuleKind, RuleSpec


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    """Left-aligned columns separated by two spaces, no trailing blanks."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = []
    for row in (headers, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return "\n".join(lines)


def _names(values: frozenset[str], group: frozenset[str], alias: str) -> str:
    """Sorted values, with a complete alias group shown by its alias (`outbound`)."""
    if group <= values:
        return ",".join([alias, *sorted(values - group)])
    return ",".join(sorted(values))


def _filter_text(flt: CallFilter) -> str:
    parts = []
    if flt.types:
        parts.append("type " + _names(flt.types, OUTBOUND_TYPES, "outbound"))
    if flt.results:
        parts.append("result " + _names(flt.results, NETWORK_FAILURE_RESULTS, "network"))
    return " ".join(parts) or "all calls"


def _matches(rule: RuleSpec) -> str:
    text = _filter_text(rule.match)
    if rule.among.types or rule.among.results:
        text += f" among {_filter_text(rule.among)}"
    return text


def _num(value: float, as_rate: bool) -> str:
    return f"{value:.1%}".replace(".0%", "%") if as_rate else f"{value:g}"


def thresholds(rule: RuleSpec) -> str:
    """A rule's firing levels in a few words: 'warn 8% crit 15% recover 6%'."""
    if rule.kind is RuleKind.FLATLINE:
        text = f"< {rule.below} calls ({rule.severity})"
        return text + (f" recover {rule.recover:g}" if rule.recover is not None else "")
    if rule.kind in (RuleKind.BUDGET, RuleKind.EXPECTED):
        return describe_kind(rule)
    if rule.kind is RuleKind.QUEUE:
        return describe_queue(rule)
    if rule.kind is RuleKind.SPIKE:
        base = format_duration(rule.baseline) if rule.baseline else "?"
        text = f"{rule.factor:g}x {rule.measure} vs {base} ({rule.severity})"
    else:
        as_rate = rule.kind is RuleKind.RATE
        levels = [
            f"{label} {_num(value, as_rate)}"
            for label, value in (("warn", rule.warning), ("crit", rule.critical))
            if value is not None
        ]
        text = " ".join(levels)
        if rule.recover_critical is not None:
            text += f" crit until < {_num(rule.recover_critical, as_rate)}"
        if rule.recover is not None:
            text += f" recover {_num(rule.recover, as_rate)}"
        if rule.confidence is not None:
            text += f" @{rule.confidence:.0%} conf"
    if rule.min_calls:
        text += f" min {rule.min_calls}"
    return text


def _active(rule: RuleSpec) -> str:
    text = " + ".join(r.text for r in rule.active.ranges) if rule.active else ""
    if rule.on_holidays:
        text += (", " if text else "always, ") + "on holidays too"
    return text or "always"


UPCOMING_HOLIDAYS = 5


def holiday_lines(settings: Settings, today: date) -> list[str]:
    """Per operation with holidays: where they come from and the next ones honoured."""
    lines = []
    for op in settings.operations:
        if not op.holidays.days:
            continue
        upcoming = op.holidays.upcoming(today, UPCOMING_HOLIDAYS)
        lines.append(f"  {op.name} ({op.holidays.source}): next {len(upcoming)}")
        lines += [f"    {day.isoformat()} {day.strftime('%a')}  {name}" for day, name in upcoming]
    return lines


def _operations(rule: RuleSpec) -> str:
    if rule.operations is None:
        return "all"
    names = ",".join(sorted(rule.operations))
    if rule.opt_in:
        return names or "none (opt-in)"
    return names


def rules_table(rules: Sequence[RuleSpec]) -> str:
    headers = ("name", "kind", "operations", "matches", "window", "thresholds", "for", "active")
    rows = [
        (
            rule.name,
            str(rule.kind),
            _operations(rule),
            "queues (skills)" if rule.kind is RuleKind.QUEUE else _matches(rule),
            "snapshot" if rule.kind is RuleKind.QUEUE else format_duration(rule.window),
            thresholds(rule),
            str(rule.for_),
            _active(rule),
        )
        for rule in rules
    ]
    return table(headers, rows)


def operations_table(settings: Settings) -> str:
    headers = ("name", "server", "timezone", "licences", "poll every", "channel")
    rows = [
        (
            op.name,
            op.server,
            op.timezone.key,
            str(op.licenses),
            format_duration(op.poll_every),
            op.channel,
        )
        for op in settings.operations
    ]
    return table(headers, rows)


def render_report(settings: Settings, today: date | None = None) -> str:
    """The full check-config report of a valid configuration; `today` (default: the
    local date) picks the next holidays shown."""
    source = "shipped defaults + " if settings.use_default_rules else ""
    budgets = token_budgets(settings.operations, policy=request_policy(settings))
    budget_lines = [f"  {op.name}: {budgets[op.name].explain()}" for op in settings.operations]
    holidays = holiday_lines(settings, today or date.today())
    if holidays:
        title = "Holidays (outside active hours unless a rule says on_holidays: true)"
        holidays = ["", title, *holidays]
    history = history_notes(settings.rules, settings.history_days)
    if history:
        history = ["", "History for expected rules (per-minute counts the store keeps)", *history]
    return "\n".join(
        [
            f"{settings.source}: valid",
            "",
            f"Operations ({len(settings.operations)})",
            operations_table(settings),
            "",
            f"Rules ({len(settings.rules)}: {source}this file; plus the built-in "
            "wolkvox-unavailable on every operation)",
            rules_table(settings.rules),
            "",
            "Daily API budget (licences x 1,000 calls a day, shared with other integrations)",
            *budget_lines,
            *holidays,
            *history,
        ]
    )

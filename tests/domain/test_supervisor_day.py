"""A supervisor's day, poll by poll: real evaluations of a real call log step the alert.

Each row is a rule and the polls of a day (local Bogota time, the calls that arrived
since the poll before); the expected column is what the alert did at each poll,
`state reason notify`, plus `mention` when the rule's mention pings. These are the
behaviours of the README's rule reference: severity hysteresis, one ping per
escalation, quiet is not resolved, active hours mute, windows begin at opening,
holidays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from bot.domain.alerts import Alert, Decision, Resolution, step
from bot.domain.calendar import Calendar
from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord
from bot.domain.rules import evaluate
from bot.domain.specs import CallFilter, RuleKind, RuleSpec, Severity

BOGOTA = ZoneInfo("America/Bogota")  # UTC-5 all year
TUESDAY = date(2026, 11, 24)
OP = "bogota"
INBOUND = CallFilter(types=frozenset({"inbound"}))
ABANDON = CallFilter(results=frozenset({"abandon"}))
MENTION = "<!subteam^S0123>"
_ids = count()

ABANDON_RATE = RuleSpec(
    name="abandon-rate",
    kind=RuleKind.RATE,
    match=ABANDON,
    among=INBOUND,
    min_calls=20,
    warning=0.08,
    critical=0.15,
    recover=0.06,
    mention=MENTION,
)
BOUNDED = replace(ABANDON_RATE, confidence=0.9)
NO_HYSTERESIS = replace(ABANDON_RATE, recover_critical=0.15)
FOR2 = replace(ABANDON_RATE, for_=2)
OFFICE = replace(
    ABANDON_RATE, active=Calendar.parse("mon-fri 08:00-18:00"), repeat=timedelta(minutes=30)
)
FLATLINE = RuleSpec(
    name="inbound-flatline",
    kind=RuleKind.FLATLINE,
    match=INBOUND,
    window=timedelta(minutes=15),
    below=1,
    severity=Severity.CRITICAL,
    active=Calendar.parse("mon-fri 08:00-18:00"),
    mention=MENTION,
)
ON_HOLIDAY = replace(FLATLINE, active=FLATLINE.active and FLATLINE.active.with_holidays(
    frozenset({TUESDAY})
))  # fmt: skip
ON_HOLIDAYS_TRUE = replace(
    FLATLINE,
    on_holidays=True,
    active=Calendar(FLATLINE.active.ranges if FLATLINE.active else (), on_holidays=True),
)


@dataclass(frozen=True)
class Poll:
    """A poll at `at` (`'10:00'` on Tuesday, `'wed 08:10'`) that brought `answered` and
    `abandoned` inbound calls; `failed` polls bring nothing and cover nothing."""

    at: str
    answered: int = 0
    abandoned: int = 0
    failed: bool = False


def local(text: str) -> datetime:
    day = TUESDAY
    if " " in text:
        name, text = text.split()
        day += timedelta(days=("tue", "wed", "thu").index(name))
    hours, minutes = (int(p) for p in text.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=BOGOTA).astimezone(UTC)


def _calls(n: int, result: str, at: datetime) -> list[CallRecord]:
    return [CallRecord(f"c{next(_ids)}", at, "inbound", result) for _ in range(n)]


def run_day(spec: RuleSpec, polls: list[Poll]) -> list[Decision]:
    log, alert, decisions = CallLog(), Alert.new(spec.name, OP), []
    covered_from: datetime | None = None
    for poll in polls:
        now = local(poll.at)
        if not poll.failed:
            when = now - timedelta(minutes=1)
            records = _calls(poll.answered, "answer", when) + _calls(
                poll.abandoned, "abandon", when
            )
            start = covered_from or now - timedelta(hours=2)
            log.ingest(OP, records, now=now, covered_from=start)
            covered_from = now
        else:
            covered_from = None
        current = alert.severity if alert.firing else None
        evaluation = evaluate(spec, OP, log, now=now, tz=BOGOTA, current=current)
        decision = step(alert, evaluation, spec, silence=None, now=now)
        decisions.append(decision)
        alert = decision.alert
    return decisions


def outcome(decision: Decision) -> str:
    text = f"{decision.alert.state} {decision.reason} {decision.notify}"
    return text + (" mention" if decision.mention else "")


P = Poll
FIRST_MENTION = "firing first post mention"
UPDATE = "firing updated update"
NOTHING = "firing none none"

DAYS: list[tuple[str, RuleSpec, list[Poll], list[str]]] = [
    (
        "raw 21%/19% (bound 15.1%/13.4%) stays critical: one ping, edits only",
        BOUNDED,
        [P("10:00", 79, 21), P("10:10", 81, 19), P("10:20", 79, 21), P("10:30", 81, 19)],
        [FIRST_MENTION, UPDATE, UPDATE, UPDATE],
    ),
    (
        "10% after 20% stays critical (recover_critical defaults to warning)",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10", 90, 10), P("10:20", 93, 7), P("10:30", 80, 20)],
        [FIRST_MENTION, UPDATE, "firing deescalated update",
         "firing escalated update_and_thread mention"],
    ),
    (
        "without hysteresis: back to warning is an edit; re-escalation pings only after "
        "the value was below warning",
        NO_HYSTERESIS,
        [P("10:00", 80, 20), P("10:10", 90, 10), P("10:20", 80, 20), P("10:30", 93, 7),
         P("10:40", 80, 20)],
        [FIRST_MENTION, "firing deescalated update", "firing escalated update_and_thread",
         "firing deescalated update", "firing escalated update_and_thread mention"],
    ),
    (
        "too few calls to judge keeps the alert firing; evidence resolves it",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10", 10, 5), P("10:20", 10, 5), P("10:30", 12, 6),
         P("10:40", 95, 5)],
        ["firing first post mention", "firing quiet update", "firing quiet none",
         "firing quiet update", "resolved resolved update_and_thread"],
    ),
    (
        "no traffic to judge for resolve_when_quiet (30m) resolves, saying so",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10"), P("10:20"), P("10:30"), P("10:40")],
        [FIRST_MENTION, "firing quiet update", "firing quiet none", "firing quiet none",
         "resolved resolved update_and_thread"],
    ),
    (
        "for 2: two evaluations below recover before resolving",
        FOR2,
        [P("10:00", 80, 20), P("10:10", 80, 20), P("10:20", 96, 4), P("10:30", 96, 4)],
        ["pending pending none", FIRST_MENTION, UPDATE, "resolved resolved update_and_thread"],
    ),
    (
        "a dip mid-incident (for 2): one poll below recover, then back up, is not resolved",
        FOR2,
        [P("10:00", 80, 20), P("10:10", 80, 20), P("10:20", 96, 4), P("10:30", 80, 20),
         P("10:40", 96, 4), P("10:50", 80, 20)],
        ["pending pending none", FIRST_MENTION, UPDATE, UPDATE, UPDATE, UPDATE],
    ),
    (
        "a polling gap holds the alert, says so, and is not a resolution",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10", failed=True), P("10:20", failed=True),
         P("10:30", 80, 20)],
        [FIRST_MENTION, "firing held update", "firing held none", UPDATE],
    ),
    (
        "active hours end: muted, no reminders, resolves quietly when the data recovers",
        OFFICE,
        [P("17:20", 80, 20), P("17:40", 80, 20), P("18:00", 80, 20), P("18:10", 80, 20),
         P("18:20", 80, 20), P("18:30", 96, 4)],
        [FIRST_MENTION, NOTHING, "firing muted update", "firing muted none",
         "firing muted none", "resolved resolved_muted update"],
    ),
    (
        "muted outside active hours, a rise to critical is no escalation",
        OFFICE,
        [P("17:50", 90, 10), P("18:00", 90, 10), P("18:10", 80, 20)],
        ["firing first post", "firing muted update", "firing muted update"],
    ),
    (
        "open overnight, resolved quietly when the next period starts below recover",
        OFFICE,
        [P("17:50", 80, 20), P("18:00", 80, 20), P("18:10", failed=True),
         P("wed 08:00", 0, 0), P("wed 08:10", 96, 4)],
        [FIRST_MENTION, "firing muted update", "firing held update", "firing quiet update",
         "resolved resolved_muted update"],
    ),
    (
        "thin traffic at opening pages no one: 2 abandons of 3 calls, then 3 of 12",
        replace(BOUNDED, active=Calendar.parse("mon-fri 08:00-18:00")),
        [P("07:55", 0, 0), P("08:05", 1, 2), P("08:15", 9, 3), P("08:25", 30, 2)],
        ["inactive none none"] * 4,
    ),
    (
        "one incident through a thin patch: one message, one ping, no new incident",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10", 8, 4), P("10:20", 80, 20), P("10:30", 8, 4),
         P("10:40", 97, 3)],
        [FIRST_MENTION, "firing quiet update", UPDATE, "firing quiet update",
         "resolved resolved update_and_thread"],
    ),
    (
        "flatline: the window begins at opening, so 15 minutes without calls fire at 08:15",
        FLATLINE,
        [P("07:45"), P("07:55"), P("08:00"), P("08:05"), P("08:10"), P("08:15")],
        ["inactive none none"] * 5 + [FIRST_MENTION],
    ),
    (
        "flatline: a first call at 08:04 keeps it quiet",
        FLATLINE,
        [P("07:55"), P("08:05", 1), P("08:10"), P("08:15")],
        ["inactive none none"] * 4,
    ),
    (
        "flatline on a holiday: outside active hours all day",
        ON_HOLIDAY,
        [P("08:15"), P("10:00"), P("12:00")],
        ["inactive none none"] * 3,
    ),
    (
        "flatline with on_holidays: true watches the holiday too",
        ON_HOLIDAYS_TRUE,
        [P("08:00"), P("08:15")],
        ["inactive none none", FIRST_MENTION],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "polls", "expected"), [pytest.param(*row[1:], id=row[0]) for row in DAYS]
)
def test_a_supervisors_day(spec: RuleSpec, polls: list[Poll], expected: list[str]) -> None:
    assert [outcome(d) for d in run_day(spec, polls)] == expected


def test_a_resolution_after_quiet_says_it_was_quiet_and_keeps_the_last_judged_value() -> None:
    polls = [P("10:00", 80, 20), P("10:10", 10, 5), P("10:20"), P("10:30"), P("10:40")]
    done = run_day(ABANDON_RATE, polls)[-1].alert
    assert done.resolution is Resolution.QUIET
    assert done.last_evaluation is not None and done.last_evaluation.value == 0.2
    assert done.quiet is not None and done.quiet.population == 0


def test_a_recovered_alert_says_what_it_recovered_below() -> None:
    done = run_day(BOUNDED, [P("10:00", 79, 21), P("10:10", 96, 4)])[-1].alert
    assert done.resolution is Resolution.RECOVERED
    evaluation = done.last_evaluation
    assert evaluation is not None
    assert (evaluation.value, evaluation.recover) == (0.04, 0.06)
    assert evaluation.compared is not None and evaluation.compared < 0.04


def test_muted_since_is_when_the_active_hours_ended() -> None:
    decisions = run_day(OFFICE, [P("17:50", 80, 20), P("18:10", 80, 20)])
    assert decisions[-1].alert.muted_since == local("18:00")

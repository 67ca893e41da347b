"""The alert state machine: every transition, its reason and what Slack is told."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.alerts import (
    Alert,
    Decision,
    Notify,
    Reason,
    acknowledge,
    incident_id,
    silence_applied,
    silence_lifted,
    step,
)
from bot.domain.silences import Silence
from bot.domain.specs import EvalStatus, Evaluation, RuleKind, RuleSpec, Severity

T0 = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
RULE, OP = "abandon-rate", "bogota"
W, C = Severity.WARNING, Severity.CRITICAL

SPEC = RuleSpec(
    name=RULE,
    kind=RuleKind.RATE,
    warning=0.08,
    critical=0.15,
    recover=0.06,
    repeat=timedelta(minutes=30),
    mention="<!subteam^S0123>",
)
FOR2 = replace(SPEC, for_=2)
NO_MENTION = replace(SPEC, mention=None)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(
    status: EvalStatus, value: float | None = 0.10, severity: Severity | None = None
) -> Evaluation:
    return Evaluation(
        rule=RULE,
        operation=OP,
        status=status,
        severity=severity,
        value=value,
        threshold=0.08,
        matched=5,
        population=50,
    )


def breach(value: float = 0.10, severity: Severity = W) -> Evaluation:
    return ev(EvalStatus.BREACH, value, severity)


def critical(value: float = 0.20) -> Evaluation:
    return breach(value, C)


CLEAR = ev(EvalStatus.CLEAR, 0.02)
QUIET = ev(EvalStatus.QUIET, None)
BAND = ev(EvalStatus.BAND, 0.07)
HELD = ev(EvalStatus.HELD, None)


def muted(start: float = 0, minutes: float = 60, operation: str | None = OP) -> Silence:
    return Silence.create(
        rule=RULE,
        operation=operation,
        starts_at=at(start),
        ends_at=at(start + minutes),
        created_by="U_ANA",
        reason="trunk maintenance",
    )


def drive(
    *steps: tuple[float, Evaluation],
    spec: RuleSpec = SPEC,
    silence: Silence | None = None,
    start: Alert | None = None,
) -> list[Decision]:
    alert = start or Alert.new(RULE, OP)
    decisions = []
    for minute, evaluation in steps:
        decision = step(alert, evaluation, spec, silence=silence, now=at(minute))
        decisions.append(decision)
        alert = decision.alert
    return decisions


def last(
    *steps: tuple[float, Evaluation],
    spec: RuleSpec = SPEC,
    silence: Silence | None = None,
    start: Alert | None = None,
) -> Alert:
    return drive(*steps, spec=spec, silence=silence, start=start)[-1].alert


# Starting states, each reached by really stepping the machine.
def inactive() -> Alert:
    return Alert.new(RULE, OP)


def pending() -> Alert:
    return last((0, breach()), spec=FOR2)


def firing() -> Alert:
    return last((0, breach()))


def firing_critical() -> Alert:
    return last((0, critical()))


def unposted() -> Alert:
    return last((0, breach()), silence=muted(0, 5))


def resolved() -> Alert:
    return last((0, breach()), (2, CLEAR))


Start = Callable[[], Alert]

# (case, start, evaluation, spec, silence, expected "state reason notify [mention]")
TABLE: list[tuple[str, Start, Evaluation, RuleSpec, Silence | None, str]] = [
    # inactive
    ("inactive+breach for1", inactive, breach(), SPEC, None, "firing first post"),
    ("inactive+critical mention", inactive, critical(), SPEC, None, "firing first post mention"),
    ("inactive+critical no mention", inactive, critical(), NO_MENTION, None, "firing first post"),
    ("inactive+breach for2", inactive, breach(), FOR2, None, "pending pending none"),
    ("inactive+clear", inactive, CLEAR, SPEC, None, "inactive none none"),
    ("inactive+band", inactive, BAND, SPEC, None, "inactive none none"),
    ("inactive+quiet", inactive, QUIET, SPEC, None, "inactive none none"),
    ("inactive+held", inactive, HELD, SPEC, None, "inactive held none"),
    ("inactive+breach silenced", inactive, critical(), SPEC, muted(), "firing silenced none"),
    # pending
    ("pending+breach fires", pending, breach(), FOR2, None, "firing first post"),
    ("pending+critical fires", pending, critical(), FOR2, None, "firing first post mention"),
    ("pending+clear resets", pending, CLEAR, FOR2, None, "inactive none none"),
    ("pending+band resets", pending, BAND, FOR2, None, "inactive none none"),
    ("pending+quiet resets", pending, QUIET, FOR2, None, "inactive none none"),
    ("pending+held", pending, HELD, FOR2, None, "pending held none"),
    ("pending+breach silenced", pending, breach(), FOR2, muted(), "firing silenced none"),
    # firing
    ("firing+same breach", firing, breach(), SPEC, None, "firing none none"),
    ("firing+new value", firing, breach(0.12), SPEC, None, "firing updated update"),
    ("firing+escalation", firing, critical(), SPEC, None,
        "firing escalated update_and_thread mention"),
    ("firing+escalation no mention", firing, critical(), NO_MENTION, None,
        "firing escalated update_and_thread"),
    ("firing+deescalation", firing_critical, breach(), SPEC, None, "firing deescalated update"),
    ("firing+band", firing, BAND, SPEC, None, "firing updated update"),
    ("firing+clear", firing, CLEAR, SPEC, None, "resolved resolved update_and_thread"),
    ("firing+quiet stays firing", firing, QUIET, SPEC, None, "firing quiet update"),
    ("firing+held stays firing", firing, HELD, SPEC, None, "firing held update"),
    ("firing+update silenced", firing, breach(0.12), SPEC, muted(), "firing updated update"),
    ("firing+escalation silenced", firing, critical(), SPEC, muted(), "firing silenced update"),
    ("firing+clear silenced", firing, CLEAR, SPEC, muted(), "resolved resolved_silenced update"),
    # firing, its first post held back by a silence
    ("unposted+clear silenced", unposted, CLEAR, SPEC, muted(), "resolved resolved_silenced none"),
    ("unposted+breach silenced", unposted, breach(), SPEC, muted(), "firing silenced none"),
    ("unposted+breach, silence over", unposted, breach(), SPEC, None, "firing first post"),
    ("unposted+band, silence over", unposted, BAND, SPEC, None, "firing first post"),
    ("unposted+critical, silence over", unposted, critical(), SPEC, None,
        "firing first post mention"),
    ("unposted+clear, silence over", unposted, CLEAR, SPEC, None,
        "resolved resolved_silenced none"),
    # resolved
    ("resolved+breach refires", resolved, breach(), SPEC, None, "firing first post"),
    ("resolved+breach for2", resolved, breach(), FOR2, None, "pending pending none"),
    ("resolved+clear", resolved, CLEAR, SPEC, None, "resolved none none"),
    ("resolved+held", resolved, HELD, SPEC, None, "resolved held none"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "evaluation", "spec", "silence", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_transition_table(
    start: Start,
    evaluation: Evaluation,
    spec: RuleSpec,
    silence: Silence | None,
    expected: str,
) -> None:
    decision = step(start(), evaluation, spec, silence=silence, now=at(10))
    outcome = f"{decision.alert.state} {decision.reason} {decision.notify}"
    assert outcome + (" mention" if decision.mention else "") == expected
    assert decision.detail


def test_for_2_needs_two_consecutive_breaches_and_anything_else_in_between_resets() -> None:
    decisions = drive((0, breach()), (1, CLEAR), (2, breach()), (3, breach()), spec=FOR2)
    assert [d.alert.state for d in decisions] == ["pending", "inactive", "pending", "firing"]
    assert [d.reason for d in decisions] == [
        Reason.PENDING,
        Reason.NONE,
        Reason.PENDING,
        Reason.FIRST,
    ]
    assert decisions[-1].alert.pending_since == at(2)
    assert decisions[-1].alert.fired_at == at(3)


def test_held_data_neither_resets_nor_advances_a_pending_alert() -> None:
    spec = replace(SPEC, for_=3)
    decisions = drive((0, breach()), (1, HELD), (2, HELD), (3, breach()), (4, breach()), spec=spec)
    assert [d.alert.breaches for d in decisions] == [1, 1, 1, 2, 3]
    assert [d.alert.state for d in decisions] == ["pending"] * 4 + ["firing"]


def test_held_data_keeps_a_firing_alert_and_its_numbers_and_says_so_once() -> None:
    before = firing()
    decisions = drive((45, HELD), (50, HELD), start=before)
    held = decisions[-1].alert
    assert (held.state, held.severity, held.last_evaluation) == (
        "firing",
        before.severity,
        before.last_evaluation,
    )
    assert held.quiet == HELD
    assert [(d.reason, d.notify) for d in decisions] == [
        (Reason.HELD, Notify.UPDATE),
        (Reason.HELD, Notify.NONE),
    ]


def test_held_data_does_not_post_an_incident_whose_silence_ended() -> None:
    decision = step(unposted(), HELD, SPEC, silence=None, now=at(10))
    assert (decision.reason, decision.notify, decision.alert.posted) == (
        Reason.HELD,
        Notify.NONE,
        False,
    )


def test_reminders_come_every_repeat_period_in_the_thread() -> None:
    steps = [(m, breach()) for m in (0, 10, 29, 30, 45, 59, 60)]
    decisions = drive(*steps)
    assert [d.reason for d in decisions] == [
        Reason.FIRST,
        Reason.NONE,
        Reason.NONE,
        Reason.REMINDER,
        Reason.NONE,
        Reason.NONE,
        Reason.REMINDER,
    ]
    assert decisions[3].notify is Notify.THREAD
    assert decisions[-1].alert.last_notified_at == at(60)


def test_a_reminder_with_new_numbers_also_edits_the_message() -> None:
    decision = drive((0, breach(0.10)), (30, breach(0.11)))[-1]
    assert (decision.reason, decision.notify) == (Reason.REMINDER, Notify.UPDATE_AND_THREAD)


def test_no_reminders_without_repeat() -> None:
    decisions = drive(*[(m, breach()) for m in (0, 30, 600)], spec=replace(SPEC, repeat=None))
    assert [d.reason for d in decisions] == [Reason.FIRST, Reason.NONE, Reason.NONE]


def test_an_escalation_restarts_the_reminder_clock() -> None:
    decisions = drive((0, breach()), (20, critical()), (30, critical()), (50, critical()))
    assert [d.reason for d in decisions] == [
        Reason.FIRST,
        Reason.ESCALATED,
        Reason.NONE,
        Reason.REMINDER,
    ]


def test_acknowledgement_stops_reminders_but_not_updates_escalation_or_resolution() -> None:
    fired = firing()
    acked = acknowledge(fired, by="U_ANA", now=at(5))
    assert (acked.reason, acked.notify) == (Reason.ACKNOWLEDGED, Notify.UPDATE_AND_THREAD)
    decisions = drive(
        (30, breach()),
        (31, breach(0.12)),
        (62, critical()),
        (200, critical()),
        (201, CLEAR),
        start=acked.alert,
    )
    assert [(d.reason, d.notify) for d in decisions] == [
        (Reason.NONE, Notify.NONE),
        (Reason.UPDATED, Notify.UPDATE),
        (Reason.ESCALATED, Notify.UPDATE_AND_THREAD),
        (Reason.NONE, Notify.NONE),
        (Reason.RESOLVED, Notify.UPDATE_AND_THREAD),
    ]
    assert decisions[-1].alert.acked_by == "U_ANA"


def test_acknowledgement_is_idempotent() -> None:
    first = acknowledge(firing(), by="U_ANA", now=at(5))
    second = acknowledge(first.alert, by="U_BOB", now=at(6))
    assert (second.reason, second.notify) == (Reason.NONE, Notify.NONE)
    assert second.alert == first.alert
    ack = second.alert.acknowledgement
    assert ack is not None
    assert (ack.by, ack.at, ack.incident_id) == ("U_ANA", at(5), first.alert.incident_id)


@pytest.mark.parametrize(
    "start", [inactive, pending, resolved], ids=["inactive", "pending", "resolved"]
)
def test_acknowledging_an_alert_that_is_not_firing_is_refused(start: Start) -> None:
    alert = start()
    decision = acknowledge(alert, by="U_ANA", now=at(5))
    assert (decision.reason, decision.notify, decision.alert) == (
        Reason.REFUSED,
        Notify.NONE,
        alert,
    )
    assert "not firing" in decision.detail


def test_acknowledging_from_an_older_incidents_button_is_refused() -> None:
    old = firing()
    assert old.incident_id is not None
    refired = last((5, CLEAR), (10, breach()), start=old)
    decision = acknowledge(refired, by="U_ANA", now=at(11), incident=old.incident_id)
    assert decision.reason is Reason.REFUSED
    assert decision.alert.acked_by is None
    ok = acknowledge(refired, by="U_ANA", now=at(11), incident=refired.incident_id)
    assert ok.reason is Reason.ACKNOWLEDGED


def test_acknowledging_an_incident_never_posted_changes_no_message() -> None:
    decision = acknowledge(unposted(), by="U_ANA", now=at(2))
    assert (decision.reason, decision.notify) == (Reason.ACKNOWLEDGED, Notify.NONE)


def test_a_silence_holds_back_the_post_while_the_state_advances_then_expiry_posts_it() -> None:
    silence = muted(0, 60)
    decisions = drive(
        (0, breach()), (10, critical()), (40, critical()), (60, critical()), silence=silence
    )
    assert [d.alert.state for d in decisions] == ["firing"] * 4
    assert [(d.reason, d.notify) for d in decisions] == [
        (Reason.SILENCED, Notify.NONE),
        (Reason.SILENCED, Notify.NONE),
        (Reason.SILENCED, Notify.NONE),
        (Reason.FIRST, Notify.POST),
    ]
    assert decisions[0].silence == silence
    assert [d.alert.posted for d in decisions] == [False, False, False, True]
    assert [d.alert.silenced for d in decisions] == [True, True, True, False]
    assert decisions[-1].mention is True
    assert decisions[-1].alert.incident_id == decisions[0].alert.incident_id
    assert decisions[-1].alert.fired_at == at(0)


def test_a_silence_on_another_operation_does_not_hold_back_the_post() -> None:
    other = replace(muted(), operation="lima")
    decision = step(inactive(), breach(), SPEC, silence=other, now=at(1))
    assert (decision.reason, decision.notify) == (Reason.FIRST, Notify.POST)


def test_an_all_operations_silence_holds_back_the_post() -> None:
    decision = step(inactive(), breach(), SPEC, silence=muted(operation=None), now=at(1))
    assert (decision.reason, decision.notify) == (Reason.SILENCED, Notify.NONE)


def test_a_reminder_due_during_a_silence_waits_for_its_end() -> None:
    fired = firing()
    silence = muted(20, 30)
    decisions = [
        step(fired, breach(), SPEC, silence=silence, now=at(30)),
        step(fired, breach(), SPEC, silence=silence, now=at(50)),
    ]
    assert [(d.reason, d.notify) for d in decisions] == [
        (Reason.SILENCED, Notify.NONE),
        (Reason.REMINDER, Notify.THREAD),
    ]
    assert decisions[0].alert.last_notified_at == at(0)


def test_resolution_of_a_posted_incident_under_silence_edits_the_message_quietly() -> None:
    decision = drive((0, breach()), (10, breach()), (20, CLEAR), silence=muted(5, 60))[-1]
    assert (decision.reason, decision.notify) == (Reason.RESOLVED_SILENCED, Notify.UPDATE)
    assert decision.alert.resolved_at == at(20)


def test_a_refire_after_resolution_is_a_new_incident() -> None:
    decisions = drive((0, critical()), (3, breach(0.09)), (5, CLEAR), (10, breach(0.09)))
    first, refire = decisions[0].alert, decisions[-1].alert
    assert first.incident_id == "abandon-rate:bogota:20261124T143000"
    assert refire.incident_id == "abandon-rate:bogota:20261124T144000"
    assert decisions[2].alert.incident_id == first.incident_id
    assert (refire.fired_at, refire.resolved_at, refire.peak_severity, refire.peak_value) == (
        at(10),
        None,
        W,
        0.09,
    )


def test_a_resolved_alert_keeps_what_its_message_shows() -> None:
    decisions = drive((0, breach(0.09)), (5, critical(0.18)), (7, critical(0.16)), (9, CLEAR))
    done = decisions[-1].alert
    assert (done.state, done.fired_at, done.resolved_at) == ("resolved", at(0), at(9))
    assert (done.peak_severity, done.peak_value, done.severity) == (C, 0.18, C)


def test_a_flatline_peak_is_its_lowest_value() -> None:
    spec = replace(SPEC, kind=RuleKind.FLATLINE)
    done = last((0, breach(3)), (1, breach(1)), (2, breach(2)), spec=spec)
    assert done.peak_value == 1


def test_a_breach_without_severity_takes_the_rules_severity() -> None:
    spec = replace(SPEC, severity=C)
    decision = step(inactive(), ev(EvalStatus.BREACH, 0.2), spec, silence=None, now=at(0))
    assert (decision.alert.severity, decision.mention) == (C, True)


def test_incident_ids_are_utc_and_deterministic() -> None:
    bogota_time = datetime(2026, 11, 24, 4, 32, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert incident_id(RULE, OP, bogota_time) == "abandon-rate:bogota:20261124T093205"


def test_silence_applied_to_a_posted_incident_is_shown_and_recorded_in_its_thread() -> None:
    silence = muted(5, 60)
    decision = silence_applied(firing(), silence, now=at(6))
    assert (decision.reason, decision.notify, decision.silence) == (
        Reason.SILENCED,
        Notify.UPDATE_AND_THREAD,
        silence,
    )
    assert decision.alert.silenced


def test_silence_applied_to_a_quiet_alert_only_remembers_it() -> None:
    decision = silence_applied(inactive(), muted(5, 60), now=at(6))
    assert (decision.reason, decision.notify, decision.alert.silenced) == (
        Reason.NONE,
        Notify.NONE,
        True,
    )


def test_a_silence_that_does_not_match_cannot_be_applied() -> None:
    with pytest.raises(ValueError):
        silence_applied(firing(), muted(5, 60), now=at(100))


def test_lifting_a_silence_is_recorded_unless_another_still_mutes() -> None:
    alert = silence_applied(firing(), muted(5, 60), now=at(6)).alert
    lifted = silence_lifted(alert, remaining=None, now=at(7))
    assert (lifted.reason, lifted.notify, lifted.alert.silenced) == (
        Reason.UNSILENCED,
        Notify.UPDATE_AND_THREAD,
        False,
    )
    still = silence_lifted(alert, remaining=muted(0, 120, operation=None), now=at(7))
    assert (still.reason, still.notify, still.alert) == (Reason.NONE, Notify.NONE, alert)


@pytest.mark.parametrize(
    ("evaluation", "spec", "now"),
    [
        (replace(breach(), operation="lima"), SPEC, at(0)),
        (replace(breach(), rule="other"), SPEC, at(0)),
        (breach(), replace(SPEC, name="other"), at(0)),
        (breach(), SPEC, at(0).replace(tzinfo=None)),
    ],
    ids=["other operation", "other rule", "other spec", "naive now"],
)
def test_stepping_with_mismatched_inputs_is_a_wiring_error(
    evaluation: Evaluation, spec: RuleSpec, now: datetime
) -> None:
    with pytest.raises(ValueError):
        step(inactive(), evaluation, spec, silence=None, now=now)

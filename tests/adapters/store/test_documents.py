from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.adapters.store.documents import decode_alert, decode_silence, encode_alert, encode_silence
from bot.domain.alerts import Alert, AlertState, Resolution
from bot.domain.silences import Silence
from bot.domain.specs import EvalStatus, Evaluation, Severity

NOW = datetime(2026, 11, 24, 14, 32, tzinfo=UTC)


def test_a_firing_alert_survives_a_round_trip_through_json() -> None:
    evaluation = Evaluation(
        rule="abandon-rate",
        operation="bogota",
        status=EvalStatus.BREACH,
        severity=Severity.CRITICAL,
        value=0.184,
        threshold=0.15,
        matched=9,
        population=49,
        detail="abandon 18.4% of 49",
        breakdown=(("answer", 40), ("abandon", 9)),
    )
    alert = replace(
        Alert.new("abandon-rate", "bogota"),
        state=AlertState.FIRING,
        severity=Severity.CRITICAL,
        incident_id="abandon-rate:bogota:20261124T143200",
        fired_at=NOW,
        last_notified_at=NOW,
        breaches=3,
        last_evaluation=evaluation,
        peak_value=0.2,
        peak_severity=Severity.CRITICAL,
        acked_by="U123",
        acked_at=NOW + timedelta(minutes=1),
        posted=True,
    )
    doc = json.loads(json.dumps(encode_alert(alert)))
    assert decode_alert(doc) == alert


def test_an_old_document_with_missing_keys_decodes_to_defaults() -> None:
    assert decode_alert({"rule": "r", "operation": "o"}) == Alert.new("r", "o")


def test_a_silence_survives_a_round_trip_through_json() -> None:
    silence = Silence(
        id="abandon-rate:*:20261124T143200",
        rule="abandon-rate",
        operation=None,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=1),
        created_by="U123",
        reason="known outage <!channel>",
    )
    assert decode_silence(json.loads(json.dumps(encode_silence(silence)))) == silence


def test_what_a_quiet_muted_incident_remembers_survives_a_restart() -> None:
    """Issue 12: the bound, the recovery level, why it is quiet and since when, the mute,
    the ping and how it ended must read the same after a restart."""
    judged = Evaluation(
        rule="abandon-rate",
        operation="bogota",
        status=EvalStatus.BREACH,
        severity=Severity.CRITICAL,
        value=0.21,
        compared=0.151,
        threshold=0.15,
        recover=0.08,
        outside_since=NOW - timedelta(minutes=10),
        opened_at=NOW - timedelta(hours=2),
    )
    quiet = replace(judged, status=EvalStatus.QUIET, value=None, matched=5, population=15)
    alert = replace(
        Alert.new("abandon-rate", "bogota"),
        state=AlertState.RESOLVED,
        severity=Severity.CRITICAL,
        last_evaluation=judged,
        quiet=quiet,
        quiet_since=NOW,
        muted_since=NOW - timedelta(minutes=10),
        clears=1,
        pinged=True,
        resolution=Resolution.QUIET,
    )
    doc = json.loads(json.dumps(encode_alert(alert)))
    assert decode_alert(doc) == alert

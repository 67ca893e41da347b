"""`callbot backtest` end to end: a file of calls in, the incidents the live cycle opened out."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.store.sqlite import SQLiteStore
from bot.backtest.command import BacktestOptions, backtest_command
from bot.backtest.output import incident_line
from bot.cli import main
from bot.domain.specs import RuleKind, Severity
from bot.services.backtest import Incident
from bot.services.ports.store import BucketKey, CycleCommit, LogDelta
from tests.support.config import env_ref, operation, rule, write_config

BOGOTA = ZoneInfo("America/Bogota")
START = datetime(2026, 11, 23, 10, 0, tzinfo=BOGOTA)

RULES = [
    rule(
        "abandon-rate",
        kind="rate",
        match={"result": ["abandon"]},
        among={"type": ["inbound"]},
        min_calls=20,
        warning="10%",
        critical="20%",
        mention="<!subteam^S0123>",
        repeat="10m",
    ),
    rule("abandon-count", match={"result": ["abandon"]}, warning=20),
]


def _config(tmp_path: Path, storm: int = 5, *, store: dict[str, str] | None = None) -> Path:
    """callbot.yml: one operation in Bogota, the two abandon rules; stored in SQLite beside
    it unless `store` says otherwise."""
    return write_config(
        tmp_path / "callbot.yml",
        storm_threshold=storm,
        store=store or {"path": str(tmp_path / "bot.sqlite3")},
        channel="C0123456789",
        operations=[
            operation(token=env_ref("WOLKVOX_TOKEN"), poll_every="5m", timezone="America/Bogota")
        ],
        rules=RULES,
    )


def _surge_csv(tmp_path: Path) -> Path:
    """60 minutes of 10 inbound calls a minute: abandons 0 a minute, then 5 a minute for
    20 minutes (33%), then none again."""
    lines = ["type_interaction,result,date,telephone,customer_id,conn_id"]
    for minute in range(60):
        abandons = 5 if 20 <= minute < 40 else 0
        for i in range(10):
            at = START + timedelta(minutes=minute, seconds=i * 5)
            result = "abandon" if i < abandons else "answer"
            lines.append(f"inbound,{result},{at:%Y-%m-%d %H:%M:%S},300000{i},,c{minute}-{i}")
    path = tmp_path / "calls.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def _run(options: BacktestOptions) -> tuple[int, str, str]:
    """The command in a worker thread, as from a shell: its asyncio.run gets its own loop."""
    out, err = io.StringIO(), io.StringIO()
    code = await asyncio.to_thread(backtest_command, options, out=out, err=err, env={})
    return code, out.getvalue(), err.getvalue()


async def test_json_lists_the_incident_with_its_path_peak_and_notifications(tmp_path: Path) -> None:
    options = BacktestOptions(
        config=str(_config(tmp_path)), calls=str(_surge_csv(tmp_path)), format="json"
    )
    code, out, err = await _run(options)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["operation"] == "bogota"
    assert doc["from"] == "2026-11-23T10:10:00-05:00"
    assert doc["polls"] == 10  # 10:10 to 10:55, every 5 minutes
    rate = [i for i in doc["incidents"] if i["rule"] == "abandon-rate"]
    assert len(rate) == 1
    incident = rate[0]
    assert incident["severity"] == "critical"
    assert incident["fired_at"] == "2026-11-23T10:25:00-05:00"
    assert incident["resolved_at"] == "2026-11-23T10:50:00-05:00"
    assert incident["peak"] == pytest.approx(0.5)
    kinds = [n["kind"] for n in incident["notifications"]]
    assert kinds[0] == "post" and kinds[-1] == "resolve"
    assert "remind" in kinds
    # The rule's mention pings on the critical first post, and nowhere else.
    assert [n["kind"] for n in incident["notifications"] if n["mentions"]] == ["post"]
    summary = {r["rule"]: r for r in doc["rules"]}
    assert summary["abandon-rate"] == {
        "rule": "abandon-rate",
        "incidents": 1,
        "minutes_firing": 25,
        "pings": 1,
    }
    assert summary["abandon-count"]["incidents"] == 1


async def test_compare_replays_the_same_calls_through_both_rule_sets(tmp_path: Path) -> None:
    strict = tmp_path / "strict.yml"
    strict.write_text(
        "defaults: false\nrules:\n  - name: abandon-rate\n    kind: rate\n"
        "    match: {result: [abandon]}\n    among: {type: [inbound]}\n    warning: 60%\n",
        encoding="utf-8",
    )
    options = BacktestOptions(
        config=str(_config(tmp_path)), calls=str(_surge_csv(tmp_path)), compare=str(strict)
    )
    code, out, err = await _run(options)
    assert code == 0, err
    summary = out.split("Summary", 1)[1]
    rate_line = next(line for line in summary.splitlines() if "abandon-rate" in line)
    cells = [cell.split() for cell in rate_line.split("|")[1:]]
    assert cells[0][0] == "1" and cells[1][0] == "0"
    assert "== " + str(strict) in out


async def test_a_storm_posts_one_digest_that_the_incidents_share(tmp_path: Path) -> None:
    options = BacktestOptions(
        config=str(_config(tmp_path, storm=1)), calls=str(_surge_csv(tmp_path)), format="json"
    )
    code, out, err = await _run(options)
    assert code == 0, err
    incidents = json.loads(out)["incidents"]
    assert len(incidents) == 2
    assert all(i["notifications"][0]["kind"] == "digest" for i in incidents)
    assert not any(n["kind"] == "post" for i in incidents for n in i["notifications"])


async def test_bad_rows_are_reported_with_their_line_and_the_rest_replayed(tmp_path: Path) -> None:
    calls = _surge_csv(tmp_path)
    with calls.open("a", encoding="utf-8") as f:
        f.write("inbound,answer,not a date,1,,x1\n")
    code, out, err = await _run(BacktestOptions(config=str(_config(tmp_path)), calls=str(calls)))
    assert code == 0
    assert f"{calls}:602: row skipped: a date that is not a date and time" in err
    assert "1 row(s) skipped, 600 replayed" in err
    assert "abandon-rate: 1 incident" in out


async def test_unreadable_file_and_unknown_operation_are_errors(tmp_path: Path) -> None:
    config = str(_config(tmp_path))
    code, _, err = await _run(BacktestOptions(config=config, calls=str(tmp_path / "missing.csv")))
    assert code == 1 and "missing.csv: no such file" in err
    calls = str(_surge_csv(tmp_path))
    code, _, err = await _run(BacktestOptions(config=config, calls=calls, operation="lima"))
    assert code == 2 and "no operation is named 'lima' (operations: bogota)" in err


async def _store_history(path: Path, log: LogDelta) -> None:
    async with SQLiteStore(path=path) as store:
        await store.commit_cycle(CycleCommit(operation="bogota", log=log))


async def test_history_replays_the_stores_per_minute_counts(tmp_path: Path) -> None:
    config = _config(tmp_path)
    buckets = {}
    covered = set()
    for minute in range(60):
        at = (START + timedelta(minutes=minute)).astimezone(ZoneInfo("UTC"))
        covered.add(at)
        buckets[BucketKey(at, "inbound", "answer")] = 10
        if 20 <= minute < 40:
            buckets[BucketKey(at, "inbound", "abandon")] = 6
    log = LogDelta(buckets=buckets, covered_minutes=frozenset(covered))
    await _store_history(tmp_path / "bot.sqlite3", log)
    code, out, err = await _run(BacktestOptions(config=str(config), history=True, format="json"))
    assert code == 0, err
    rate = [i for i in json.loads(out)["incidents"] if i["rule"] == "abandon-rate"]
    assert [i["severity"] for i in rate] == ["critical"]


async def test_cli_runs_a_scenario_on_the_shipped_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code = await asyncio.to_thread(
        main,
        [
            "backtest",
            "--scenario",
            "silence",
            "--from",
            "2026-11-23 08:00",
            "--to",
            "2026-11-23 12:00",
        ],
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "inbound-flatline: 1 incident" in out


def test_a_budget_incidents_peak_is_its_burn_rate() -> None:
    """The CLI's incident line reads a budget's value as the alert does: a burn, 2.7x."""
    at = datetime(2026, 3, 3, 15, 5, tzinfo=ZoneInfo("UTC"))
    incident = Incident(
        rule="abandon-budget",
        operation="bogota",
        incident_id="i",
        fired_at=at,
        resolved_at=at + timedelta(minutes=35),
        severity=Severity.CRITICAL,
        path=["critical"],
        peak=2.71828,
        kind=RuleKind.BUDGET.value,
    )
    line = incident_line(incident, ZoneInfo("America/Bogota"), at + timedelta(hours=1))
    assert "peak 2.7x" in line


def test_a_peak_without_one_threshold_says_only_its_level() -> None:
    """A budget's threshold depends on the tier and the day's length: no `at -`."""
    at = datetime(2026, 3, 3, 15, 5, tzinfo=ZoneInfo("UTC"))
    incident = Incident(
        rule="abandon-budget",
        operation="bogota",
        incident_id="i",
        fired_at=at,
        severity=Severity.WARNING,
        peak=1.5,
        kind=RuleKind.BUDGET.value,
    )
    line = incident_line(incident, ZoneInfo("America/Bogota"), at + timedelta(hours=1))
    assert "peak 1.5x (warning)" in line

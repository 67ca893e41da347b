"""The Wolkvox simulator over real HTTP on 127.0.0.1, driven with a plain httpx client."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.adapters.clock import ManualClock, SimulatedClock
from bot.adapters.wolkvox.simulator import (
    Fault,
    WolkvoxSimulator,
)
from bot.adapters.wolkvox.simulator_cli import describe_cli, serve_forever
from bot.adapters.wolkvox.simulator_scenarios import SCENARIOS
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.domain.calls import CallResult, CallType, normalise_result, normalise_type

BOGOTA = ZoneInfo("America/Bogota")
T0 = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Bogota
PATH = "/api/v2/real_time.php"
CONN_ID = re.compile(r"^\d+\.\d+\.\d+\.(\d{10})\.\d+$")
OUTBOUND = {"out_pre", "outbound_ma"}


class Api:
    """A started simulator, its manual clock and a client, for one test."""

    def __init__(self, sim: WolkvoxSimulator, clock: ManualClock, http: httpx.AsyncClient) -> None:
        self.sim, self.clock, self.http = sim, clock, http

    async def get(
        self, api: str = "calls_last_10", token: str | None = "tok-a", **params: str
    ) -> httpx.Response:
        headers = {"wolkvox-token": token} if token is not None else {}
        query = {"api": api, **params} if api else params
        return await self.http.get(PATH, params=query, headers=headers)

    async def calls(self, token: str = "tok-a") -> list[dict[str, str]]:
        response = await self.get(token=token)
        assert response.status_code == 200
        data: list[dict[str, str]] = response.json()["data"]
        return data


async def _api(**options: Any) -> AsyncIterator[Api]:
    clock = ManualClock(T0)
    async with (
        WolkvoxSimulator(clock=clock, **options) as sim,
        httpx.AsyncClient(base_url=sim.base_url, timeout=5.0) as http,
    ):
        yield Api(sim, clock, http)


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    async for started in _api():
        yield started


async def test_missing_token_is_401_with_the_vendor_body(api: Api) -> None:
    for headers in ({}, {"wolkvox-token": ""}):
        response = await api.http.get(PATH, params={"api": "calls_last_10"}, headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "code": 401,
            "error": "UNAUTHORIZED",
            "msg": "PLEASE ENTER THE WOLKVOX-TOKEN",
        }


async def test_envelope_counts_the_records_it_returns(api: Api) -> None:
    body = (await api.get()).json()
    assert body["code"] == 200 and body["error"] is None
    assert body["msg"] == f" {len(body['data'])} records were found"
    assert len(body["data"]) > 20
    assert set(body["data"][0]) == {
        "type_interaction", "result", "date", "telephone", "customer_id", "conn_id",
    }  # fmt: skip


async def test_conn_ids_are_unique_dotted_and_carry_the_local_date_of_the_call(api: Api) -> None:
    seen: dict[str, dict[str, str]] = {}
    for _ in range(12):
        now = api.clock.now()
        for record in await api.calls():
            match = CONN_ID.match(record["conn_id"])
            assert match, record["conn_id"]
            at = datetime.fromtimestamp(int(match.group(1)), UTC)
            assert now - timedelta(minutes=10) < at <= now
            assert record["date"] == at.astimezone(BOGOTA).strftime("%Y-%m-%d %H:%M:%S")
            assert seen.setdefault(record["conn_id"], record) == record
        api.clock.advance(timedelta(minutes=5))
    assert len(seen) > 300


async def test_consecutive_polls_overlap_and_the_window_slides(api: Api) -> None:
    first = {r["conn_id"]: r for r in await api.calls()}
    api.clock.advance(timedelta(minutes=5))
    second = {r["conn_id"]: r for r in await api.calls()}
    shared = first.keys() & second.keys()
    assert shared and first.keys() - second.keys() and second.keys() - first.keys()
    assert all(first[c] == second[c] for c in shared)
    cutoff = (T0 - timedelta(minutes=5)).astimezone(BOGOTA).strftime("%Y-%m-%d %H:%M:%S")
    assert all(first[c]["date"] <= cutoff for c in first.keys() - second.keys())


async def test_same_seed_same_calls_other_seed_other_calls() -> None:
    bodies = []
    for seed in (7, 7, 8):
        async for started in _api(seed=seed):
            bodies.append((await started.get()).content)
    assert bodies[0] == bodies[1] != bodies[2]


def test_memory_stays_bounded_and_evicted_minutes_come_back_identical() -> None:
    model = TrafficModel(seed=1, timezone=BOGOTA, cache_minutes=30)
    first = model.window("tok-a", T0)
    for minutes in range(5, 180, 5):
        model.window("tok-a", T0 + timedelta(minutes=minutes))
        model.window("tok-b", T0 + timedelta(minutes=minutes))
    assert model.cached_minutes <= 30
    assert model.window("tok-a", T0) == first


async def test_tokens_are_separate_operations(api: Api) -> None:
    a, b = await api.calls("tok-a"), await api.calls("tok-b")
    assert {r["conn_id"] for r in a}.isdisjoint(r["conn_id"] for r in b)


async def test_night_is_quiet_and_business_hours_are_busy(api: Api) -> None:
    api.clock.set(datetime(2026, 1, 19, 3, 0, tzinfo=BOGOTA))
    night = len(await api.calls())
    api.clock.set(datetime(2026, 1, 19, 10, 0, tzinfo=BOGOTA))
    day = len(await api.calls())
    assert night * 5 < day


async def test_mix_of_types_and_results_is_the_documented_one(api: Api) -> None:
    records = []
    for _ in range(6):
        records += await api.calls()
        api.clock.advance(timedelta(minutes=10))
    types = [r["type_interaction"] for r in records]
    assert set(types) <= set(CallType) and set(r["result"] for r in records) <= set(CallResult)
    assert types.count("inbound") > len(types) / 2
    assert types.count("out_pre") > types.count("transfer") > 0
    inbound = [r["result"] for r in records if r["type_interaction"] == "inbound"]
    assert 0 < inbound.count("abandon") < 0.1 * len(inbound)
    outbound = {r["result"] for r in records if r["type_interaction"] in OUTBOUND}
    assert {"answer", "no answer", "busy", "answer machine"} <= outbound


async def _hour_of_calls(api: Api) -> list[tuple[float, dict[str, str]]]:
    """Every call of the 60 minutes after T0 once, with its minute offset from T0."""
    calls: dict[str, dict[str, str]] = {}
    for _ in range(12):
        api.clock.advance(timedelta(minutes=5))
        calls.update((r["conn_id"], r) for r in await api.calls())
    t0 = T0.timestamp()
    return [((int(c.split(".")[3]) - t0) / 60, r) for c, r in calls.items()]


def _share(calls: list[dict[str, str]], types: set[str], results: set[str]) -> float:
    chosen = [r for r in calls if r["type_interaction"] in types]
    return sum(r["result"] in results for r in chosen) / len(chosen)


SURGE = ({"inbound"}, {"abandon"})
TRUNK = (OUTBOUND, {"chanunavail", "congestion"})


@pytest.mark.parametrize(
    ("scenario", "span", "measure", "inside", "outside"),
    [
        ("abandon_surge", (10, 25), SURGE, 0.20, 0.10),
        ("trunk_failure", (10, 25), TRUNK, 0.50, 0.15),
        ("demo", (10, 25), SURGE, 0.20, 0.10),
        ("demo", (30, 45), TRUNK, 0.50, 0.15),
        ("normal", (10, 25), SURGE, 0.00, 0.10),
    ],
)
async def test_scenarios_change_the_mix_only_in_their_span(
    scenario: str,
    span: tuple[int, int],
    measure: tuple[set[str], set[str]],
    inside: float,
    outside: float,
) -> None:
    async for api in _api(scenario=scenario, volume=3.0):
        calls = await _hour_of_calls(api)
    during = [r for minute, r in calls if span[0] <= minute < span[1]]
    other = [r for minute, r in calls if not span[0] - 1 <= minute < span[1] + 1]
    assert _share(during, *measure) > inside
    assert _share(other, *measure) < outside
    if scenario == "normal":
        assert _share(during, *measure) < outside


async def test_silence_has_no_calls_in_its_span_and_traffic_around_it() -> None:
    async for api in _api(scenario="silence"):
        minutes = [minute for minute, _ in await _hour_of_calls(api)]
    assert not [m for m in minutes if 10 <= m < 25]
    assert [m for m in minutes if m < 10] and [m for m in minutes if m >= 25]


async def test_set_scenario_plays_from_now_and_keeps_served_calls(api: Api) -> None:
    before = await api.calls()
    api.sim.set_scenario("silence")
    assert await api.calls() == before
    api.clock.advance(timedelta(minutes=25))
    assert await api.calls() == []


async def test_a_scenario_can_start_part_way_through_and_served_minutes_stay(api: Api) -> None:
    api.sim.set_scenario("abandon_surge")
    api.clock.advance(timedelta(minutes=5))
    before = {r["conn_id"]: r for r in await api.calls()}
    api.sim.set_scenario("abandon_surge", elapsed=timedelta(minutes=10))
    api.clock.advance(timedelta(minutes=5))
    switched = (T0 + timedelta(minutes=5)).timestamp() // 60 * 60
    calls = await api.calls()
    kept = [r for r in calls if int(CONN_ID.match(r["conn_id"])[1]) < switched]  # type: ignore[index]
    since = [r for r in calls if int(CONN_ID.match(r["conn_id"])[1]) >= switched + 60]  # type: ignore[index]
    assert kept and all(before[r["conn_id"]] == r for r in kept)
    assert _share(since, *SURGE) > 0.20
    api.sim.set_scenario("normal")
    api.clock.advance(timedelta(minutes=10))
    assert _share(await api.calls(), *SURGE) < 0.10


async def test_latency_makes_two_pollers_on_one_token_overlap_and_outlasts_the_client(
    api: Api,
) -> None:
    api.sim.latency, api.sim.keeps_working = 0.3, True
    first = asyncio.create_task(api.get())
    await _until(lambda: api.sim.in_flight("tok-a") == 1)
    assert (await api.get()).status_code == 403
    assert (await first).status_code == 200
    with pytest.raises(httpx.ReadTimeout):
        await api.http.get(
            PATH, params={"api": "calls_last_10"}, headers={"wolkvox-token": "tok-a"}, timeout=0.05
        )
    assert api.sim.in_flight("tok-a") == 1  # still worked on after the client left
    await _until(lambda: api.sim.in_flight("tok-a") == 0)
    assert api.sim.max_concurrent_per_token == 2 and api.sim.concurrency_rejections == 1


ERRORS = [
    (Fault.HTTP_500, 500, None),
    (Fault.HTTP_502, 502, None),
    (Fault.HTTP_503, 503, None),
    (Fault.BAD_API, 400, "THE API YOU WANT TO CONSULT DOES NOT EXIST"),
    (Fault.MISSING_PARAMS, 400, "SOME PARAMETERS ARE REQUIRED"),
    (Fault.TOKEN_MISSING, 401, "PLEASE ENTER THE WOLKVOX-TOKEN"),
    (Fault.TOKEN_INVALID, 403, "PLEASE VALIDATE TOKEN"),
    (Fault.TOKEN_LIMIT, 403, "TOKEN LIMIT EXCEEDED"),
    (Fault.CONCURRENCY, 403, "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"),
    (Fault.FORBIDDEN_UNKNOWN, 403, "ACCESS TEMPORARILY RESTRICTED"),
    (Fault.BACKUP_403, 403, None),
    (Fault.NOT_FOUND_EMPTY, 404, " 0 records were found"),
]


@pytest.mark.parametrize(("fault", "status", "msg"), ERRORS)
async def test_error_faults_send_the_documented_status_and_body(
    api: Api, fault: Fault, status: int, msg: str | None
) -> None:
    api.sim.set_fault(fault, times=1)
    response = await api.get()
    assert response.status_code == status
    if msg is None:
        assert "html" in response.headers["content-type"] or status == 500
        with pytest.raises(json.JSONDecodeError):
            response.json()
    else:
        assert response.json()["msg"] == msg and response.json()["code"] == status
    assert (await api.get()).status_code == 200


def _not_json(response: httpx.Response) -> bool:
    try:
        response.json()
    except json.JSONDecodeError:
        return True
    return False


BODIES: list[tuple[Fault, Callable[[httpx.Response], bool]]] = [
    (Fault.MALFORMED_JSON, _not_json),
    (Fault.PHP_WARNING, lambda r: _not_json(r) and r.content.find(b'{"code"') > 0),
    (Fault.PHP_NOTICES, lambda r: r.content.startswith(b"PHP Deprecated:")),
    (Fault.BOM, lambda r: r.content.startswith(b"\xef\xbb\xbf")),
    (Fault.PHP_FATAL, lambda r: _not_json(r) and b"Fatal error" in r.content),
    (Fault.TRUNCATED_BODY, _not_json),
    (Fault.HTML_ERROR_PAGE, lambda r: _not_json(r) and "text/html" in r.headers["content-type"]),
    (Fault.JSON_AS_HTML, lambda r: "text/html" in r.headers["content-type"] and r.json()["data"]),
    (Fault.DATA_NULL, lambda r: r.json()["data"] is None),
    (Fault.DATA_OBJECT, lambda r: "conn_id" in r.json()["data"]),
    (Fault.DATA_MISSING, lambda r: "data" not in r.json() and r.json()["code"] == 200),
    (Fault.STRING_CODE, lambda r: r.json()["code"] == "200" and r.json()["data"]),
    (Fault.EMPTY_WINDOW, lambda r: r.json()["data"] == [] and "0 records" in r.json()["msg"]),
]


@pytest.mark.parametrize(("fault", "check"), BODIES)
async def test_body_faults_answer_200_with_the_bent_body(
    api: Api, fault: Fault, check: Callable[[httpx.Response], bool]
) -> None:
    api.sim.set_fault(fault)
    response = await api.get()
    assert response.status_code == 200 and check(response)


def _spellings(records: list[Any]) -> bool:
    values = [r["type_interaction"] for r in records] + [r["result"] for r in records]
    canonical = {normalise_type(r["type_interaction"]) for r in records} | {
        normalise_result(r["result"]) for r in records
    }
    return (
        canonical <= set(CallType) | set(CallResult)
        and any(v.isupper() for v in values)
        and any("-" in v for v in values)
        and not set(values) <= set(CallType) | set(CallResult)
    )


RECORDS: list[tuple[Fault, Callable[[list[Any]], bool]]] = [
    (Fault.OLD_FIELD_NAMES, lambda d: all({"type_call", "tel_number"} <= r.keys() for r in d)),
    (Fault.OLD_FIELD_NAMES, lambda d: not any("type_interaction" in r for r in d)),
    (Fault.ODD_SPELLINGS, _spellings),
    (Fault.COMPACT_DATES, lambda d: all(re.fullmatch(r"\d{14}", r["date"]) for r in d)),
    (Fault.MINUTE_DATES, lambda d: all(re.fullmatch(r"[\d-]{10} \d\d:\d\d", r["date"]) for r in d)),
    (Fault.HOSTILE_VALUES, lambda d: "<!channel>" in str(d) and "<@U123>" in str(d)),
    (Fault.HOSTILE_VALUES, lambda d: any(len(v) >= 10_000 for r in d for v in r.values())),
    (
        Fault.HOSTILE_VALUES,
        lambda d: any("\x00" in v or "\x1b" in v for r in d for v in r.values()),
    ),
    (Fault.BAD_ROWS, lambda d: any(not isinstance(r, dict) for r in d)),
    (Fault.BAD_ROWS, lambda d: any(isinstance(r, dict) and not r.get("conn_id") for r in d)),
    (Fault.DUPLICATE_CONN_IDS, lambda d: len({r["conn_id"] for r in d}) < len(d)),
]


@pytest.mark.parametrize(("fault", "check"), RECORDS)
async def test_record_faults_bend_the_records(
    api: Api, fault: Fault, check: Callable[[list[Any]], bool]
) -> None:
    api.sim.set_fault(fault)
    data = (await api.get()).json()["data"]
    assert data and check(data)


async def test_connection_drop_cuts_the_announced_body(api: Api) -> None:
    api.sim.set_fault(Fault.CONNECTION_DROP, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await api.get()
    assert (await api.get()).status_code == 200


@pytest.mark.parametrize("count", [60_000, 1_234])
async def test_over_limit_serves_exactly_the_configured_number_of_records(count: int) -> None:
    async for api in _api(over_limit_records=count):
        api.sim.set_fault("over_limit")
        first = (await api.get()).json()
        again = (await api.get()).json()
    assert len(first["data"]) == count and first == again
    assert len({r["conn_id"] for r in first["data"]}) == count


async def test_fault_times_counts_requests_and_none_lasts_until_cleared(api: Api) -> None:
    api.sim.set_fault(Fault.HTTP_503, times=2)
    assert [(await api.get()).status_code for _ in range(3)] == [503, 503, 200]
    api.sim.set_fault("http_500")
    assert [(await api.get()).status_code for _ in range(3)] == [500, 500, 500]
    api.sim.set_fault(None)
    assert (await api.get()).status_code == 200


async def _until(condition: Callable[[], bool]) -> None:
    """Let the server's tasks run until `condition` holds (3 s at most)."""
    for _ in range(600):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never held")


async def test_slow_fault_outlasts_a_client_timeout(api: Api) -> None:
    api.sim.slow_seconds = 30
    api.sim.set_fault(Fault.SLOW, times=1)
    with pytest.raises(httpx.ReadTimeout):
        await api.http.get(
            PATH, params={"api": "calls_last_10"}, headers={"wolkvox-token": "tok-a"}, timeout=0.2
        )
    await _until(lambda: api.sim.in_flight("tok-a") == 0)
    assert (await api.get()).status_code == 200


async def test_overlapping_requests_on_one_token_get_the_concurrency_error(api: Api) -> None:
    api.sim.slow_seconds = 30
    api.sim.set_fault(Fault.SLOW, times=1)
    held = asyncio.create_task(api.get(token="tok-a"))
    await _until(lambda: api.sim.in_flight("tok-a") == 1)
    overlapping = await api.get(token="tok-a")
    other_token = await api.get(token="tok-b")
    api.sim.release_slow()
    assert (await held).status_code == 200
    assert overlapping.status_code == 403
    assert overlapping.json()["msg"] == "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"
    assert other_token.status_code == 200
    assert api.sim.max_concurrent_per_token == 2 and api.sim.concurrency_rejections == 1


async def test_sequential_requests_never_count_as_concurrent(api: Api) -> None:
    for token in ("tok-a", "tok-a", "tok-b", "tok-a"):
        assert (await api.get(token=token)).status_code == 200
    await api.get(token=None)
    assert api.sim.requests_total == 5
    assert api.sim.requests_per_token == {"tok-a": 3, "tok-b": 1}
    assert api.sim.max_concurrent_per_token == 1 and api.sim.concurrency_rejections == 0


async def test_only_valid_tokens_are_accepted_when_a_set_is_given() -> None:
    async for api in _api(valid_tokens={"good"}):
        assert (await api.get(token="good")).status_code == 200
        refused = await api.get(token="bad")
    assert refused.status_code == 403 and refused.json()["msg"] == "PLEASE VALIDATE TOKEN"


async def test_daily_limit_per_token_resets_at_local_midnight() -> None:
    async for api in _api(daily_limit=3):
        statuses = [(await api.get(token="tok-a")).status_code for _ in range(4)]
        limited = await api.get(token="tok-a")
        other = await api.get(token="tok-b")
        api.clock.set(datetime(2026, 1, 20, 0, 0, 1, tzinfo=BOGOTA))
        next_day = await api.get(token="tok-a")
    assert statuses == [200, 200, 200, 403]
    assert limited.json()["msg"] == "TOKEN LIMIT EXCEEDED"
    assert other.status_code == 200 and next_day.status_code == 200


@pytest.mark.parametrize(
    ("api_name", "status", "msg"),
    [
        ("nope", 400, "THE API YOU WANT TO CONSULT DOES NOT EXIST"),
        ("", 400, "SOME PARAMETERS ARE REQUIRED"),
        ("skills", 400, "SOME PARAMETERS ARE REQUIRED"),
    ],
)
async def test_bad_requests_get_the_vendor_400(
    api: Api, api_name: str, status: int, msg: str
) -> None:
    response = await api.get(api_name)
    assert response.status_code == status and response.json()["msg"] == msg


async def test_agents_and_skills_answer_in_the_vendor_spelling(api: Api) -> None:
    agents = (await api.get("agents")).json()["data"]
    skills = (await api.get("skills", skill_id="all")).json()["data"]
    assert agents and {"agent_id", "agent_name", "agent_status", "ocupation"} <= agents[0].keys()
    assert len(skills) == 3 and all(re.fullmatch(r"\d+\.\d\d %", s["by_abandon"]) for s in skills)
    one = (await api.get("skills", skill_id="102")).json()["data"]
    assert [s["skill_id"] for s in one] == ["102"]


async def test_start_refuses_a_non_loopback_address() -> None:
    with pytest.raises(ValueError, match="loopback"):
        await WolkvoxSimulator().start(host="0.0.0.0")


def test_unknown_scenario_and_fault_are_refused() -> None:
    with pytest.raises(ValueError, match="known scenarios"):
        WolkvoxSimulator(scenario="chaos")
    with pytest.raises(ValueError):
        WolkvoxSimulator().set_fault("gremlins")


def test_description_lists_every_scenario_timing_and_fault() -> None:
    text = describe_cli()
    assert all(name in text for name in SCENARIOS)
    assert re.search(r"demo +min 10-25 +abandon_surge", text)
    assert re.search(r"min 30-45 +trunk_failure", text)
    assert all(fault.value in text for fault in Fault)


@pytest.mark.parametrize(("fault", "status"), [(None, 200), ("http_503", 503)])
async def test_serve_forever_prints_its_url_and_serves_until_cancelled(
    capsys: pytest.CaptureFixture[str], fault: str | None, status: int
) -> None:
    task = asyncio.create_task(
        serve_forever(
            port=0,
            scenario="demo",
            seed=3,
            speed=60,
            clock=SimulatedClock(datetime.now(UTC), speed=60),
            fault=fault,
        )
    )
    output = ""

    def printed() -> bool:
        nonlocal output
        output += capsys.readouterr().out
        return "http://127.0.0.1:" in output

    await _until(printed)
    url = re.search(r"http://127\.0\.0\.1:\d+", output)
    assert url
    async with httpx.AsyncClient(base_url=url.group(0)) as http:
        response = await http.get(
            PATH, params={"api": "calls_last_10"}, headers={"wolkvox-token": "t"}
        )
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert response.status_code == status

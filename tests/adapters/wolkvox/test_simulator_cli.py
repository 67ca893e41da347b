"""`callbot simulate` tells a newcomer where to point a client, and what went wrong."""

from __future__ import annotations

import asyncio
import io
import logging
import re

import httpx
import pytest

from bot.adapters.clock import SystemClock
from bot.adapters.wolkvox.simulator import PATH, WolkvoxSimulator
from bot.adapters.wolkvox.simulator_cli import log_requests, serve_forever
from bot.cli import main
from bot.logevents import FIELDS_ATTR

TOKEN = "tok-9f2c7e1a"


async def test_the_start_line_gives_the_full_url_and_says_any_token_works() -> None:
    out = io.StringIO()
    task = asyncio.ensure_future(
        serve_forever(
            port=0, scenario="normal", seed=1, speed=1.0, clock=SystemClock(), fault=None, out=out
        )
    )
    try:
        for _ in range(200):
            if out.getvalue():
                break
            await asyncio.sleep(0.01)
        text = out.getvalue()
        match = re.search(r"http://127\.0\.0\.1:\d+/api/v2/real_time\.php\?api=calls_last_10", text)
        assert match is not None, text
        assert "any wolkvox-token works" in text
        async with httpx.AsyncClient() as client:
            answer = await client.get(match.group(0), headers={"wolkvox-token": "anything"})
        assert answer.status_code == 200 and answer.json()["code"] == 200
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.parametrize("path", ["/", "/api/v2/real_time", "/api/v1/real_time.php"])
async def test_an_unknown_path_is_a_404_naming_the_valid_ones(path: str) -> None:
    async with WolkvoxSimulator() as sim, httpx.AsyncClient(base_url=sim.base_url) as client:
        answer = await client.get(path, headers={"wolkvox-token": TOKEN})
    assert answer.status_code == 404
    assert f"serves no GET {path}." in answer.text
    for query in ("api=calls_last_10", "api=agents", "api=skills&skill_id=all"):
        assert f"GET {sim.base_url}{PATH}?{query}" in answer.text


def test_list_speaks_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--list"]) == 0
    out = capsys.readouterr().out
    assert "--fault NAME" in out and "--scenario NAME" in out
    assert "set_fault" not in out
    assert re.search(r"^  http_500 ", out, re.MULTILINE) and "abandon_surge" in out


@pytest.mark.parametrize(
    ("option", "named"), [("--fault=nope", "http_500"), ("--scenario=nope", "abandon_surge")]
)
def test_an_unknown_fault_or_scenario_is_a_usage_error_naming_the_known_ones(
    option: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["simulate", "--port", "0", option])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unknown" in err and named in err and "Traceback" not in err


async def test_verbose_logs_one_line_per_request_and_never_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="callbot.simulator")
    sim = WolkvoxSimulator()
    await sim.start(middlewares=[log_requests])
    try:
        async with httpx.AsyncClient(base_url=sim.base_url) as client:
            headers = {"wolkvox-token": TOKEN}
            await client.get(f"{PATH}?api=calls_last_10", headers=headers)
            await client.get(f"{PATH}?api=agents")
            await client.get("/nowhere", headers=headers)
    finally:
        await sim.stop()
    lines = [getattr(r, FIELDS_ATTR) for r in caplog.records if r.name == "callbot.simulator"]
    assert [(f["path"], f.get("api"), f["status"]) for f in lines] == [
        (PATH, "calls_last_10", 200),
        (PATH, "agents", 401),
        ("/nowhere", None, 404),
    ]
    assert all(f["event"] == "simulator_request" and f["bytes"] > 0 for f in lines)
    assert TOKEN not in caplog.text

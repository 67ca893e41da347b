"""`callbot demo` as a newcomer runs it: a real process, no credentials, exit 0, and the
output shows an alert firing, being updated and resolving, plus a /calls last10 summary."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.runtime


def test_the_demo_fires_updates_and_resolves_then_exits_0(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CALLBOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--minutes", "40", "--speed", "200"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "🟠 Warning: abandon-rate · bogota" in out or "🔴 Critical: abandon-rate · bogota" in out
    assert "✎ edited" in out
    assert "✅ Resolved: abandon-rate · bogota" in out
    assert "Resolved after" in out  # the thread note under the original message
    assert "/calls last10" in out and "Calls in the last 10 minutes · bogota" in out
    assert "[ Acknowledge ] [ Silence 1 h ]" in out
    # issue15: the abandon alert shows the queue that explains it and the agents by state
    assert re.search(r"Queues\n  [^\n]+: waiting \d+ · abandon [\d.]+% · service level", out)
    assert re.search(r"Agents\n  ready \d+ · talking \d+ · after-call work \d+", out)
    assert list(tmp_path.iterdir()) == []  # the store was a temporary file, gone now
    assert "Traceback" not in done.stderr


def test_an_unknown_scenario_is_refused_with_the_known_ones() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--scenario", "nope"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown scenario 'nope'" in done.stderr and "abandon_surge" in done.stderr


async def test_with_slack_the_demo_posts_to_the_channel_instead() -> None:
    from tests.fakes.slack_api import FakeSlackApi

    token = "xoxb-demo-0000-secret"
    async with FakeSlackApi(bot_token=token) as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CALLBOT_"))}
        env |= {"SLACK_BOT_TOKEN": token, "SLACK_API_URL": slack.api_url}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "demo",
            "--minutes",
            "16",
            "--speed",
            "300",
            "--slack",
            "C0DEMOCHAN1",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()
        # The demo's supervisor acknowledges it too (issue 12): that note is a thread reply.
        messages = slack.messages("C0DEMOCHAN1")
        [alert] = [m for m in messages if "abandon-rate" in m["text"] and "thread_ts" not in m]
        assert alert["metadata"]["event_type"] == "callbot_incident"
        assert any("acknowledged" in m["text"] for m in slack.thread("C0DEMOCHAN1", alert["ts"]))
        assert "#callbot-demo" not in out.decode()  # nothing printed as a channel message
        assert token not in out.decode() + err.decode()

"""`callbot doctor` against the fake Slack Web API and the Wolkvox simulator, failure by
failure: each failing check is marked, carries its fix, and makes the exit status 1;
nothing after a broken configuration is attempted; no secret is printed (issue 17)."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.store.sqlite import SQLiteStore
from bot.adapters.store.sqlite_schema import LATEST
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.doctor import run_doctor
from tests.fakes.slack_api import FakeSlackApi
from tests.runtime.bot_process import free_port
from tests.support import config as support_config
from tests.support.config import env_ref, operation, rule

BOT_TOKEN = "xoxb-doctor-0000-bot-token-91ab"
APP_TOKEN = "xapp-1-A0APP-doctor-app-token-77"
SIGNING_SECRET = "doctor-signing-secret-4c2d"
WOLKVOX_TOKEN = "wv-doctor-token-5e6f"
CHANNEL = "C0ALERTS1"
RULE_CHANNEL = "C0RULES22"
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, WOLKVOX_TOKEN)


def write_config(tmp_path: Path, base_url: str, *, language: str = "en") -> Path:
    return support_config.write_config(
        tmp_path / "callbot.yml",
        language=language,
        store={"path": tmp_path / "callbot.sqlite3"},
        channel=CHANNEL,
        operations=[
            operation(token=env_ref("WOLKVOX_TOKEN"), licenses=2, base_url=base_url),
        ],
        rules=[
            rule(match={"type": ["inbound"]}, window="10m", warning=5, channel=RULE_CHANNEL),
        ],
    )


def env_for(slack: FakeSlackApi | None, **overrides: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "WOLKVOX_TOKEN": WOLKVOX_TOKEN,
        "SLACK_API_URL": slack.api_url if slack else f"http://127.0.0.1:{free_port()}/api/",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v}


async def doctor(
    config: Path, env: dict[str, str], *, http: bool = False, wolkvox: bool = False
) -> tuple[int, str]:
    out = io.StringIO()
    code = await run_doctor(str(config), http=http, wolkvox=wolkvox, env=env, out=out)
    text = out.getvalue()
    for secret in SECRETS:
        assert secret not in text
    return code, text


def line_of(text: str, start: str) -> str:
    found = [line for line in text.splitlines() if line.startswith(start)]
    assert found, f"no line starts with {start!r} in:\n{text}"
    return found[0]


def fix_after(text: str, start: str) -> str:
    lines = text.splitlines()
    index = lines.index(line_of(text, start))
    assert lines[index + 1].strip().startswith(("fix:", "solución:")), text
    return lines[index + 1]


@pytest.fixture
async def world(tmp_path):
    async with (
        FakeSlackApi(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack,
        WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN], volume=3) as simulator,
    ):
        yield slack, simulator, write_config(tmp_path, simulator.base_url)


async def test_a_healthy_setup_passes_every_check_in_order(world) -> None:
    slack, simulator, config = world

    code, text = await doctor(config, env_for(slack), wolkvox=True)

    assert code == 0, text
    subjects = [line.split(":")[0] for line in text.splitlines() if line.startswith("[ok]")]
    assert subjects == [
        "[ok]   configuration",
        "[ok]   Slack bot token",
        "[ok]   bot token scopes",
        "[ok]   Socket Mode app token",
        f"[ok]   alert channel {CHANNEL}",
        f"[ok]   alert channel {RULE_CHANNEL}",
        f"[ok]   store {config.parent / 'callbot.sqlite3'}",
        "[ok]   Wolkvox operation bogota",
    ]
    announce = text.index("-> bogota: one calls_last_10 request now")
    assert announce < text.index("[ok]   Wolkvox operation bogota")
    assert "1 of the 2000 calls a day Wolkvox allows this token" in text
    assert "calls in the last 10 minutes" in line_of(text, "[ok]   Wolkvox operation bogota")
    assert simulator.requests_for(WOLKVOX_TOKEN) == 1, "one budget call, no retry"
    assert text.rstrip().endswith("All 8 checks passed.")
    assert not (config.parent / "callbot.sqlite3").exists(), "doctor creates nothing"


async def test_without_wolkvox_no_budget_is_spent(world) -> None:
    slack, simulator, config = world
    code, text = await doctor(config, env_for(slack))
    assert code == 0, text
    assert simulator.requests_total == 0
    assert "Wolkvox" not in text


async def test_an_invalid_configuration_names_the_field_and_skips_the_rest(tmp_path) -> None:
    config = tmp_path / "callbot.yml"
    config.write_text("operations:\n  - name: bogota\n    licenses: -3\n", encoding="utf-8")

    code, text = await doctor(config, env_for(None))

    assert code == 1
    assert "[FAIL] configuration:" in text and str(config) in text and "licenses" in text
    assert "callbot check-config" in text
    assert "[skip] Slack bot token: needs a valid configuration" in text


async def test_a_refused_bot_token_is_told_with_its_fix_and_channels_are_skipped(world) -> None:
    slack, _, config = world
    slack.rotate_token("xoxb-someone-else")

    code, text = await doctor(config, env_for(slack))

    assert code == 1
    assert "[FAIL] Slack bot token: Slack refused it (invalid_auth)" in text
    assert "SLACK_BOT_TOKEN" in fix_after(text, "[FAIL] Slack bot token")
    assert f"[skip] alert channel {CHANNEL}: needs a working bot token" in text
    assert not slack.calls_to("conversations.history")


async def test_an_unreachable_slack_is_not_called_a_refused_token(tmp_path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9")
    code, text = await doctor(config, env_for(None))
    assert code == 1
    assert "[FAIL] Slack bot token: Slack could not be reached" in text
    assert "refused" not in line_of(text, "[FAIL] Slack bot token")
    assert "firewall" in fix_after(text, "[FAIL] Slack bot token")


async def test_a_missing_scope_is_named_with_what_it_is_for(world) -> None:
    slack, _, config = world
    slack.scopes = ["chat:write", "commands"]

    code, text = await doctor(config, env_for(slack))

    assert code == 1
    assert "[FAIL] bot token scopes: missing channels:history" in text
    fix = fix_after(text, "[FAIL] bot token scopes")
    assert "reinstall" in fix and "after a crash" in fix


async def test_a_channel_the_bot_is_not_in_says_invite_it(world) -> None:
    slack, _, config = world
    slack.outside.add(RULE_CHANNEL)

    code, text = await doctor(config, env_for(slack))

    assert code == 1
    assert f"[ok]   alert channel {CHANNEL}" in text
    assert f"[FAIL] alert channel {RULE_CHANNEL}: the bot is not a member" in text
    assert "/invite @callbot" in fix_after(text, f"[FAIL] alert channel {RULE_CHANNEL}")


async def test_a_refused_or_missing_app_token_in_socket_mode(world) -> None:
    slack, _, config = world
    code, text = await doctor(config, env_for(slack, SLACK_APP_TOKEN="xapp-1-wrong"))
    assert code == 1
    assert "[FAIL] Socket Mode app token: Slack refused it (invalid_auth)" in text
    assert "connections:write" in fix_after(text, "[FAIL] Socket Mode app token")

    code, text = await doctor(config, env_for(slack, SLACK_APP_TOKEN=""))
    assert "[FAIL] Socket Mode app token: SLACK_APP_TOKEN is not set" in text


async def test_http_mode_checks_the_signing_secret_instead(world) -> None:
    slack, _, config = world
    code, text = await doctor(config, env_for(slack, SLACK_APP_TOKEN=""), http=True)
    assert code == 0, text
    assert "[ok]   HTTP mode signing secret" in text and "app token" not in text

    code, text = await doctor(config, env_for(slack, SLACK_SIGNING_SECRET=""), http=True)
    assert code == 1
    assert "Signing Secret" in fix_after(text, "[FAIL] HTTP mode signing secret")


@pytest.mark.parametrize(
    ("version", "status", "words"),
    [
        (LATEST, "[ok]  ", "(current)"),
        (1, "[ok]  ", f"migrates it to {LATEST} at start"),
        (LATEST + 1, "[FAIL]", "newer than this callbot knows"),
    ],
)
async def test_the_store_schema_version_is_read_without_changing_it(
    world, version: int, status: str, words: str
) -> None:
    slack, _, config = world
    store = config.parent / "callbot.sqlite3"
    with sqlite3.connect(store) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        conn.executemany(
            "INSERT INTO schema_version VALUES (?)", [(n,) for n in range(1, version + 1)]
        )

    code, text = await doctor(config, env_for(slack))

    assert words in line_of(text, f"{status} store")
    assert code == (1 if status == "[FAIL]" else 0)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == version


async def test_a_refused_wolkvox_connection_gives_the_firewall_hint(world, tmp_path) -> None:
    slack, _, _ = world
    config = write_config(tmp_path, f"http://127.0.0.1:{free_port()}")

    code, text = await doctor(config, env_for(slack), wolkvox=True)

    assert code == 1
    assert "[FAIL] Wolkvox operation bogota" in text
    fix = fix_after(text, "[FAIL] Wolkvox operation bogota")
    assert "firewall" in fix and "IP" in fix and "0004" in fix


async def test_a_refused_wolkvox_token_says_make_a_new_one(world) -> None:
    slack, simulator, config = world
    code, text = await doctor(config, env_for(slack, WOLKVOX_TOKEN="wv-wrong"), wolkvox=True)
    assert code == 1
    assert "Tokens" in fix_after(text, "[FAIL] Wolkvox operation bogota")
    assert simulator.requests_total == 1


async def test_spanish_configuration_gets_a_spanish_checklist(world, tmp_path) -> None:
    slack, simulator, _ = world
    config = write_config(tmp_path, simulator.base_url, language="es")
    slack.outside.add(CHANNEL)

    code, text = await doctor(config, env_for(slack), wolkvox=True)

    assert code == 1
    assert f"[FALLA] canal de alertas {CHANNEL}: el bot no es miembro" in text
    assert "solución: escriba /invite @callbot" in text
    assert "-> bogota: una consulta calls_last_10 ahora" in text
    assert "1 de 8 comprobaciones fallaron." in text


def test_the_command_line_runs_it_and_fails_on_a_missing_file(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "doctor", "--config", str(tmp_path / "absent.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "[FAIL] configuration" in done.stdout and "absent.yml" in done.stdout


async def test_a_store_the_bot_created_is_current(world) -> None:
    slack, _, config = world
    store = SQLiteStore(path=config.parent / "callbot.sqlite3")
    await store.open()
    await store.close()

    code, text = await doctor(config, env_for(slack))

    assert code == 0, text
    assert f"schema version {LATEST} (current)" in line_of(text, "[ok]   store")

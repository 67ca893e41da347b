"""End to end over real HTTP on 127.0.0.1: the real Bolt app, the command service, the
monitor, the outbox drainer and SlackChat, against the fake Slack Web API.

Signed slash commands and button clicks go in; chat.postMessage, chat.update,
views.publish and response_url posts come out and are read back from the fake.
Wolkvox is a hand-written CallSource; time is a ManualClock.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.app import build_app, build_web_client
from bot.adapters.slack.authorizer import SlackAuthorizer
from bot.adapters.slack.blocks import ACK_ACTION, SILENCE_1H_ACTION
from bot.adapters.slack.http_server import HttpServer, start_http
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.presenter import SlackPresenter
from bot.bootstrap import calls_frontend
from bot.domain.calls import CallRecord
from bot.services.authorization import AllowAll, Authorizer
from bot.services.delivery import OutboxDrainer
from bot.services.monitor import Monitor
from bot.services.state import RuntimeState
from bot.settings import parse_settings
from tests.fakes.slack_api import (
    FakeSlackApi,
    post_block_action,
    post_event,
    post_raw,
    post_slash_command,
)
from tests.fakes.slack_requests import signed_request_headers, slash_command_body
from tests.services.fakes import Batch, FakeSource
from tests.support.config import config_text, rule
from tests.support.slack_text import texts
from tests.support.world import assembled

SECRET = "e2e-signing-secret-41d7"
BOT_TOKEN = "xoxb-e2e-bot-token-93ab"
CHANNEL = "C0ALERTS1"
ADMIN = "U0ANA"


def config(language: str, mask: bool) -> str:
    abandons = rule(window="10m", warning=3, critical=6, recover=2, mention="<!subteam^S0123>")
    return config_text(rules=[abandons], language=language, mask_personal_data=mask)


T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
HOSTILE = ("<!channel>", "<@U123>", "<!everyone>", "<!here>")
PHONE = "3001234567"


def calls(now: datetime, abandons: int, answers: int = 20, *, hostile: bool = False) -> Batch:
    """A calls_last_10 answer: calls over the last 5 minutes, optionally with values a
    hostile or broken Wolkvox could send (Slack markup as results, types and ids)."""
    stamp = f"{now:%H%M}"
    records = [
        CallRecord(
            conn_id=f"{stamp}-{i}",
            at=now - timedelta(minutes=1 + i % 5),
            call_type="inbound",
            result="abandon" if i < abandons else "answer",
            telephone=PHONE,
            customer_id=f"CUST-{i:06d}",
        )
        for i in range(abandons + answers)
    ]
    if hostile:
        records += [
            CallRecord(f"{stamp}-x1", now - timedelta(minutes=2), "inbound", "<!channel>"),
            CallRecord(f"{stamp}-x2", now - timedelta(minutes=2), "<@U123>", "answer"),
            CallRecord(
                f"{stamp}-x3",
                now - timedelta(minutes=1),
                "inbound",
                "answer",
                telephone=f"<!here> {PHONE}",
                customer_id="<!everyone>",
            ),
        ]
    return Batch(records=records)


@dataclass
class Bot:
    slack: FakeSlackApi
    server: HttpServer
    state: RuntimeState
    clock: ManualClock
    source: FakeSource
    monitor: Monitor
    drainer: OutboxDrainer
    bodies: list[str]
    _clicks: itertools.count[int]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"

    async def cycle(self, batch: Batch) -> None:
        """One poll, its deliveries, and a minute later."""
        self.source.queue("bogota", batch)
        await self.monitor.poll("bogota")
        await self.drainer.drain_once()
        self.clock.advance(timedelta(minutes=1))

    async def command(self, text: str, user: str = ADMIN) -> dict[str, Any]:
        result = await post_slash_command(self.url, SECRET, text, user_id=user)
        assert result.status == 200, result.text
        self.bodies.append(result.text)
        answer: dict[str, Any] = result.json()
        return answer

    async def click(self, action_id: str, value: str, user: str = ADMIN) -> dict[str, Any]:
        """Click a button; return the ephemeral answer posted to the response_url."""
        rid = f"click{next(self._clicks)}"
        result = await post_block_action(
            self.url,
            SECRET,
            action_id=action_id,
            value=value,
            user_id=user,
            channel_id=CHANNEL,
            response_url=self.slack.response_url(rid),
        )
        assert result.status == 200
        await self.slack.wait_until(lambda: any(r["id"] == rid for r in self.slack.responses))
        await self.drainer.drain_once()
        return next(r for r in self.slack.responses if r["id"] == rid)

    def incident(self) -> str:
        incident = self.state.alerts.get("abandons", "bogota").incident_id
        assert incident is not None
        return incident

    def top_level(self) -> list[dict[str, Any]]:
        return [m for m in self.slack.messages(CHANNEL) if "thread_ts" not in m]

    def chat_calls(self) -> list[str]:
        return [c.method for c in self.slack.calls if c.method.startswith("chat.")]


@asynccontextmanager
async def running(
    *, language: str = "en", mask: bool = True, admin_group: str | None = None
) -> AsyncIterator[Bot]:
    settings = parse_settings(config(language, mask), source="e2e.yml", env={})
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        client = build_web_client(bot_token=BOT_TOKEN, api_url=slack.api_url)
        clock = ManualClock(T0)
        source = FakeSource()
        authorizer: Authorizer = AllowAll()
        if admin_group is not None:
            authorizer = SlackAuthorizer(client=client, admins=frozenset(), admin_group=admin_group)
        runtime = assembled(
            settings,
            clock=clock,
            source=source,
            chat=SlackChat(client=client),
            presenter=SlackPresenter(language=language, mask_personal_data=mask),
        )
        await runtime.store.open()
        state, monitor, drainer = runtime.state, runtime.monitor, runtime.drainer
        service = calls_frontend(runtime, authorizer=authorizer)
        app = build_app(frontend=service, bot_token=BOT_TOKEN, signing_secret=SECRET, client=client)
        server = await start_http(
            app, host="127.0.0.1", port=0, health=lambda: (True, "ok"), metrics=lambda: b""
        )
        try:
            yield Bot(slack, server, state, clock, source, monitor, drainer, [], itertools.count(1))
        finally:
            await server.stop()


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with running() as started:
        yield started


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "/calls silence &lt;rule&gt; &lt;duration&gt; [reason]"),
        ("help", "/calls: what I can do"),
        ("last10", "*24* calls"),
        ("last 10 inbound", "Only inbound calls"),
        ("10m bogota", "Calls in the last 10 minutes · bogota"),
        ("last30", "I only have the last 10 minutes of calls"),
        ("status", "*Alerts firing*\n1"),
        ("alerts", "*abandons* · bogota: firing since 10:00"),
        ("rules", "*abandons* (count) · bogota: 4, firing"),
        ("silence abandons 1h lunch", "silenced *abandons* (all operations) until 11:01"),
        ("unsilence abandons", "abandons* (all operations) is not silenced"),
        ("ack abandons", "<@U0ANA> acknowledged *abandons* (bogota)"),
        ("ack nope", "I don't know the rule `nope`"),
        ("history", "*abandons* · bogota: warning since 10:00, still firing (1 minute), peak 4"),
        ("historial abandons 2 horas", "History · last 2 hours"),
        ("last10 lima", "I don't know the operation `lima`"),
        ("garbage", "I don't know `garbage`."),
    ],
)
async def test_every_subcommand_is_answered_in_the_acknowledgement(
    bot: Bot, text: str, expected: str
) -> None:
    await bot.cycle(calls(bot.clock.now(), abandons=4))

    answer = await bot.command(text)

    assert expected in texts(answer)
    assert answer["response_type"] == "ephemeral"
    assert bot.source.calls == ["bogota"]  # answered from memory, Wolkvox never asked


async def test_public_answers_go_to_the_channel(bot: Bot) -> None:
    await bot.cycle(calls(bot.clock.now(), abandons=0))

    assert (await bot.command("last10 public"))["response_type"] == "in_channel"
    assert (await bot.command("status publico"))["response_type"] == "in_channel"


async def test_a_bad_signature_gets_401_and_changes_nothing(bot: Bot) -> None:
    body = slash_command_body("silence abandons 1h", user_id=ADMIN)

    result = await post_raw(bot.url, body, signed_request_headers("not-the-secret", body))

    assert result.status == 401
    assert bot.state.silences.silences == ()


async def test_an_incident_fires_updates_and_resolves_in_one_living_message(bot: Bot) -> None:
    await bot.cycle(calls(bot.clock.now(), abandons=0))
    assert bot.chat_calls() == []

    await bot.cycle(calls(bot.clock.now(), abandons=4))  # 4 >= warning 3
    [post] = bot.slack.calls_to("chat.postMessage")
    assert post.params["metadata"]["event_payload"] == {"incident_id": bot.incident()}
    [message] = bot.top_level()
    shown = texts(message)
    assert "Warning: abandons · bogota" in shown and "warning at 3" in shown
    assert "<!subteam^S0123>" not in shown  # mentions only on critical
    buttons = [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["callbot_ack", "callbot_silence_1h", "callbot_silence_tomorrow"]

    await bot.cycle(calls(bot.clock.now(), abandons=4))  # 8 >= critical 6
    [message] = bot.top_level()
    assert "Critical: abandons · bogota" in texts(message)
    [escalated] = bot.slack.thread(CHANNEL, message["ts"])
    assert "Escalated to critical" in escalated["text"]
    assert "<!subteam^S0123>" in escalated["text"]

    for _ in range(12):  # the abandons age out of the 10-minute window
        await bot.cycle(calls(bot.clock.now(), abandons=0))
    [message] = bot.top_level()
    assert "Resolved: abandons · bogota" in texts(message)
    assert not [b for b in message["blocks"] if b["type"] == "actions"]
    assert "Resolved after" in bot.slack.thread(CHANNEL, message["ts"])[-1]["text"]
    methods = bot.chat_calls()
    assert methods[:3] == ["chat.postMessage", "chat.update", "chat.postMessage"]  # escalation
    assert methods[-2:] == ["chat.update", "chat.postMessage"]  # resolved, then its note
    assert set(methods[3:-2]) <= {"chat.update"}  # the numbers changing, edited in place


async def test_acknowledge_and_silence_buttons(bot: Bot) -> None:
    await bot.cycle(calls(bot.clock.now(), abandons=4))
    incident = bot.incident()
    [message] = bot.top_level()

    first = await bot.click(ACK_ACTION, incident, user="U0ANA")
    second = await bot.click(ACK_ACTION, incident, user="U0BEA")

    assert "<@U0ANA> acknowledged *abandons* (bogota)" in first["text"]
    assert "already acknowledged" in second["text"]
    assert first["response_type"] == "ephemeral"
    acked = bot.slack.message(CHANNEL, message["ts"]) or {}
    assert "Acknowledged by <@U0ANA>" in texts(acked)
    assert "callbot_ack" not in json.dumps(acked["blocks"])
    notes = [m["text"] for m in bot.slack.thread(CHANNEL, message["ts"])]
    assert len([n for n in notes if "acknowledged" in n]) == 1

    silenced = await bot.click(SILENCE_1H_ACTION, incident, user="U0BEA")
    again = await bot.click(SILENCE_1H_ACTION, incident, user="U0BEA")

    assert "<@U0BEA> silenced *abandons* (bogota) until 11:01" in silenced["text"]
    assert "silenced" in again["text"]
    assert len(bot.state.silences.silences) == 1
    assert "Silenced by <@U0BEA> until 11:01" in texts(bot.slack.message(CHANNEL, message["ts"]))
    notes = [m["text"] for m in bot.slack.thread(CHANNEL, message["ts"])]
    assert len([n for n in notes if "silenced" in n]) == 1


async def test_only_the_admin_group_may_press_the_buttons() -> None:
    async with running(admin_group="S0ADMINS") as bot:
        bot.slack.usergroups["S0ADMINS"] = ["U0ANA"]
        await bot.cycle(calls(bot.clock.now(), abandons=4))

        refused = await bot.click(ACK_ACTION, bot.incident(), user="U0STRANGER")
        accepted = await bot.click(ACK_ACTION, bot.incident(), user="U0ANA")

        assert "you may not change *abandons*" in refused["text"]
        assert "<@U0ANA> acknowledged" in accepted["text"]
        assert len(bot.slack.calls_to("usergroups.users.list")) == 1  # cached


async def test_hostile_values_are_never_sent_unescaped(bot: Bot) -> None:
    await bot.cycle(calls(bot.clock.now(), abandons=4, hostile=True))
    await bot.cycle(calls(bot.clock.now(), abandons=4, hostile=True))
    for text in ("last10", "last10 inbound", "status", "alerts", "rules", "ack abandons"):
        await bot.command(text)
    await bot.click(SILENCE_1H_ACTION, bot.incident())
    result = await post_event(
        bot.url, SECRET, {"type": "app_home_opened", "user": ADMIN, "tab": "home"}
    )
    assert result.status == 200
    await bot.slack.wait_for("views.publish")

    sent = [json.dumps(c.params, ensure_ascii=False) for c in bot.slack.calls]
    sent += [json.dumps(r, ensure_ascii=False) for r in bot.slack.responses]
    sent += [json.dumps(json.loads(b), ensure_ascii=False) for b in bot.bodies]
    everything = "\n".join(sent)
    for markup in HOSTILE:
        assert markup not in everything
    assert "&lt;!channel&gt;" in everything and "&lt;@U123&gt;" in everything  # shown, escaped
    assert PHONE not in everything and "CUST-000001" not in everything
    assert "•••• 4567" in everything


async def test_phone_numbers_are_shown_when_masking_is_off() -> None:
    async with running(mask=False) as bot:
        await bot.cycle(calls(bot.clock.now(), abandons=0, hostile=True))

        answer = json.dumps(await bot.command("last10"), ensure_ascii=False)

        assert PHONE in answer and "CUST-0000" in answer
        assert "&lt;!here&gt; " + PHONE in answer and "<!here>" not in answer


async def test_the_home_tab_is_published_when_opened(bot: Bot) -> None:
    await bot.cycle(calls(bot.clock.now(), abandons=4))

    await post_event(bot.url, SECRET, {"type": "app_home_opened", "user": ADMIN, "tab": "home"})
    [publish] = await bot.slack.wait_for("views.publish")

    assert publish.params["user_id"] == ADMIN
    shown = texts(publish.params["view"])
    assert "bogota" in shown and "*abandons* · bogota: firing" in shown


async def test_spanish() -> None:
    async with running(language="es") as bot:
        await bot.cycle(calls(bot.clock.now(), abandons=4))

        [message] = bot.top_level()
        posted = json.dumps(message, ensure_ascii=False)
        answer = await bot.command("estado")
        clicked = await bot.click(ACK_ACTION, bot.incident())

        assert "Advertencia: abandons · bogota" in posted
        assert "Reconocer" in posted and "Silenciar hasta mañana 08:00" in posted
        assert "Estado de las consultas" in texts(answer)
        assert "<@U0ANA> reconoció *abandons* (bogota)" in clicked["text"]


async def test_when_the_admin_group_cannot_be_read_nobody_is_let_in() -> None:
    async with running(admin_group="S0GONE") as bot:
        await bot.cycle(calls(bot.clock.now(), abandons=4))

        refused = await bot.click(ACK_ACTION, bot.incident(), user="U0ANA")

        assert "you may not change *abandons*" in refused["text"]
        assert bot.state.alerts.get("abandons", "bogota").acked_by is None

"""The demo's terminal chat: Slack messages as a person reads them, with edits and threads."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.console import ConsoleChat, plain_text, render_message
from bot.adapters.slack.presenter import SlackPresenter
from bot.services.ports.chat import ChatError, ChatErrorKind
from bot.services.views.alert import AlertEvent
from tests.adapters.slack import samples

PRESENTER = SlackPresenter(language="en", mask_personal_data=True)


@pytest.mark.parametrize(
    ("mrkdwn", "shown"),
    [
        ("Abandoned calls: *18.4%* of 49", "Abandoned calls: 18.4% of 49"),
        ("_Inbound callers_ &amp; &lt;b&gt;", "Inbound callers & <b>"),
        ("Acknowledged by <@U0ACKER1>", "Acknowledged by @U0ACKER1"),
        ("<!subteam^S0ONCALL> look", "@S0ONCALL look"),
        ("<!here> now", "@here now"),
        ("<https://example.com|the docs>", "the docs (https://example.com)"),
        (":red_circle: Critical", "🔴 Critical"),
        ("`██░░` busy", "██░░ busy"),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
    ],
)
def test_markup_is_undone(mrkdwn, shown) -> None:
    assert plain_text(mrkdwn) == shown


def test_an_alert_reads_header_numbers_sparkline_and_buttons() -> None:
    lines = render_message(PRESENTER.alert_message(samples.alert()))
    assert lines[0] == "🔴 Critical: abandon-rate · bogota"
    assert lines[1] == "Abandoned calls: 18.4% of 49 inbound calls; critical at 15%"
    assert any("Last hour: ▁▁▁▁▁▂" in line for line in lines)
    assert lines[-1] == "[ Acknowledge ] [ Silence 1 h ] [ Silence until tomorrow 08:00 ]"


def test_a_message_without_blocks_shows_its_text() -> None:
    assert render_message({"text": "Resolved: *abandon-rate*", "blocks": []}) == [
        "Resolved: abandon-rate"
    ]


async def test_post_edit_reply_and_find_like_slack() -> None:
    out = io.StringIO()
    clock = ManualClock(samples.NOW)
    chat = ConsoleChat(clock=clock, out=out, timezone=samples.TZ, channel_names={"C0A": "alerts"})
    view = samples.alert()
    ts = await chat.post("C0A", PRESENTER.alert_message(view), incident_id="inc-42")
    assert await chat.find("C0A", "inc-42", since=samples.NOW - timedelta(hours=1)) == ts
    assert await chat.find("C0A", "inc-43", since=samples.NOW - timedelta(hours=1)) is None

    clock.advance(timedelta(minutes=1))
    await chat.update("C0A", ts, PRESENTER.alert_message(samples.alert(value=0.2)))
    resolved = samples.alert(state="resolved", resolved_at=clock.now())
    await chat.update("C0A", ts, PRESENTER.alert_message(resolved))
    note = PRESENTER.thread_note(resolved, AlertEvent.RESOLVED.value)
    reply_ts = await chat.reply("C0A", ts, note, key="outbox-9")

    text = out.getvalue()
    assert text.count("#alerts") == 2  # the post, then the resolved edit in full
    assert "14:33 ✎ edited 🔴 Critical: abandon-rate · bogota: Abandoned calls: 20.0%" in text
    assert "#alerts ✎ edited" in text and "✅ Resolved: abandon-rate · bogota" in text
    assert "    ↳ 14:33 in the thread of “✅ Resolved: abandon-rate · bogota”" in text
    assert [m.ts for m in chat.top_level()] == [ts]
    assert len(chat.thread(ts)) == 1
    assert await chat.find_reply("C0A", ts, "outbox-9") == reply_ts
    assert await chat.find_reply("C0A", ts, "outbox-10") is None


async def test_editing_or_replying_to_an_unknown_message_fails_like_slack() -> None:
    chat = ConsoleChat(clock=ManualClock(samples.NOW), out=io.StringIO())
    with pytest.raises(ChatError, match="message_not_found") as edited:
        await chat.update("C0A", "1.0", {"text": "x"})
    with pytest.raises(ChatError, match="thread_not_found") as replied:
        await chat.reply("C0A", "1.0", {"text": "x"}, key="outbox-1")
    assert edited.value.kind is replied.value.kind is ChatErrorKind.MESSAGE_GONE

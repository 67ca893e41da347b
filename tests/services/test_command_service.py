"""The `/calls` use cases answer with view models: plain data, no blocks, no words, no Slack.

The Slack frontend (tests/adapters/slack/test_commands.py and its neighbours) words them;
here the answers are read as data, the way a second frontend would read them.
"""

from __future__ import annotations

from datetime import timedelta

from bot.services import command_types as ct
from bot.services.authorization import AllowList
from bot.services.commands import Button, CommandService
from bot.services.ports import SourceError
from bot.services.views.alert import ActionKind, ActionResultView
from bot.services.views.replies import Last10View, NoticeKind, NoticeView
from tests.support.frontend_world import ADMIN, World, make_world, mix


def service_of(world: World) -> CommandService:
    commands = world.service._commands
    assert isinstance(commands, CommandService)
    return commands


async def test_last10_is_a_view_per_operation_or_the_notice_saying_why_not() -> None:
    world = await make_world(operations=("bogota", "lima"))
    commands = service_of(world)
    await world.poll(mix(world.clock.now()), operation="bogota")
    await world.poll(
        SourceError("token rejected (401)", kind="token_rejected", transient=False), "lima"
    )
    scope = commands.scope(None)
    assert isinstance(scope, list)
    now = world.clock.now()

    bogota, lima = commands.last10(ct.Last10(), scope, now)
    healths = commands.health(scope, now)

    assert isinstance(bogota, Last10View) and bogota.total == 23 and bogota.tz == "America/Bogota"
    assert lima == NoticeView(NoticeKind.NO_DATA_YET, subject="lima")
    assert [h.never_succeeded for h in healths] == [False, True]
    assert healths[1].last_error_kind == "token_rejected"


async def test_names_resolve_case_blind_and_an_unknown_one_lists_the_known() -> None:
    world = await make_world(operations=("bogota", "lima"))
    commands = service_of(world)

    found = commands.scope("LIMA")
    missing = commands.scope("quito")

    assert isinstance(found, list) and [op.name for op in found] == ["lima"]
    assert missing == NoticeView(NoticeKind.UNKNOWN_OPERATION, "quito", ("bogota", "lima"))


async def test_a_silence_is_the_result_of_the_action_and_a_refusal_a_notice() -> None:
    world = await make_world(authorizer=AllowList([ADMIN]))
    commands = service_of(world)
    await world.poll(mix(world.clock.now(), abandons=7))

    refused = await commands.control(ct.Silence("abandons", timedelta(hours=1)), user="U0GUEST")
    done = await commands.control(ct.Silence("ABANDONS", timedelta(hours=1)), user=ADMIN)

    assert refused == NoticeView(NoticeKind.NOT_ALLOWED)
    assert isinstance(done, ActionResultView)
    assert (done.kind, done.rule, done.actor) == (ActionKind.SILENCED, "abandons", ADMIN)
    assert done.until == world.clock.now() + timedelta(hours=1)


async def test_a_button_on_an_incident_the_bot_does_not_know_is_a_notice() -> None:
    world = await make_world()
    commands = service_of(world)

    answer = await commands.press(Button.ACKNOWLEDGE, "not-an-incident", user=ADMIN)

    assert answer == NoticeView(NoticeKind.UNKNOWN_RULE, "not-an-incident")

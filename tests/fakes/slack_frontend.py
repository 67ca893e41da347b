"""A hand-written SlackFrontend for transport tests."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.adapters.slack.ports import ActionRequest, CommandRequest, Reply


class FakeFrontend:
    """Records what the listeners hand over and answers with programmable replies."""

    def __init__(self) -> None:
        self.commands: list[CommandRequest] = []
        self.actions: list[ActionRequest] = []
        self.home_users: list[str] = []
        self.command_reply = Reply(
            text="12 calls in the last 10 minutes",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*12 calls*"}}],
        )
        self.action_reply: Reply | None = Reply(text="Acknowledged by <@U0USER>")
        self.error: Exception | None = None
        self.block_commands = False

    async def on_command(self, request: CommandRequest) -> Reply:
        self.commands.append(request)
        if self.block_commands:
            await asyncio.Event().wait()
        if self.error is not None:
            raise self.error
        return self.command_reply

    async def on_action(self, request: ActionRequest) -> Reply | None:
        self.actions.append(request)
        if self.error is not None:
            raise self.error
        return self.action_reply

    async def home_view(self, user_id: str) -> dict[str, Any]:
        self.home_users.append(user_id)
        return {
            "type": "home",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "ops"}}],
        }

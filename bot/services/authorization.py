"""Who may silence, unsilence and acknowledge: a small port the command service asks.

Reading data is open to anyone who can use /calls; changing what the bot says
in a channel is not, when the configuration names admins or an admin group.
The Slack implementation (a user group resolved through the Web API) lives in
bot.adapters.slack.authorizer; these two are for tests, the demo and a fixed list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Authorizer(Protocol):
    async def allowed(self, user_id: str) -> bool:
        """Whether `user_id` may silence, unsilence and acknowledge alerts."""
        ...


class AllowAll:
    """Anyone who can use the command (the default when no admins are configured)."""

    async def allowed(self, user_id: str) -> bool:
        return True


class AllowList:
    """Exactly the listed Slack user ids."""

    def __init__(self, users: Iterable[str]) -> None:
        self._users = frozenset(users)

    async def allowed(self, user_id: str) -> bool:
        return user_id in self._users

"""The configured admins and admin user group, checked against Slack.

`slack.admins` (user ids) and `slack.admin_group` (a user group id) say who may
silence, unsilence and acknowledge; with neither, anyone may. The group's
members are read with usergroups.users.list (scope `usergroups:read`) and kept
for `ttl_s`, so a click does not wait on Slack each time. When Slack cannot be
asked, the last known members still count; with none known, the answer is no:
a failure must not open the controls to everyone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.notifier import chat_error

LOOKUP_TIMEOUT_S = 1.5
"""Slash commands must be answered within 3 s: a slow lookup is a failed lookup."""

_log = logging.getLogger("callbot.slack.authorizer")


class SlackAuthorizer:
    """Implements `bot.services.authorization.Authorizer` for a Slack workspace."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        admins: frozenset[str],
        admin_group: str | None,
        ttl_s: float = 300,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._admins = frozenset(admins)
        self._group = admin_group or None
        self._ttl = ttl_s
        self._monotonic = monotonic
        self._members: frozenset[str] | None = None
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    @property
    def restricted(self) -> bool:
        return bool(self._admins) or self._group is not None

    async def allowed(self, user_id: str) -> bool:
        if not self.restricted:
            return True
        if user_id in self._admins:
            return True
        if self._group is None:
            return False
        return user_id in await self._group_members(self._group)

    async def _group_members(self, group: str) -> frozenset[str]:
        async with self._lock:
            now = self._monotonic()
            fresh = self._fetched_at is not None and now - self._fetched_at < self._ttl
            if self._members is not None and fresh:
                return self._members
            try:
                async with asyncio.timeout(LOOKUP_TIMEOUT_S):
                    response = await self._client.usergroups_users_list(usergroup=group)
            except Exception as exc:
                kind = "timeout" if isinstance(exc, TimeoutError) else chat_error(exc).kind
                _log.warning("event=admin_group_lookup_failed error=%s", kind)
                return self._members or frozenset()
            self._members = frozenset(str(u) for u in response.get("users") or [])
            self._fetched_at = now
            return self._members

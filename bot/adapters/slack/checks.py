"""Asking Slack whether the bot can do its job: the token, its scopes, the channels.

Used at start by `callbot run` (a refused bot token stops it; a channel the bot is not in
is a loud warning and a /healthz reason) and by `callbot doctor`. Each answer says which
of three things happened, because they call for different actions: Slack refused
(a person must fix a token or invite the bot), Slack could not be asked (the network or
Slack itself: wait and try again), or all is well. Nothing here logs or returns a token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.model import Settings

REFUSED_TOKEN_ERRORS: Final = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
        "team_access_not_granted",
    }
)
"""auth.test / apps.connections.open answers that no waiting will fix."""

CHECK_TIMEOUT_S: Final = 15.0
"""One check never holds the start longer than this: then Slack counts as unreachable."""

_log = logging.getLogger("callbot.slack.checks")


class Outcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """What auth.test (or apps.connections.open) said. `detail` is Slack's error code or
    the kind of connection failure; `scopes` the x-oauth-scopes header, when sent."""

    outcome: Outcome
    detail: str = ""
    scopes: frozenset[str] | None = None
    team: str = ""
    user: str = ""


class Membership(StrEnum):
    MEMBER = "member"
    OUTSIDE = "not_in_channel"
    NOT_FOUND = "channel_not_found"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    channel: str
    membership: Membership
    detail: str = ""


def alert_channels(settings: Settings) -> list[str]:
    """Every channel the bot may post alerts to: each operation's and each rule's."""
    found = [op.channel for op in settings.operations]
    found += [rule.channel for rule in settings.rules if rule.channel]
    return list(dict.fromkeys(found))


def needed_scopes(settings: Settings) -> dict[str, str]:
    """The bot scopes the configured features need, each with what it is for."""
    needed = {
        "chat:write": "post and edit alert messages",
        "commands": "the /calls slash command",
        "channels:history": "find an alert message again after a crash instead of reposting",
    }
    if settings.slack.admin_group:
        needed["usergroups:read"] = "resolve slack.admin_group"
    return needed


def _scopes(headers: Mapping[str, Any] | None) -> frozenset[str] | None:
    for key, value in dict(headers or {}).items():
        if str(key).lower() == "x-oauth-scopes":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            return frozenset(s.strip() for s in str(raw).split(",") if s.strip())
    return None


def _api_failure(exc: SlackApiError) -> tuple[Outcome, str]:
    response = exc.response
    status = int(getattr(response, "status_code", 200) or 200)
    data = getattr(response, "data", None)
    code = str(data.get("error") or "") if isinstance(data, dict) else ""
    if status == 429 or status >= 500:
        return Outcome.UNREACHABLE, code or f"http_{status}"
    if code in REFUSED_TOKEN_ERRORS:
        return Outcome.REFUSED, code
    return Outcome.UNREACHABLE, code or f"http_{status}"


async def check_token(client: AsyncWebClient, *, method: str = "auth.test") -> TokenCheck:
    """Ask Slack whether the client's token works: auth.test for a bot token,
    apps.connections.open for an app-level token (it opens nothing until connected)."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            response = await client.api_call(method)
    except SlackApiError as exc:
        outcome, detail = _api_failure(exc)
        return TokenCheck(outcome, detail, scopes=_scopes(exc.response.headers))
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        return TokenCheck(Outcome.UNREACHABLE, type(exc).__name__)
    return TokenCheck(
        Outcome.OK,
        scopes=_scopes(response.headers),
        team=str(response.get("team") or ""),
        user=str(response.get("user") or ""),
    )


async def check_channel(client: AsyncWebClient, channel: str) -> ChannelCheck:
    """Is the bot a member of `channel`? Asked with conversations.history (limit 1), which
    the manifest's channels:history/groups:history already allow: Slack answers
    not_in_channel (public) or channel_not_found (private, or no such channel)."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await client.conversations_history(channel=channel, limit=1)
    except SlackApiError as exc:
        _, detail = _api_failure(exc)
        if detail == "not_in_channel":
            return ChannelCheck(channel, Membership.OUTSIDE, detail)
        if detail == "channel_not_found":
            return ChannelCheck(channel, Membership.NOT_FOUND, detail)
        return ChannelCheck(channel, Membership.UNKNOWN, detail)
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        return ChannelCheck(channel, Membership.UNKNOWN, type(exc).__name__)
    return ChannelCheck(channel, Membership.MEMBER)


async def check_channels(client: AsyncWebClient, channels: Iterable[str]) -> list[ChannelCheck]:
    return [await check_channel(client, channel) for channel in channels]


@dataclass(slots=True)
class SlackWatch:
    """Slack as `callbot run` last found it, for /healthz: checked at start, then again
    every `recheck_every_s` while anything is wrong (a channel the bot was invited to
    since, a Slack that came back)."""

    client: AsyncWebClient
    channels: list[str]
    recheck_every_s: float = 60.0
    token: TokenCheck | None = None
    problems: dict[str, str] = field(default_factory=dict)

    async def check(self) -> TokenCheck:
        """Check the token, then (if it works) the channels; log what changed."""
        token = await check_token(self.client)
        previous, self.token = self.problems, token
        problems: dict[str, str] = {}
        if token.outcome is Outcome.REFUSED:
            problems["token"] = f"slack: the bot token is refused ({token.detail})"
        elif token.outcome is Outcome.UNREACHABLE:
            problems["token"] = f"slack: not reachable ({token.detail}); checking again"
        else:
            for found in await check_channels(self.client, self.channels):
                reason = channel_problem(found)
                if reason is not None:
                    problems[found.channel] = reason
        self.problems = problems
        self._log_changes(previous, problems)
        return token

    def _log_changes(self, before: dict[str, str], after: dict[str, str]) -> None:
        for key, reason in after.items():
            if before.get(key) != reason:
                _log.error("event=slack_problem subject=%s reason=%r", key, reason)
        for key in before.keys() - after.keys():
            _log.info("event=slack_problem_cleared subject=%s", key)

    def health(self) -> tuple[bool, str]:
        if not self.problems:
            return True, "ok"
        return False, "; ".join(self.problems.values())

    async def run(self) -> None:
        """Re-check while something is wrong; cancelled at stop."""
        while True:
            await asyncio.sleep(self.recheck_every_s)
            if self.problems:
                try:
                    await self.check()
                except Exception as exc:
                    _log.warning("event=slack_check_failed error=%s", type(exc).__name__)


def channel_problem(found: ChannelCheck) -> str | None:
    """The /healthz reason for a channel the bot cannot post in, or None."""
    if found.membership is Membership.OUTSIDE:
        return (
            f"slack: the bot is not in channel {found.channel} (invite it there: /invite @callbot)"
        )
    if found.membership is Membership.NOT_FOUND:
        return (
            f"slack: channel {found.channel} not found (a private channel the bot is not in, "
            "or a wrong id)"
        )
    if found.membership is Membership.UNKNOWN:
        return f"slack: cannot check channel {found.channel} ({found.detail}); checking again"
    return None

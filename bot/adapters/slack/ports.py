"""The seam between Slack's transport and the bot's use cases.

The Bolt listeners in ``app.py`` only translate Slack payloads into the small requests below
and hand them to a :class:`SlackFrontend`; they know nothing about calls or alerts. The Slack
frontend (frontend.py) implements the port over the services' use cases, so both sides are
testable alone: the listeners with a hand-written frontend, the use cases without Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """A `/calls ...` invocation, stripped of everything the use cases do not need."""

    user_id: str
    channel_id: str
    team_id: str
    text: str
    response_url: str


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """A click on one of the bot's buttons (action ids starting with ``callbot_``).

    ``channel_id`` and ``message_ts`` are empty when the button was not in a channel message
    (a Home tab button, for instance). ``value`` is whatever the button carried: ids only.
    """

    user_id: str
    channel_id: str
    message_ts: str
    action_id: str
    value: str
    response_url: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the user sees in answer: the `text` fallback is always required (notifications,
    screen readers); ``in_channel`` makes it visible to the whole channel."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    in_channel: bool = False


class SlackFrontend(Protocol):
    """The use cases behind the Slack listeners.

    Slack waits 3 seconds for a slash command's acknowledgement, and the reply travels in
    that acknowledgement: ``on_command`` must answer from in-memory data only (the latest
    poll's snapshot), never by calling Wolkvox or a slow store while Slack waits.
    """

    async def on_command(self, request: CommandRequest) -> Reply:
        """Answer a `/calls` command; unknown text gets a usage reply, not an exception."""
        ...

    async def on_action(self, request: ActionRequest) -> Reply | None:
        """Handle a button click (already acknowledged); a Reply is shown to the clicker only.

        Clicks may arrive twice (double click, Slack retry): implementations are idempotent.
        """
        ...

    async def home_view(self, user_id: str) -> dict[str, Any]:
        """The Home tab view (``{"type": "home", "blocks": [...]}``) for this user, now."""
        ...

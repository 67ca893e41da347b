"""Where and as whom the client calls Wolkvox for one operation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CALLS_PER_LICENSE = 1000
"""The vendor's daily call allowance per licence, shared by every v2 API."""

_SERVER_CODE = re.compile(r"[0-9]{4}")
_BASE_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~\-/]*)?")


@dataclass(frozen=True, slots=True, repr=False)
class WolkvoxTarget:
    """One operation's Wolkvox endpoint and token, validated on construction.

    The server code is checked as four digits before it goes into a host name,
    so configuration can never point the token at another host by accident.
    `base_url` overrides the host (staging, the simulator, tests). The token is
    left out of `repr`; `budget_key` names the token in counters and persisted
    state without revealing it. `reserved_calls` is the part of the daily
    allowance kept for other integrations that use the same token.
    """

    name: str
    server: str
    token: str = field(repr=False)
    timezone: str = "America/Bogota"
    licenses: int = 1
    base_url: str | None = None
    reserved_calls: int = 0
    attempts: int | None = None
    """Requests one poll may make on this token (None: the client's own limit); set from
    the configuration's worst-case budget so retries never spend past the allowance."""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("an operation needs a name")
        if not _SERVER_CODE.fullmatch(self.server):
            raise ValueError(
                f"operation {self.name!r}: the server code must be 4 digits, zero-padded "
                f"(like 0004), not {self.server!r}"
            )
        if not self.token or not self.token.isprintable() or any(c.isspace() for c in self.token):
            raise ValueError(
                f"operation {self.name!r}: the token is empty or contains spaces or control "
                "characters; copy it again from wolkvox Manager"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"operation {self.name!r}: unknown timezone {self.timezone!r} "
                "(use an IANA name such as America/Bogota)"
            ) from None
        if self.licenses < 1:
            raise ValueError(f"operation {self.name!r}: licenses must be at least 1")
        if not 0 <= self.reserved_calls < self.licenses * CALLS_PER_LICENSE:
            raise ValueError(
                f"operation {self.name!r}: reserved_calls must be between 0 and "
                f"{self.licenses * CALLS_PER_LICENSE - 1} ({self.licenses} licences x "
                f"{CALLS_PER_LICENSE} calls a day)"
            )
        if self.base_url is not None and not _BASE_URL.fullmatch(self.base_url):
            raise ValueError(
                f"operation {self.name!r}: base_url must be http(s)://host[:port][/path], "
                f"not {self.base_url!r}"
            )

    def __repr__(self) -> str:
        return (
            f"WolkvoxTarget(name={self.name!r}, server={self.server!r}, token=<redacted>, "
            f"timezone={self.timezone!r}, licenses={self.licenses}, "
            f"base_url={self.base_url!r}, reserved_calls={self.reserved_calls})"
        )

    @property
    def root_url(self) -> str:
        """The base URL without a trailing slash."""
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        return f"https://wv{self.server}.wolkvox.com"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def daily_limit(self) -> int:
        """Calls a day the bot may spend: licences x 1000 minus the reserved share."""
        return self.licenses * CALLS_PER_LICENSE - self.reserved_calls

    @property
    def budget_key(self) -> str:
        """A stable, non-reversible label of the token (budgets are per token)."""
        return "tok-" + hashlib.sha256(self.token.encode()).hexdigest()[:16]

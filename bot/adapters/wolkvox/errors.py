"""Every way a Wolkvox call can fail, as a small typed hierarchy (httpx style).

Callers decide with two attributes and never by parsing text: `transient` says
whether repeating the same request soon may succeed (the client retries those
within the poll period), and `kind` is a short stable label for metrics and
logs. The message is written for the person who must act on it. None of these
ever carries the token: the client scrubs any message before raising.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar


class WolkvoxError(Exception):
    """Base of every Wolkvox failure.

    `operation` and `api` are filled in by the client so the text names the
    operation concerned; `attempts` says how many requests were tried.
    """

    kind: ClassVar[str] = "error"
    default_transient: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        transient: bool | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transient = self.default_transient if transient is None else transient
        self.status = status
        self.operation: str | None = None
        self.api: str | None = None
        self.attempts = 1

    def __str__(self) -> str:
        text = self.message.rstrip(".")
        if self.operation:
            text = f"operation {self.operation!r}: {text}"
        if self.attempts > 1:
            text = f"{text} (gave up after {self.attempts} attempts)"
        if self.transient:
            text = f"{text}; the next poll tries again"
        return f"{text}."

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, transient={self.transient})"

    def redact(self, secret: str) -> None:
        """Remove `secret` from the message: a server may echo what it was sent."""
        if secret and secret in self.message:
            self.message = self.message.replace(secret, "[redacted]")
            self.args = (self.message,)


class ConfigurationError(WolkvoxError):
    """The request itself is wrong (unknown API, missing parameter, bad URL): do not retry."""

    kind = "configuration"


class NotFoundError(WolkvoxError):
    """HTTP 404 with a web server's own page instead of a Wolkvox answer: the URL names no
    Wolkvox API (a wrong base_url or server code). Not retried within the poll (the same
    URL answers the same); polling goes on, failing visibly, so that a corrected address
    or a server that comes back is picked up without a restart."""

    kind = "not_found"


class TokenMissingError(WolkvoxError):
    """Wolkvox received no token (401): polling this operation stops until it is configured."""

    kind = "token_missing"


class TokenRejectedError(WolkvoxError):
    """Wolkvox refused the token (403 PLEASE VALIDATE TOKEN): wrong or expired."""

    kind = "token_rejected"


class QuotaExceededError(WolkvoxError):
    """The daily call budget is spent, by the server's word or the client's own count.

    `resumes_at` is the next local midnight of the operation (aware UTC) when known.
    """

    kind = "quota_exceeded"

    def __init__(
        self,
        message: str,
        *,
        resumes_at: datetime | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.resumes_at = resumes_at


class ConcurrencyLimitError(WolkvoxError):
    """Wolkvox refused a simultaneous request on the token: back off and retry."""

    kind = "concurrency_limit"
    default_transient = True


class ServerBackupError(WolkvoxError):
    """A 403 without a known reason, which Wolkvox answers during server backups."""

    kind = "server_backup"
    default_transient = True


class ServerError(WolkvoxError):
    """Wolkvox answered 5xx."""

    kind = "server_error"
    default_transient = True


class WolkvoxTimeout(WolkvoxError):
    """No complete answer within the time allowed."""

    kind = "timeout"
    default_transient = True


class WolkvoxConnectionError(WolkvoxError):
    """The connection could not be made or dropped (refused, DNS, reset)."""

    kind = "connection"
    default_transient = True


class PayloadError(WolkvoxError):
    """The body is not the documented envelope: bad JSON, an HTML page, cut off, odd shape."""

    kind = "payload"
    default_transient = True


class TokenBusyError(WolkvoxError):
    """Not sent: a request the client gave up on may still be running on the server.

    Wolkvox works on a request for up to its 60 s limit whether or not the client is
    still listening, and refuses a second one on the same token meanwhile; the poll
    is skipped instead of spending budget on a certain refusal.
    """

    kind = "token_busy"
    default_transient = True


class NotLeaseHolderError(WolkvoxError):
    """Not sent: another replica holds the operation's lease, or the previous holder's
    last request may still be running (issue 14: one request per token across replicas)."""

    kind = "not_lease_holder"


class ResponseTooLargeError(WolkvoxError):
    """The body went past the size cap; reading stopped there."""

    kind = "response_too_large"


ERROR_KINDS: tuple[str, ...] = tuple(
    cls.kind
    for cls in (
        ConfigurationError,
        NotFoundError,
        TokenMissingError,
        TokenRejectedError,
        QuotaExceededError,
        ConcurrencyLimitError,
        ServerBackupError,
        ServerError,
        WolkvoxTimeout,
        WolkvoxConnectionError,
        PayloadError,
        ResponseTooLargeError,
        TokenBusyError,
        NotLeaseHolderError,
    )
)
"""Every error `kind`, for declaring metric label values up front."""

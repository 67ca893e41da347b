"""What a PHP server prints before the JSON, recognised and skipped (pure).

Wolkvox's API is PHP. A PHP server with `display_errors` on prints its warnings,
notices and deprecation messages into the body, before the JSON, with or without
`html_errors` markup; a PHP file saved with a UTF-8 byte-order mark prints that
too. The JSON that follows is whole, and failing the poll for it would, on a
server that does it on every answer, hold every rule of the operation all day.
Only those lines (and blank space) are skipped: anything else before the JSON,
an HTML error page or a fatal error, is left for the caller to report.
`skip_noise` is pure; `NoiseLog` says it once per operation in the log.
"""

from __future__ import annotations

import logging
import re

BOM = b"\xef\xbb\xbf"
_SPACE = frozenset(b" \t\r\n")
_DIAGNOSTIC = re.compile(
    rb"(?:<br\s*/?>\s*)?(?:<b>)?(?:PHP\s+)?"
    rb"(Warning|Notice|Deprecated|Strict Standards|User Warning|User Notice|User Deprecated)"
    rb"(?:</b>)?:[^\n]*(?:\n|\Z)"
)
NOISE_KINDS: tuple[str, ...] = ("bom", "whitespace", "php_warning", "php_notice", "php_deprecated")
"""Every kind `skip_noise` reports, for declaring metric label values up front."""

Body = bytes | bytearray | memoryview


def skip_noise(body: Body) -> tuple[Body, tuple[str, ...]]:
    """The body from where its JSON may start, and what was skipped before it.

    One kind per skipped item, in order (a body with two warnings reports
    `php_warning` twice). A body that starts with `{` or `[` is returned as is.
    """
    if body[:1] in (b"{", b"["):
        return body, ()
    kinds: list[str] = []
    pos = 0
    if body[:3] == BOM:
        kinds.append("bom")
        pos = 3
    size = len(body)
    while True:
        start = pos
        while pos < size and body[pos] in _SPACE:
            pos += 1
        if pos > start:
            kinds.append("whitespace")
        found = _DIAGNOSTIC.match(body, pos)
        if found is None:
            break
        kinds.append(_kind(found.group(1)))
        pos = found.end()
    if pos == 0:
        return body, ()
    return memoryview(body)[pos:], tuple(kinds)


def _kind(level: bytes) -> str:
    word = level.decode("ascii").lower()
    if "deprecated" in word:
        return "php_deprecated"
    if "notice" in word or "strict" in word:
        return "php_notice"
    return "php_warning"


class NoiseLog:
    """Logs skipped output once per operation and API (the metric counts every one)."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def noticed(self, operation: str, api: str, noise: tuple[str, ...]) -> None:
        key = (operation, api)
        if key in self._seen:
            return
        self._seen.add(key)
        logging.getLogger("callbot.wolkvox.client").warning(
            "event=wolkvox_noise api=%s operation=%s skipped=%s note=%s",
            api,
            operation,
            ",".join(sorted(set(noise))),
            "the server printed this before the JSON, which was read; logged once, counted "
            "on callbot_wolkvox_noise_skipped_total",
        )

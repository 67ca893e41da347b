"""`store:`: SQLite by default (`path`), PostgreSQL when `url` is written.

The URL carries a password more often than not, so it is a `Secret` once validated and is
only ever shown through `redact_url` (the password replaced by `***`), in configuration
errors, logs, `callbot doctor` and the store's own error messages alike.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.config.errors import ProblemList
from bot.config.model import (
    DEFAULT_LEASE_TTL,
    DEFAULT_STORE_PATH,
    MAX_LEASE_TTL,
    MIN_LEASE_TTL,
    StoreSettings,
)
from bot.config.schema import StoreModel
from bot.config.secret import Secret

SCHEMES = ("postgresql", "postgres")
"""The URL schemes libpq (and so psycopg) reads."""

_USERINFO_PASSWORD = re.compile(r"(?P<head>://[^/@:]*):[^/@]*@")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<value>[^&]*)", re.IGNORECASE)


def redact_url(url: str) -> str:
    """`url` with any password (in the user part or as `password=`) shown as `***`."""
    masked = _USERINFO_PASSWORD.sub(r"\g<head>:***@", url, count=1)
    return _QUERY_PASSWORD.sub(r"\g<head>***", masked)


def redact_error(text: str, url: str) -> str:
    """An error message about `url` on one line, the URL's password, wherever it shows,
    as `***` (libpq's messages span lines: a log line or a checklist wants one)."""
    shown = " ".join(text.split()).replace(url, redact_url(url))
    for password in url_passwords(url):
        shown = shown.replace(password, "***")
    return shown


def url_passwords(url: str) -> list[str]:
    """Every password `url` carries (in its user part, or as `password=`), longest first,
    both as written and percent-decoded: a library's message or a traceback may show
    either, and the log redactor hides them all (bot.bootstrap.run.secrets_of)."""
    written = [match.group("value") for match in _QUERY_PASSWORD.finditer(url)]
    with contextlib.suppress(ValueError):  # not a URL: nothing more to find
        written.append(urlsplit(url).password or "")
    found = {form for value in written for form in (value, unquote(value)) if form}
    return sorted(found, key=len, reverse=True)


def url_problem(url: str) -> str | None:
    """Why `url` cannot name a PostgreSQL database, or None when it can."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid URL ({exc}): {redact_url(url)}"
    if parts.scheme not in SCHEMES:
        return (
            f"must be a postgresql:// URL (got {redact_url(url)!r}); for SQLite write "
            "store.path instead"
        )
    if port == 0:
        return f"has port 0: {redact_url(url)}"
    return None


def build_store(model: StoreModel | None, problems: ProblemList) -> StoreSettings:
    """The store settings; a `url` selects PostgreSQL, and then `path` must not be written."""
    path = Path((model and model.path) or DEFAULT_STORE_PATH)
    ttl = (model and model.lease_ttl) or DEFAULT_LEASE_TTL
    if not MIN_LEASE_TTL <= ttl <= MAX_LEASE_TTL:
        problems.add(
            "store",
            "lease_ttl",
            f"must be between 1s and 10m (got {ttl.total_seconds():g}s): a replica renews "
            "its leases every third of it",
        )
    if model is None or model.url is None:
        return StoreSettings(path=path, lease_ttl=ttl)
    url = model.url.get_secret_value()
    problem = url_problem(url)
    if problem is not None:
        problems.add("store", "url", problem)
    if model.path is not None:
        problems.add(
            "store",
            "path",
            "is written beside store.url: write path (SQLite, one process) or url "
            "(PostgreSQL, several replicas), not both",
        )
    return StoreSettings(path=path, url=Secret(url), lease_ttl=ttl)

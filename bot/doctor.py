"""`callbot doctor`: every check a new installation needs, in order, each failure with its fix.

The order is the order of dependence: a configuration that does not load leaves nothing
else to check; Slack's channels can only be asked about with a working bot token. Nothing
is written anywhere (the store is opened read-only) and no Wolkvox call is spent unless
`--wolkvox` asks for it, one `calls_last_10` per operation, announced before it is sent.
Texts follow the configuration's `language`; no secret is ever printed.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

import psycopg
import yaml
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.clock import SystemClock
from bot.adapters.slack.app import DEFAULT_API_URL, build_web_client
from bot.adapters.slack.checks import (
    Membership,
    Outcome,
    alert_channels,
    check_channels,
    check_token,
    needed_scopes,
)
from bot.adapters.store.postgres_schema import LATEST as PG_LATEST
from bot.adapters.store.postgres_schema import schema_version as pg_schema_version
from bot.adapters.store.sqlite_schema import LATEST, schema_version
from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.errors import (
    TokenMissingError,
    TokenRejectedError,
    WolkvoxConnectionError,
    WolkvoxError,
)
from bot.adapters.wolkvox.source import target_of
from bot.adapters.wolkvox.target import CALLS_PER_LICENSE
from bot.config.loader import resolve_config_path
from bot.config.model import OperationSettings, Settings
from bot.config.request_policy import RequestPolicy
from bot.config.store_url import redact_error, redact_url
from bot.doctor_text import say
from bot.settings import ConfigError, load_settings

SLACK_API_URL_ENV = "SLACK_API_URL"
WOLKVOX_TIMEOUT_S = 60.0
"""Wolkvox allows a call 60 s; doctor makes one attempt, never a retry (each one costs)."""


class Status(StrEnum):
    OK = "ok"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the checklist: what was checked, what was found, and the fix."""

    status: Status
    subject: str
    detail: str
    fix: str = ""


class Checklist:
    """Prints items as they are found (a slow check shows what came before it)."""

    def __init__(self, out: TextIO, language: str) -> None:
        self.out = out
        self.language = language
        self.items: list[Item] = []

    def add(self, item: Item) -> Item:
        self.items.append(item)
        mark = say(f"mark.{item.status.value}", self.language)
        print(f"{mark} {item.subject}: {item.detail}", file=self.out, flush=True)
        if item.fix:
            print(f"       {say('fix', self.language)}: {item.fix}", file=self.out, flush=True)
        return item

    def say(self, key: str, **values: object) -> str:
        return say(key, self.language, **values)

    def note(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items if item.status is Status.FAIL)


def _language_hint(path: str | None, env: Mapping[str, str]) -> str:
    """The `language` of a configuration that may not load, read as plain YAML."""
    try:
        resolved, _ = resolve_config_path(path, env)
        data = yaml.safe_load(resolved.read_text(encoding="utf-8"))
    except Exception:
        return "en"
    return "es" if isinstance(data, dict) and data.get("language") == "es" else "en"


async def run_doctor(
    config: str | None,
    *,
    http: bool,
    wolkvox: bool,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """Run every check, print the checklist; 0 when nothing failed, 1 otherwise."""
    environ = os.environ if env is None else env
    out = out or sys.stdout
    try:
        settings = load_settings(config, env=environ)
    except ConfigError as exc:
        check = Checklist(out, _language_hint(config, environ))
        check.add(Item(Status.FAIL, check.say("config"), str(exc), check.say("config.fix")))
        for subject in ("bot_token", "app_token" if not http else "signing"):
            check.add(Item(Status.SKIP, check.say(subject), check.say("needs.config")))
        return _summary(check)
    check = Checklist(out, settings.language.value)
    check.note(check.say("title", source=settings.source))
    check.add(
        Item(
            Status.OK,
            check.say("config"),
            check.say(
                "config.ok",
                source=settings.source.name,
                operations=len(settings.operations),
                rules=len(settings.rules),
            ),
        )
    )
    api_url = environ.get(SLACK_API_URL_ENV) or None
    token_works = await _bot_token(check, settings, api_url)
    if http:
        _signing_secret(check, settings)
    else:
        await _app_token(check, settings, api_url)
    await _channels(check, settings, api_url, token_works=token_works)
    if settings.store.url is not None:
        await _database(check, settings.store.url.reveal())
    else:
        _store(check, settings)
    if wolkvox:
        for operation in settings.operations:
            await _wolkvox(check, operation)
    return _summary(check)


def _summary(check: Checklist) -> int:
    count, failed = len(check.items), check.failed
    if failed:
        check.note(check.say("summary.fail", failed=failed, count=count))
        return 1
    check.note(check.say("summary.ok", count=count))
    return 0


async def _bot_token(check: Checklist, settings: Settings, api_url: str | None) -> bool:
    subject = check.say("bot_token")
    token = settings.slack.bot_token
    if token is None:
        check.add(
            Item(
                Status.FAIL,
                subject,
                check.say("bot_token.missing"),
                check.say("bot_token.missing.fix"),
            )
        )
        return False
    found = await check_token(build_web_client(bot_token=token.reveal(), api_url=api_url))
    if found.outcome is Outcome.REFUSED:
        check.add(
            Item(
                Status.FAIL,
                subject,
                check.say("bot_token.refused", detail=found.detail),
                check.say("bot_token.refused.fix"),
            )
        )
        return False
    if found.outcome is Outcome.UNREACHABLE:
        check.add(
            Item(
                Status.FAIL,
                subject,
                check.say("unreachable", detail=found.detail),
                check.say("unreachable.fix"),
            )
        )
        return False
    check.add(Item(Status.OK, subject, check.say("bot_token.ok", team=found.team, user=found.user)))
    needed = needed_scopes(settings)
    scopes_subject = check.say("scopes")
    if found.scopes is None:
        check.add(Item(Status.OK, scopes_subject, check.say("scopes.unknown")))
        return True
    missing = [scope for scope in needed if scope not in found.scopes]
    if missing:
        why = "; ".join(f"{scope}: {needed[scope]}" for scope in missing)
        check.add(
            Item(
                Status.FAIL,
                scopes_subject,
                check.say("scopes.missing", missing=", ".join(missing)),
                check.say("scopes.fix", why=why),
            )
        )
    else:
        check.add(Item(Status.OK, scopes_subject, check.say("scopes.ok", scopes=", ".join(needed))))
    return True


async def _app_token(check: Checklist, settings: Settings, api_url: str | None) -> None:
    subject = check.say("app_token")
    token = settings.slack.app_token
    if token is None:
        check.add(
            Item(Status.FAIL, subject, check.say("app_token.missing"), check.say("app_token.fix"))
        )
        return
    client = AsyncWebClient(token=token.reveal(), base_url=api_url or DEFAULT_API_URL)
    found = await check_token(client, method="apps.connections.open")
    if found.outcome is Outcome.OK:
        check.add(Item(Status.OK, subject, check.say("app_token.ok")))
    elif found.outcome is Outcome.REFUSED:
        detail = check.say("app_token.refused", detail=found.detail)
        check.add(Item(Status.FAIL, subject, detail, check.say("app_token.fix")))
    else:
        detail = check.say("unreachable", detail=found.detail)
        check.add(Item(Status.FAIL, subject, detail, check.say("unreachable.fix")))


def _signing_secret(check: Checklist, settings: Settings) -> None:
    subject = check.say("signing")
    if settings.slack.signing_secret is None:
        check.add(
            Item(Status.FAIL, subject, check.say("signing.missing"), check.say("signing.fix"))
        )
    else:
        check.add(Item(Status.OK, subject, check.say("signing.ok")))


async def _channels(
    check: Checklist, settings: Settings, api_url: str | None, *, token_works: bool
) -> None:
    channels = alert_channels(settings)
    token = settings.slack.bot_token
    if not token_works or token is None:
        for channel in channels:
            subject = check.say("channel", channel=channel)
            check.add(Item(Status.SKIP, subject, check.say("needs.token")))
        return
    client = build_web_client(bot_token=token.reveal(), api_url=api_url)
    for found in await check_channels(client, channels):
        subject = check.say("channel", channel=found.channel)
        if found.membership is Membership.MEMBER:
            check.add(Item(Status.OK, subject, check.say("channel.ok")))
        elif found.membership is Membership.OUTSIDE:
            detail, fix = check.say("channel.outside"), check.say("channel.outside.fix")
            check.add(Item(Status.FAIL, subject, detail, fix))
        elif found.membership is Membership.NOT_FOUND:
            detail, fix = check.say("channel.not_found"), check.say("channel.not_found.fix")
            check.add(Item(Status.FAIL, subject, detail, fix))
        else:
            detail = check.say("channel.unknown", detail=found.detail)
            check.add(Item(Status.FAIL, subject, detail, check.say("channel.unknown.fix")))


def _store(check: Checklist, settings: Settings) -> None:
    """Read the schema version without creating, migrating or locking anything."""
    path = Path(settings.store.path)
    subject = check.say("store", path=path)
    latest = LATEST
    if not path.exists():
        directory = path.parent if path.parent != Path("") else Path(".")
        existing = next((p for p in (directory, *directory.parents) if p.exists()), Path("."))
        if os.access(existing, os.W_OK):
            check.add(Item(Status.OK, subject, check.say("store.new", latest=latest)))
        else:
            detail = check.say("store.dir", directory=existing)
            check.add(Item(Status.FAIL, subject, detail, check.say("store.unreadable.fix")))
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        try:
            version = _version(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        detail = check.say("store.unreadable", detail=exc)
        check.add(Item(Status.FAIL, subject, detail, check.say("store.unreadable.fix")))
        return
    _schema_verdict(check, subject, version, latest, newer_fix="store.newer.fix")


def _schema_verdict(
    check: Checklist, subject: str, version: int, latest: int, *, newer_fix: str
) -> None:
    if version > latest:
        detail = check.say("store.newer", version=version, latest=latest)
        check.add(Item(Status.FAIL, subject, detail, check.say(newer_fix)))
    elif version == latest:
        check.add(Item(Status.OK, subject, check.say("store.current", version=version)))
    else:
        check.add(
            Item(Status.OK, subject, check.say("store.older", version=version, latest=latest))
        )


async def _database(check: Checklist, url: str) -> None:
    """Reach the PostgreSQL database of store.url and read its schema version, in a
    read-only transaction: nothing is created, migrated or locked."""
    subject = check.say("store", path=redact_url(url))
    try:
        async with (
            await psycopg.AsyncConnection.connect(url, connect_timeout=10, autocommit=True) as conn,
            conn.transaction(),
        ):
            await conn.execute("SET TRANSACTION READ ONLY")
            version = await pg_schema_version(conn)
    except psycopg.Error as exc:
        detail = check.say("store.pg.unreachable", detail=redact_error(str(exc), url))
        check.add(Item(Status.FAIL, subject, detail, check.say("store.pg.unreachable.fix")))
        return
    if version is None:
        check.add(Item(Status.OK, subject, check.say("store.pg.new", latest=PG_LATEST)))
        return
    _schema_verdict(check, subject, version, PG_LATEST, newer_fix="store.pg.newer.fix")


def _version(conn: sqlite3.Connection) -> int:
    """The schema version; 0 for an empty file (no callbot table yet)."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    return schema_version(conn) if "schema_version" in tables else 0


async def _wolkvox(check: Checklist, operation: OperationSettings) -> None:
    """One calls_last_10, one attempt: announced first, since it spends the budget."""
    target = target_of(operation)
    subject = check.say("wolkvox", operation=operation.name)
    limit = operation.licenses * CALLS_PER_LICENSE
    check.note(check.say("wolkvox.announce", operation=operation.name, limit=limit))
    client = WolkvoxClient(
        clock=SystemClock(),
        policy=RequestPolicy(timeout_s=WOLKVOX_TIMEOUT_S, deadline_s=WOLKVOX_TIMEOUT_S, attempts=1),
        user_agent="callbot-doctor",
    )
    try:
        async with client:
            batch = await client.calls_last_10(target)
    except WolkvoxError as exc:
        exc.redact(operation.token.reveal())
        if isinstance(exc, WolkvoxConnectionError):
            fix = check.say("wolkvox.connection.fix", server=operation.server)
        elif isinstance(exc, TokenRejectedError | TokenMissingError):
            fix = check.say("wolkvox.token.fix")
        else:
            fix = check.say("wolkvox.other.fix")
        error = exc.message.rstrip(".")  # str(exc) would add "the next poll tries again"
        check.add(Item(Status.FAIL, subject, check.say("wolkvox.fail", error=error), fix))
        return
    outbound = sum(1 for record in batch.records if record.is_outbound)
    skipped = batch.skipped_total
    extra = check.say("wolkvox.skipped", skipped=skipped) if skipped else ""
    detail = check.say(
        "wolkvox.ok",
        records=len(batch.records),
        inbound=len(batch.records) - outbound,
        outbound=outbound,
        extra=extra,
    )
    check.add(Item(Status.OK, subject, detail))

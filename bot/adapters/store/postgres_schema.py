"""The PostgreSQL schema, created and migrated by the bot itself when the store opens.

Its own numbering, apart from SQLite's (bot.adapters.store.sqlite_schema): migration 1 is
everything SQLite reached in its four. Migrations are append-only: never edit one that has
shipped, add the next. Each applied one leaves its number in `schema_version`; all pending
ones run in one transaction that first locks `schema_version`, so two replicas starting
together migrate once, and a crash half-way leaves the previous schema. A replica refuses a
schema with a number it does not know (written by a newer callbot): it would misread it.

Tables live in the connection's current schema (the first of its `search_path`), so one
database can hold several deployments, or one test run per schema. Times are epoch
microseconds (BIGINT), as in SQLite; documents are `json` (kept as written, like SQLite's
text, where `jsonb` would refuse a `\\u0000` escape that SQLite stores).
"""

from __future__ import annotations

from psycopg import AsyncConnection, errors

from bot.services.ports.store import StoreOpenError

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE alerts (
            operation TEXT NOT NULL,
            rule TEXT NOT NULL,
            doc JSON NOT NULL,
            PRIMARY KEY (operation, rule)
        )""",
        """CREATE TABLE silences (
            id TEXT PRIMARY KEY,
            doc JSON NOT NULL,
            ends_at BIGINT NOT NULL
        )""",
        """CREATE TABLE message_refs (
            incident_id TEXT PRIMARY KEY,
            channel TEXT NOT NULL,
            ts TEXT NOT NULL
        )""",
        """CREATE TABLE buckets (
            operation TEXT NOT NULL,
            minute BIGINT NOT NULL,
            call_type TEXT NOT NULL,
            result TEXT NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (operation, minute, call_type, result)
        )""",
        """CREATE TABLE covered_minutes (
            operation TEXT NOT NULL,
            minute BIGINT NOT NULL,
            PRIMARY KEY (operation, minute)
        )""",
        """CREATE TABLE conn_ids (
            operation TEXT NOT NULL,
            conn_id TEXT NOT NULL,
            at BIGINT NOT NULL,
            call_type TEXT NOT NULL,
            result TEXT NOT NULL,
            PRIMARY KEY (operation, conn_id)
        )""",
        "CREATE INDEX conn_ids_by_age ON conn_ids (operation, at)",
        """CREATE TABLE budgets (
            operation TEXT NOT NULL,
            day TEXT NOT NULL,
            used BIGINT NOT NULL,
            PRIMARY KEY (operation, day)
        )""",
        """CREATE TABLE poll_status (
            operation TEXT PRIMARY KEY,
            last_success_at BIGINT,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL,
            last_duration BIGINT,
            last_attempt_at BIGINT,
            last_error_kind TEXT,
            stopped TEXT,
            last_records INTEGER NOT NULL DEFAULT 0,
            last_skipped INTEGER NOT NULL DEFAULT 0,
            possibly_truncated INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE outbox (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_at BIGINT NOT NULL,
            channel TEXT NOT NULL,
            incident_id TEXT NOT NULL,
            action TEXT NOT NULL,
            payload JSON NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before BIGINT NOT NULL,
            last_error TEXT
        )""",
        "CREATE INDEX outbox_by_channel ON outbox (channel, id)",
        """CREATE TABLE digests (
            id TEXT PRIMARY KEY,
            doc JSON NOT NULL
        )""",
        """CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            rule TEXT NOT NULL,
            operation TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            ended_at BIGINT,
            doc JSON NOT NULL
        )""",
        "CREATE INDEX incidents_by_start ON incidents (started_at)",
        """CREATE TABLE actions (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at BIGINT NOT NULL,
            rule TEXT NOT NULL,
            operation TEXT,
            doc JSON NOT NULL
        )""",
        "CREATE INDEX actions_by_time ON actions (at)",
    ),
    (
        # 2: outbox rows are claimed by one replica at a time (postgres_outbox.py).
        "ALTER TABLE outbox ADD COLUMN claimed_by TEXT",
        "ALTER TABLE outbox ADD COLUMN claimed_until BIGINT",
    ),
    (
        # 3: leases, one row per operation (postgres_lease.py).
        """CREATE TABLE leases (
            operation TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            epoch BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            last_request_at BIGINT,
            request_done BOOLEAN NOT NULL DEFAULT TRUE
        )""",
    ),
    (
        # 4: actions passed to an operation's holder (postgres_requests.py).
        """CREATE TABLE action_requests (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            operation TEXT NOT NULL,
            doc JSON NOT NULL,
            created_at BIGINT NOT NULL,
            answer TEXT,
            answered_at BIGINT
        )""",
        "CREATE INDEX action_requests_waiting ON action_requests (operation) WHERE answer IS NULL",
    ),
)
"""Migration n (1-based) is MIGRATIONS[n - 1]. Identity ids are never reused."""

CONN_ID_GROUPS_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE conn_id_groups (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        operation TEXT NOT NULL,
        at BIGINT NOT NULL,
        call_type TEXT NOT NULL,
        result TEXT NOT NULL,
        forgotten INTEGER NOT NULL DEFAULT 0,
        conn_ids TEXT NOT NULL
    )""",
    "CREATE INDEX conn_id_groups_by_age ON conn_id_groups (operation, forgotten, at)",
    """INSERT INTO conn_id_groups (operation, at, call_type, result, conn_ids)
        SELECT operation, at, call_type, result, json_agg(conn_id ORDER BY conn_id)::text
        FROM conn_ids GROUP BY operation, at, call_type, result""",
    "DROP TABLE conn_ids",
)
"""Migration 5 (issue 11): remembered conn_ids a group per (minute, type, result) a cycle
wrote, not a row each (bot.adapters.store.conn_id_groups); the rows kept are regrouped."""

REPLICAS_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE replicas (
        replica TEXT PRIMARY KEY,
        seen_at BIGINT NOT NULL
    )""",
)
"""Migration 6 (issue 14): replicas say they are alive, so each counts the others and takes
about its share of the leases (postgres_lease.heartbeat, bot.services.lease_spread)."""

CONTEXT_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE context_snapshots (
        operation TEXT NOT NULL,
        kind TEXT NOT NULL,
        at BIGINT NOT NULL,
        doc JSON NOT NULL,
        PRIMARY KEY (operation, kind)
    )""",
)
"""Migration 8 (issue 14): each operation's latest queue and agent snapshots, kept by its
holder so every replica answers `/calls queues` and `/calls agents`
(bot.adapters.store.context_rows)."""


def _numbered(
    listed: tuple[tuple[str, ...], ...], reserved: dict[int, tuple[str, ...]]
) -> dict[int, tuple[str, ...]]:
    numbered = dict(enumerate(listed, start=1))
    taken = numbered.keys() & reserved.keys()
    if taken:
        raise RuntimeError(f"PostgreSQL migration number {min(taken)} is used twice")
    return {**numbered, **reserved}


NUMBERED: dict[int, tuple[str, ...]] = _numbered(
    MIGRATIONS, {5: CONN_ID_GROUPS_MIGRATION, 6: REPLICAS_MIGRATION, 8: CONTEXT_MIGRATION}
)
"""Every migration by its number: MIGRATIONS in order, then those numbered apart. Numbers
are reserved per change and may land out of order (5 was taken while 4 was being written),
so the runner applies each one not yet recorded, lowest first, as SQLite's does."""

LATEST = max(NUMBERED)
"""The highest schema version this callbot knows (what a fresh database is migrated to)."""


async def schema_version(conn: AsyncConnection[tuple[object, ...]]) -> int | None:
    """The version recorded in the connection's current schema; None before the first start."""
    cursor = await conn.execute("SELECT to_regclass('schema_version') IS NOT NULL")
    exists = await cursor.fetchone()
    if exists is None or not exists[0]:
        return None
    cursor = await conn.execute("SELECT coalesce(max(version), 0) FROM schema_version")
    row = await cursor.fetchone()
    return 0 if row is None else int(str(row[0]))


def too_new(found: int, *, where: str) -> StoreOpenError:
    return StoreOpenError(
        f"the database {where} has schema version {found}, newer than this callbot knows "
        f"({LATEST}): upgrade callbot on every replica, or point store.url at another database"
    )


async def migrate(conn: AsyncConnection[tuple[object, ...]], *, where: str) -> int:
    """Bring the schema up to date and return its version; safe on every start. `where`
    names the database in errors (its URL, password masked)."""
    for attempt in (1, 2):
        try:
            return await _migrate_once(conn, where=where)
        except (errors.UniqueViolation, errors.DuplicateTable):
            # Two replicas created schema_version at the same instant; the loser retries
            # and finds it (then waits on its lock).
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _migrate_once(conn: AsyncConnection[tuple[object, ...]], *, where: str) -> int:
    async with conn.transaction():
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)"
        )
        await conn.execute("LOCK TABLE schema_version IN SHARE ROW EXCLUSIVE MODE")
        cursor = await conn.execute("SELECT version FROM schema_version")
        applied = {int(str(row[0])) for row in await cursor.fetchall()}
        unknown = applied - NUMBERED.keys()
        if unknown:
            raise too_new(max(unknown), where=where)
        for version in sorted(NUMBERED.keys() - applied):
            for statement in NUMBERED[version]:
                await conn.execute(statement)
            await conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
    return LATEST

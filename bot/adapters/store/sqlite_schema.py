"""The SQLite schema, created and migrated by the bot itself when the store opens.

Migrations are append-only: never edit one that has shipped, add the next. Each applied
migration leaves its number in `schema_version`, and all pending ones are applied in one
transaction, so a crash during an upgrade leaves the previous schema intact. Times are epoch
microseconds (INTEGER), documents JSON text.
"""

from __future__ import annotations

import sqlite3

from bot.services.ports.store import StoreOpenError

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE alerts (
            operation TEXT NOT NULL,
            rule TEXT NOT NULL,
            doc TEXT NOT NULL,
            PRIMARY KEY (operation, rule)
        ) WITHOUT ROWID""",
        """CREATE TABLE silences (
            id TEXT PRIMARY KEY,
            doc TEXT NOT NULL,
            ends_at INTEGER NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE message_refs (
            incident_id TEXT PRIMARY KEY,
            channel TEXT NOT NULL,
            ts TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE buckets (
            operation TEXT NOT NULL,
            minute INTEGER NOT NULL,
            call_type TEXT NOT NULL,
            result TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (operation, minute, call_type, result)
        ) WITHOUT ROWID""",
        """CREATE TABLE covered_minutes (
            operation TEXT NOT NULL,
            minute INTEGER NOT NULL,
            PRIMARY KEY (operation, minute)
        ) WITHOUT ROWID""",
        """CREATE TABLE conn_ids (
            operation TEXT NOT NULL,
            conn_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            call_type TEXT NOT NULL,
            result TEXT NOT NULL,
            PRIMARY KEY (operation, conn_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX conn_ids_by_age ON conn_ids (operation, at)",
        """CREATE TABLE budgets (
            operation TEXT NOT NULL,
            day TEXT NOT NULL,
            used INTEGER NOT NULL,
            PRIMARY KEY (operation, day)
        ) WITHOUT ROWID""",
        """CREATE TABLE poll_status (
            operation TEXT PRIMARY KEY,
            last_success_at INTEGER,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL,
            last_duration INTEGER
        ) WITHOUT ROWID""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at INTEGER NOT NULL,
            channel TEXT NOT NULL,
            incident_id TEXT NOT NULL,
            action TEXT NOT NULL,
            payload TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before INTEGER NOT NULL,
            last_error TEXT
        )""",
        "CREATE INDEX outbox_by_channel ON outbox (channel, id)",
    ),
    (
        """CREATE TABLE digests (
            id TEXT PRIMARY KEY,
            doc TEXT NOT NULL
        ) WITHOUT ROWID""",
    ),
    (
        # 3 (issue 11): the whole poll state survives a restart.
        "ALTER TABLE poll_status ADD COLUMN last_attempt_at INTEGER",
        "ALTER TABLE poll_status ADD COLUMN last_error_kind TEXT",
        "ALTER TABLE poll_status ADD COLUMN stopped TEXT",
        "ALTER TABLE poll_status ADD COLUMN last_records INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE poll_status ADD COLUMN last_skipped INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE poll_status ADD COLUMN possibly_truncated INTEGER NOT NULL DEFAULT 0",
    ),
)
"""Migration n (1-based) is MIGRATIONS[n - 1]. AUTOINCREMENT: outbox ids are never reused."""

HISTORY_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        operation TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX incidents_by_start ON incidents (started_at)",
    """CREATE TABLE actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        rule TEXT NOT NULL,
        operation TEXT,
        doc TEXT NOT NULL
    )""",
    "CREATE INDEX actions_by_time ON actions (at)",
)
"""Migration 4 (issue 12): the record of incidents and of people's actions."""

CONN_ID_GROUPS_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE conn_id_groups (
        id INTEGER PRIMARY KEY,
        operation TEXT NOT NULL,
        at INTEGER NOT NULL,
        call_type TEXT NOT NULL,
        result TEXT NOT NULL,
        forgotten INTEGER NOT NULL DEFAULT 0,
        conn_ids TEXT NOT NULL
    )""",
    "CREATE INDEX conn_id_groups_by_age ON conn_id_groups (operation, forgotten, at)",
    """INSERT INTO conn_id_groups (operation, at, call_type, result, conn_ids)
        SELECT operation, at, call_type, result, json_group_array(conn_id) FROM conn_ids
        GROUP BY operation, at, call_type, result""",
    "DROP TABLE conn_ids",
)
"""Migration 5 (issue 11): remembered conn_ids a group per (minute, type, result) a cycle
wrote, not a row each (bot.adapters.store.conn_id_groups); the rows kept are regrouped."""

CONTEXT_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE context_snapshots (
        operation TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (operation, kind)
    ) WITHOUT ROWID""",
)
"""Migration 6 (issue 14): each operation's latest queue and agent snapshots, so a restarted
bot answers `/calls queues` and `/calls agents` at once (bot.adapters.store.context_rows)."""

NUMBERED: dict[int, tuple[str, ...]] = {
    **{number: statements for number, statements in enumerate(MIGRATIONS, start=1)},
    4: HISTORY_MIGRATION,
    5: CONN_ID_GROUPS_MIGRATION,
    6: CONTEXT_MIGRATION,
}
"""Every migration by its number. Numbers are reserved per change and may arrive out of
order, so the runner applies each one not yet recorded, lowest first, whatever the
highest recorded number is."""


LATEST = max(NUMBERED)
"""The highest schema version this callbot knows (what a fresh store is migrated to)."""


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, *, path: str) -> int:
    """Bring the schema up to date; return its version. Safe to run on every open."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
    conn.execute("BEGIN IMMEDIATE")
    newest = max(NUMBERED)
    try:
        applied = {int(row[0]) for row in conn.execute("SELECT version FROM schema_version")}
        unknown = applied - NUMBERED.keys()
        if unknown:
            raise StoreOpenError(
                f"the store {path} has schema version {max(unknown)}, newer than this callbot "
                f"knows ({newest}): upgrade callbot or use another file"
            )
        for version in sorted(NUMBERED.keys() - applied):
            for statement in NUMBERED[version]:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return newest

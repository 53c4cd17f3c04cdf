"""Back up and restore the whole database: pg_dump/pg_restore on PostgreSQL, SQLite's online
backup for the embedded default.

Both copy every table exactly, history included, in one consistent snapshot while the site runs.
(`dumpdata`/`loaddata` is not a backup: it serialises row by row through the ORM, takes minutes on
a loaded database and cannot load the history tables back.)
"""

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from legality.errors import TrackerError


class BackupError(TrackerError):
    default_message = "The backup or restore failed."


@dataclass(frozen=True)
class BackupRun:
    path: Path
    tables: int
    rows: int


def table_row_counts(db: BaseDatabaseWrapper = connection) -> dict[str, int]:
    """Rows in every table of the database, by table name (one query per table)."""
    with db.cursor() as cursor:
        counts = {}
        for table in sorted(db.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {db.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def back_up(path: Path) -> BackupRun:
    """Write a snapshot of the database to `path`: a pg_dump custom-format archive on PostgreSQL,
    a SQLite database file otherwise. Raises BackupError with the tool's own message."""
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path)])
    else:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # online: consistent while others write
        finally:
            target.close()
    counts = table_row_counts()
    return BackupRun(path=path, tables=len(counts), rows=sum(counts.values()))


def restore(path: Path) -> BackupRun:
    """Restore `path` (made by back_up) into the configured database, which must be empty
    (no tables: a new database, before `migrate`). Refuses anything else."""
    if not path.exists():
        raise BackupError(f"No backup at {path}.")
    if connection.introspection.table_names():
        raise BackupError(
            "The database already has tables: restore into a new, empty database "
            "(create it, point DATABASE_URL at it, then restore; do not run migrate first)."
        )
    if connection.vendor == "postgresql":
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _database_name(), str(path)]
        )
    else:
        source = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    counts = table_row_counts()
    return BackupRun(path=path, tables=len(counts), rows=sum(counts.values()))


def _database_name() -> str:
    return connection.settings_dict["NAME"]


def _run(command: list[str]) -> None:
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": db["HOST"] or "",
        "PGPORT": str(db["PORT"] or ""),
        "PGUSER": db["USER"] or "",
        "PGPASSWORD": db["PASSWORD"] or "",
        "PGDATABASE": db["NAME"],
    }
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")

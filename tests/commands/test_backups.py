"""Backup and restore: a snapshot of every table, history included, restored into an empty
database with the same row counts and the same history (SQLite here, PostgreSQL in CI)."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from legality.backups import table_row_counts
from tests.factories import LegalStatusFactory

ROOT = Path(__file__).resolve().parents[2]
HISTORY = "SELECT id, history_id, history_type, summary FROM legality_historicallegalstatus"


def manage(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env = {**base, "DEBUG": "true", "DATABASE_URL": database_url, "TRACKER_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def edited_entries(kratom) -> None:
    for n in range(3):
        entry = LegalStatusFactory(substance=kratom, summary=f"Entry {n}.")
        entry.summary = f"Entry {n}, edited."
        entry.save()  # a second history record


# Transactional: pg_dump sees only committed rows, and SQLite's backup waits for the source's open
# write transaction to end. Runs on SQLite in `make test` and on PostgreSQL in CI.
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_every_table_and_the_history(kratom, tmp_path):
    edited_entries(kratom)
    backup = tmp_path / "backup"

    call_command("backup_database", str(backup))
    counts, history = (
        restored_into_new_postgres_database(backup, tmp_path)
        if connection.vendor == "postgresql"
        else restored_into_new_sqlite_file(backup, tmp_path)
    )

    live = table_row_counts()
    assert counts == live
    assert live["legality_historicallegalstatus"] >= 6  # created and edited, each entry
    with connection.cursor() as cursor:
        cursor.execute(HISTORY)
        assert history == sorted(cursor.fetchall())


def restored_into_new_sqlite_file(backup: Path, tmp_path: Path) -> tuple[dict, list]:
    restored = tmp_path / "restored.sqlite3"
    done = manage("restore_database", str(backup), database_url=f"sqlite:///{restored}",
                  tmp_path=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(restored) as copy:
        sql = "SELECT name FROM sqlite_master WHERE type='table' AND name != 'sqlite_sequence'"
        tables = [row[0] for row in copy.execute(sql)]
        counts = {t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        return counts, sorted(copy.execute(HISTORY).fetchall())


def restored_into_new_postgres_database(backup: Path, tmp_path: Path) -> tuple[dict, list]:
    db = connection.settings_dict
    name = f"tracker_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        done = manage("restore_database", str(backup), database_url=url, tmp_path=tmp_path)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as copy:
            tables = [row[0] for row in copy.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip
            counts = {t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
            return counts, sorted(copy.execute(HISTORY).fetchall())
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_tables(kratom, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    call_command("backup_database", str(backup))
    existing = tmp_path / "existing.sqlite3"
    with sqlite3.connect(existing) as db:
        db.execute("CREATE TABLE something (id integer)")

    done = manage("restore_database", str(backup), database_url=f"sqlite:///{existing}",
                  tmp_path=tmp_path)  # fmt: skip

    assert done.returncode != 0
    assert "The database already has tables: restore into a new, empty database" in done.stderr

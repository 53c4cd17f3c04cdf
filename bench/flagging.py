"""Benchmark: flag_stale_entries() over 100,000 entries against one hand-written SQL statement.

    DEBUG=true .venv/bin/python bench/flagging.py [--entries 100000] [--repeat 3]

Runs on a throwaway database: a temporary SQLite file, or, with DATABASE_URL=postgres://...,
a throwaway `test_...` database on that server (created and dropped here). Every entry is a
published ban in force, last verified long ago: all of them are overdue. Each measurement runs
in a transaction that is rolled back, so every run starts from the same state; the best of
`--repeat` runs is printed.

The baseline is the single raw statement a DBA would write for the same rule (intervals by
status, shortened when the jurisdiction has a dated change coming, the per-entry override):
INSERT ... SELECT ... ON CONFLICT DO NOTHING, without history records. The flagging run also
writes the history records, applies the effective-date rule and closes flags that no longer
hold. Target: ratio <= 2.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DEBUG", "true")
# The embedded default's var/ (SQLite file, broker folders) goes to a temporary folder.
os.environ.setdefault("TRACKER_VAR_DIR", tempfile.mkdtemp(prefix="bench-flagging-"))

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from legality.models import Jurisdiction, LegalStatus, ReviewFlag, Substance  # noqa: E402
from legality.staleness import flag_stale_entries  # noqa: E402

TODAY = date(2026, 6, 1)

RAW_SQL = """
INSERT INTO legality_reviewflag (legal_status_id, reason, note, created_at, resolution)
SELECT s.id, 'overdue', 'Not verified within its review interval.', {now}, ''
FROM legality_legalstatus s
WHERE s.is_published
  AND (s.effective_from IS NULL OR s.effective_from <= {today})
  AND (s.effective_until IS NULL OR s.effective_until > {today})
  AND (s.last_verified_at IS NULL OR s.last_verified_at < {today_minus}(COALESCE(
        s.review_interval_days,
        CASE WHEN EXISTS (
               SELECT 1 FROM legality_legalstatus c
               WHERE c.jurisdiction_id = s.jurisdiction_id AND c.is_published
                 AND ((c.effective_from > {today} AND c.effective_from <= {horizon})
                   OR (c.effective_until > {today} AND c.effective_until <= {horizon})))
             THEN 30
             WHEN s.status = 'legal' THEN 180 ELSE 90 END)))
ON CONFLICT DO NOTHING
"""


def raw_sql() -> str:
    """The baseline statement in this database's dialect of date arithmetic."""
    if connection.vendor == "postgresql":
        return RAW_SQL.format(
            now="now()",
            today="DATE '2026-06-01'",
            horizon="DATE '2026-08-30'",
            today_minus="DATE '2026-06-01' - ",
        )
    return RAW_SQL.format(
        now="'2026-06-01 03:00:00'",
        today="'2026-06-01'",
        horizon="'2026-08-30'",
        today_minus="date('2026-06-01', '-' || ",
    ).replace("ELSE 90 END)))", "ELSE 90 END) || ' days')))")


def load(entries: int) -> None:
    """`entries` states under one country, each with one overdue kratom ban."""
    started = time.perf_counter()
    country = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:zz",
        name="Benchland",
        search_name="benchland",
        level="country",
        division_type="country",
        country_code="ZZ",
    )
    kratom = Substance.objects.get(slug="kratom")
    for first in range(0, entries, 10_000):
        ids = range(first, min(first + 10_000, entries))
        states = Jurisdiction.objects.bulk_create(
            Jurisdiction(
                ocd_id=f"ocd-division/country:zz/state:s{n}",
                name=f"State {n}",
                search_name=f"state {n}",
                level="state",
                division_type="state",
                parent=country,
                country_code="ZZ",
            )
            for n in ids
        )
        LegalStatus.objects.bulk_create(
            LegalStatus(
                jurisdiction=state,
                substance=kratom,
                status="banned",
                summary="Banned.",
                is_published=True,
                last_verified_at=date(2025, 1, 1),
            )
            for state in states
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"loaded {entries:,} entries in {time.perf_counter() - started:.1f} s")


def timed(run, repeat: int) -> tuple[float, object]:
    """Best wall time of `repeat` runs of `run`, each rolled back; and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        with transaction.atomic():
            started = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - started)
            transaction.set_rollback(True)
    return best, result


def run_raw() -> int:
    with connection.cursor() as cursor:
        cursor.execute(raw_sql())
        return cursor.rowcount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if connection.vendor == "sqlite":
        path = Path(os.environ["TRACKER_VAR_DIR"]) / "bench.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor} ({name})")
        load(args.entries)
        raw_seconds, raw_rows = timed(run_raw, args.repeat)
        run_seconds, run = timed(lambda: flag_stale_entries(today=TODAY), args.repeat)
        flag_stale_entries(today=TODAY)  # committed this time, for the idempotent rerun
        again_seconds, again = timed(lambda: flag_stale_entries(today=TODAY), args.repeat)
        assert run.opened["overdue"] == raw_rows == args.entries, (run.opened, raw_rows)
        assert ReviewFlag.objects.open().count() == args.entries
        assert sum(again.opened.values()) == 0

        print(f"raw SQL statement (flags only):      {raw_seconds:8.3f} s  {raw_rows:,} rows")
        print(f"flag_stale_entries (flags + history): {run_seconds:8.3f} s  {run.counts}")
        print(
            f"ratio:                                {run_seconds / raw_seconds:8.2f}  (target <= 2)"
        )
        print(f"second run, nothing to do:            {again_seconds:8.3f} s")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()

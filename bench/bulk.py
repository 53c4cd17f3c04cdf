"""Benchmark: 1,000 ZIP codes in one bulk request against the same 1,000 as single lookups.

    DEBUG=true .venv/bin/python bench/bulk.py [--rounds 3] [--connections 8] [--workers 2]
                                             [--var-dir DIR] [--keep] [--port N]

The same database and gunicorn as bench/lookup.py (the shipped data; production settings), one
server with the public cache off (PUBLIC_CACHE_SECONDS=0: cold, every request finds and resolves
its places). 1,000 distinct ZIP codes, 20 from each of 50 states (from the shipped ZIP data), are
asked in each round, back to back on the same server:

- bulk: one POST /api/v1/lookup/bulk/ with the 1,000 as a JSON list, timed to the answer's last
  byte (then read as JSON and checked, untimed: wrk does not parse the singles' answers either);
- single: GET /api/v1/lookup/?q=<ZIP> for each, over `--connections` keep-alive connections:
  with wrk when it is installed (the codes in turn for 3 s, the time for 1,000 from its rate),
  as bench/lookup.py measures; else each once from a thread pool, whose Python shares the two
  CPUs with the server and reads it slower (bench/README.md, fourth pass).

It prints the medians over the rounds of both times and of each round's single/bulk ratio.
Target: bulk at least 50 times faster.
"""

import argparse
import csv
import http.client
import json
import queue
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lookup import ROOT, gunicorn, prepare, production_env, wrk  # noqa: E402

ZIP_DATA = ROOT / "legality" / "data" / "gazetteer" / "zcta_counties.csv"
PER_STATE = 20
STATES = 50
SINGLES_SECONDS = 3  # about 1,500 lookups: each code once or twice


def zip_codes() -> list[str]:
    """1,000 distinct ZIP codes: the first PER_STATE of each of the first STATES state FIPS."""
    by_state: dict[str, list[str]] = defaultdict(list)
    with ZIP_DATA.open(newline="") as data:
        for row in csv.DictReader(data):
            codes = by_state[row["county_fips"][:2]]
            if row["is_primary"] == "1" and len(codes) < PER_STATE:
                codes.append(row["zcta"])
    states = [s for s in sorted(by_state) if len(by_state[s]) == PER_STATE][:STATES]
    return [code for state in states for code in by_state[state]]


def bulk(base: str, codes: list[str]) -> float:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    body = json.dumps(codes)
    started = time.perf_counter()
    connection.request("POST", "/api/v1/lookup/bulk/", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    content = response.read()
    # To the answer's last byte, as wrk times each single lookup (it reads every byte and parses
    # none): reading the 727 KB as JSON is this client's work, 3.6 ms here, and is not timed.
    elapsed = time.perf_counter() - started
    answer = json.loads(content)
    assert response.status == 200, (response.status, answer)
    assert answer["count"] == len(codes) and answer["errors"] == 0, answer["errors"]
    return elapsed


def singles(base: str, codes: list[str], connections: int) -> float:
    """The time the server takes to answer the codes one by one over `connections` keep-alive
    connections: with wrk when it is installed (as bench/lookup.py), from its rate over the
    codes in turn for SINGLES_SECONDS; else each once from a thread pool."""
    if shutil.which("wrk"):
        paths = [f"/api/v1/lookup/?q={code}" for code in codes]
        measure = wrk(base + paths[0], SINGLES_SECONDS, connections, paths=paths)
        assert not measure.errors, f"{measure.errors} answers were not 2xx"
        return len(codes) / measure.requests_per_second
    parts = urlsplit(base)
    todo: queue.Queue[str] = queue.Queue()
    for code in codes:
        todo.put(code)
    failures: list[tuple[str, int]] = []

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while True:
            try:
                code = todo.get_nowait()
            except queue.Empty:
                return
            connection.request("GET", f"/api/v1/lookup/?q={code}")
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append((code, response.status))

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert not failures, failures[:5]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--var-dir", help="reuse (or build once) the database in this folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--port", type=int, help="the server's port (default: any free one)")
    args = parser.parse_args()

    codes = zip_codes()
    distinct = len(set(codes))
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="bench-bulk-")).resolve()
    try:
        env = {**production_env(var_dir), "PUBLIC_CACHE_SECONDS": "0"}
        prepare(var_dir, env)
        rounds = []
        with gunicorn(env, args.workers, port=args.port, paths=["/hello/"]) as base:
            # Every worker imports, connects and compiles the queries of 1,000 codes once (the
            # kernel hands each new connection to either worker).
            for _ in range(2 * args.workers):
                bulk(base, codes)
            singles(base, codes[:50], args.connections)
            for _ in range(args.rounds):
                one = bulk(base, codes)
                many = singles(base, codes, args.connections)
                rounds.append((one, many))
                print(f"   bulk {one:7.3f} s   single {many:7.3f} s   ratio {many / one:6.1f}")
        bulk_s = statistics.median(r[0] for r in rounds)
        single_s = statistics.median(r[1] for r in rounds)
        ratio = statistics.median(r[1] / r[0] for r in rounds)
        print(
            f"\n{distinct} distinct ZIP codes from {len(codes) // PER_STATE} states, cold "
            f"(PUBLIC_CACHE_SECONDS=0), {args.workers} gunicorn sync workers, medians of "
            f"{args.rounds} rounds:\n"
            f"  one bulk request:            {bulk_s:7.3f} s\n"
            f"  single lookups, {args.connections} connections: {single_s:7.3f} s "
            f"({len(codes) / single_s:.0f} req/s, "
            f"{'wrk -t1' if shutil.which('wrk') else 'a thread pool'})\n"
            f"  ratio single/bulk:           {ratio:7.1f}x  "
            f"(target >= 50: {'met' if ratio >= 50 else 'NOT met'})"
        )
    finally:
        if not args.var_dir and not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

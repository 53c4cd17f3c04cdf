"""Load: 64 concurrent clients for 30 s against the lookup page and the lookup API, the public
cache on and off, and the time a hostile 1,900-part comma query takes to be refused.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench \\
        .venv/bin/python bench/load.py [--duration 30] [--connections 64] [--workers 2]

Builds the shipped data as bench/lookup.py does (its helpers: a temporary folder, or the database
DATABASE_URL names), starts gunicorn in production mode with the API throttle raised
(API_THROTTLE_RATE) so that the load measures the server, not the limit, and counts 429s apart
from errors. Prints requests/second, p50 and p99 for each URL and mode, and the refusal's time.
Targets: 0 errors; the comma query answers 400 in under 50 ms.
"""

import argparse
import http.client
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lookup import (  # noqa: E402
    API,
    PAGE,
    gunicorn,
    keep_alive_clients,
    prepare,
    production_env,
)

# 1,900 comma-separated parts, short enough (3,799 characters) to pass gunicorn's 4,094-byte
# request line and reach the tracker.
HOSTILE = "/search/?q=" + quote(",".join(["a"] * 1900), safe=",")


@dataclass(frozen=True)
class Load:
    statuses: Counter
    requests_per_second: float
    p50_ms: float
    p99_ms: float

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in (200, 429))


def hammer(url: str, duration: float, connections: int) -> Load:
    """`connections` keep-alive clients, each sending GETs back to back for `duration` s."""
    latencies, statuses, elapsed = keep_alive_clients(url, duration, connections)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Load(statuses, len(latencies) / elapsed, cuts[49], cuts[98])


def hostile_query_times(base: str, times: int = 20) -> list[float]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        connection.request("GET", HOSTILE)
        response = connection.getresponse()
        response.read()
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status == 400, response.status
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--var-dir", help="reuse (or build once) the database in this folder")
    args = parser.parse_args()
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="bench-load-")).resolve()
    failed = False
    try:
        env = {**production_env(var_dir), "API_THROTTLE_RATE": "100000/second"}
        prepare(var_dir, env)
        print(
            f"\n{args.connections} clients, {args.duration:g} s per URL, "
            f"{args.workers} gunicorn sync workers, {env['DATABASE_URL'].split(':')[0]}"
        )
        print(f"{'mode':<6} {'URL':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
        for mode, cache_seconds in (("cache", "300"), ("cold", "0")):
            with gunicorn({**env, "PUBLIC_CACHE_SECONDS": cache_seconds}, args.workers) as base:
                for name, path in (("lookup page", PAGE), ("lookup API", API)):
                    load = hammer(base + path, args.duration, args.connections)
                    failed |= load.errors > 0
                    print(
                        f"{mode:<6} {name:<14} {load.requests_per_second:8.1f} "
                        f"{load.p50_ms:8.1f} {load.p99_ms:8.1f}  {dict(load.statuses)}"
                    )
                if mode == "cold":
                    spent = hostile_query_times(base)
                    worst = max(spent)
                    failed |= worst >= 50
                    print(
                        f"\n1,900-part comma query: 400 in {statistics.median(spent):.1f} ms "
                        f"(median), {worst:.1f} ms (worst of {len(spent)})"
                    )
    finally:
        if not args.var_dir:
            shutil.rmtree(var_dir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

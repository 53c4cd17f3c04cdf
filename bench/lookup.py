"""Benchmark: the lookup page and the lookup API under gunicorn, beside a trivial "hello" view.

    DEBUG=true .venv/bin/python bench/lookup.py [--duration 3] [--rounds 7] [--connections 8]
                                               [--workers 2] [--var-dir DIR] [--keep] [--port N]

Builds a database with the shipped data (migrate, load_jurisdictions, load_statuses) in a
temporary TRACKER_VAR_DIR, or reuses the one in --var-dir, or loads it (idempotently) into the
database DATABASE_URL names. Then, twice, it starts gunicorn in production mode (DEBUG=false,
bench/settings.py: the project's own URLs plus /hello/, a view that touches neither the database
nor the cache) and loads three URLs on that one server, one after the other, with a concurrent
HTTP load generator (wrk when it is installed, else a keep-alive thread pool):

- warm: the public cache on (PUBLIC_CACHE_SECONDS default): the answer is served from the cache;
- cold: PUBLIC_CACHE_SECONDS=0: every request finds the place and resolves it (only the
  dataset version, one cache read, is still cached).

Each round loads hello, the page and the API in turn, so a burst of other work on the machine
hits all three alike; it prints the medians over the rounds of requests/second, p50 and p99
latency, and of each round's lookup/hello ratio (same server, same moment). gunicorn runs as the
Dockerfile runs it (sync workers, one per CPU here). Target: ratio >= 0.8 warm.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

# A city with its state and county layers, a county ban that stops at city limits and its own ban.
PAGE = "/j/ocd-division/country:us/state:ms/place:tupelo/"
API = "/api/v1/lookup/?q=" + quote("Tupelo, MS")
TARGETS = (("hello", "/hello/"), ("lookup page", PAGE), ("lookup API", API))


@dataclass(frozen=True)
class Measure:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per URL and round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the three URLs")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--var-dir", help="reuse (or build once) the database in this folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--port", type=int, help="the server's port (default: any free one)")
    args = parser.parse_args()

    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="bench-lookup-")).resolve()
    try:
        env = production_env(var_dir)
        prepare(var_dir, env)
        results = {}
        for mode, cache_seconds in (("warm", "300"), ("cold", "0")):
            server_env = {**env, "PUBLIC_CACHE_SECONDS": cache_seconds}
            with gunicorn(server_env, args.workers, port=args.port) as base:
                for _, path in TARGETS:  # every worker fills its cache, the page cache warms up
                    load(base + path, 2, args.connections, quiet=True)
                results[mode] = [
                    {
                        name: load(base + path, args.duration, args.connections)
                        for name, path in TARGETS
                    }
                    for _ in range(args.rounds)
                ]
        report(results, args)
    finally:
        if not args.var_dir and not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        elif args.keep:
            print(f"kept {var_dir}")


def production_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PUBLIC_", "DJANGO_SETTINGS", "CACHE_URL"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1",
        CELERY_BROKER_URL="memory://",
        TRACKER_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="bench.settings",
        LOG_LEVEL="WARNING",
        # Plain HTTP on loopback: no TLS proxy in front to redirect to.
        SECURE_SSL_REDIRECT="false",
        # The API's per-client limit raised, as bench/load.py does: a 429 answers in a fraction
        # of a lookup's time and would count as a fast lookup. Per second, so the throttle's
        # history of each worker's requests stays as short as a real client's (at most 120 at
        # the default 120/minute): per minute, it held thousands of timestamps, copied through
        # the cache on every API request, a cost no real client causes.
        API_THROTTLE_RATE="100000/second",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'tracker.sqlite3'}")
    return env


def prepare(var_dir: Path, env: dict[str, str]) -> None:
    """The shipped data in the database (loaded once per folder, migrated every time: a folder
    kept from an older checkout gets the new columns), and the collected static files."""
    marker = var_dir / "bench-loaded"
    step("manage.py migrate")
    manage(env, "migrate", "-v0")
    if not marker.exists():
        for command in ("load_jurisdictions", "load_statuses"):
            step(f"manage.py {command}")
            manage(env, command, "-v1")
        marker.touch()
    if not (var_dir / "static" / "staticfiles.json").exists():
        step("manage.py collectstatic (the production static storage needs its manifest)")
        manage(env, "collectstatic", "--no-input", "-v0")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def step(message: str) -> None:
    print(f"-- {message}", flush=True)


class gunicorn:
    """A gunicorn server for the `with` block; yields its base URL once it answers."""

    def __init__(
        self, env: dict[str, str], workers: int, *, port: int | None = None, paths=None
    ) -> None:
        self.env, self.workers, self.port = env, workers, port
        self.paths = paths or [path for _, path in TARGETS]

    def __enter__(self) -> str:
        port = self.port or free_port()
        cache = self.env["PUBLIC_CACHE_SECONDS"]
        step(f"gunicorn, {self.workers} workers, PUBLIC_CACHE_SECONDS={cache}")
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "tracker.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={self.workers}",
                "--worker-class=sync",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                for path in self.paths:
                    with urllib.request.urlopen(base + path, timeout=10) as response:
                        assert response.status == 200, (path, response.status)
                return base
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.log.seek(0)
                    sys.exit(f"gunicorn did not start:\n{self.log.read().decode()}")
                time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(url: str, duration: int, connections: int, *, quiet: bool = False) -> Measure:
    generator = wrk if shutil.which("wrk") else thread_pool
    time.sleep(1)  # the requests still queued from the previous URL drain first
    measure = generator(url, duration, connections)
    if quiet:
        return measure
    print(
        f"   {urlsplit(url).path[:40]:<40} {measure.requests_per_second:9.0f} req/s"
        f"  p50 {measure.p50_ms:6.2f} ms  p99 {measure.p99_ms:6.2f} ms",
        flush=True,
    )
    return measure


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, duration: float, connections: int, *, paths: list[str] | None = None) -> Measure:
    """wrk on `url`, or on `paths` of its server in turn (bench/bulk.py's 1,000 ZIP codes)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
        if paths:
            listed = ", ".join(json.dumps(path) for path in paths)  # a Lua string literal
            script.write(
                f"local paths = {{{listed}}}\n"
                "local next = 0\n"
                "request = function()\n"
                "  next = next % #paths + 1\n"
                '  return wrk.format("GET", paths[next])\n'
                "end\n"
            )
            script.flush()
            command += ["-s", script.name]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def latency(percentile: str) -> float:
        value, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)$", output, re.M).groups()
        return float(value) * _UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Measure(
        float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        latency("50"),
        latency("99"),
        int(errors[1]) if errors else 0,
    )


def thread_pool(url: str, duration: int, connections: int) -> Measure:
    """The fallback load generator: one keep-alive connection per thread."""
    latencies, statuses, elapsed = keep_alive_clients(url, duration, connections)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    errors = sum(n for status, n in statuses.items() if status != 200)
    return Measure(len(latencies) / elapsed, cuts[49], cuts[98], errors)


def keep_alive_clients(
    url: str, duration: float, connections: int
) -> tuple[list[float], Counter, float]:
    """`connections` keep-alive clients, each sending GETs back to back for `duration` s: the
    latency (ms) of every answered request, the count of each status ("connection error" for a
    dropped connection), and the seconds it took."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine, seen = [], Counter()
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", target)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                seen["connection error"] += 1
                connection.close()
                continue
            seen[response.status] += 1
            mine.append((time.perf_counter() - started) * 1000)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.monotonic() - started


def report(results: dict[str, list[dict[str, Measure]]], args: argparse.Namespace) -> None:
    """Medians over the rounds; a ratio is the median of each round's lookup/hello."""
    generator = "wrk -t1" if shutil.which("wrk") else "a thread pool"
    print(
        f"\n{args.workers} gunicorn sync workers, {generator}, {args.connections} connections, "
        f"medians of {args.rounds} rounds of {args.duration} s per URL, {os.cpu_count()} CPUs\n"
    )
    print(f"{'':<12} {'warm (cache on)':>36}   {'cold (PUBLIC_CACHE_SECONDS=0)':>36}")
    print(f"{'':<12} {'req/s  p50 ms  p99 ms   ratio':>36}   {'req/s  p50 ms  p99 ms   ratio':>36}")
    ratios = {}
    for name, _ in TARGETS:
        cells = []
        for mode in ("warm", "cold"):
            rounds = results[mode]
            ratios[mode, name] = ratio = statistics.median(
                r[name].requests_per_second / r["hello"].requests_per_second for r in rounds
            )
            rate = statistics.median(r[name].requests_per_second for r in rounds)
            p50 = statistics.median(r[name].p50_ms for r in rounds)
            p99 = statistics.median(r[name].p99_ms for r in rounds)
            errors = sum(r[name].errors for r in rounds)
            flag = f" ({errors} errors)" if errors else ""
            cells.append(f"{rate:>7.0f} {p50:>7.2f} {p99:>7.2f} {ratio:>7.2f}{flag}")
        print(f"{name:<12} {cells[0]:>36}   {cells[1]:>36}")
    worst = min(ratios["warm", name] for name in ("lookup page", "lookup API"))
    verdict = "met" if worst >= 0.8 else "NOT met"
    print(f"\nTarget lookup/hello >= 0.8 warm: {verdict} (lowest warm ratio {worst:.2f}).")


if __name__ == "__main__":
    main()

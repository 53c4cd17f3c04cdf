"""Benchmark: the link checker's throughput against local HTTP servers, 2,000 URLs.

    DEBUG=true .venv/bin/python bench/link_checker.py [--urls 2000] [--hosts 20] [--latency 0.05]

Runs check_sources() end to end (fetch, hash, record SourceCheck rows, update the sources,
flag) on a throwaway SQLite database (or a throwaway `test_...` database on the server given by
DATABASE_URL). The URLs are spread over `--hosts` loopback addresses (127.0.0.1, 127.0.0.2, ...:
one host each, for the per-host limit) served by one threaded server that answers after
`--latency` seconds with a 16 KB page. Settings are the checker's defaults (8 requests in flight,
2 per host) except that loopback is allowed. Printed: URLs per second, for several latencies.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TRACKER_VAR_DIR", tempfile.mkdtemp(prefix="bench-links-"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from legality.models import Source, SourceCheck  # noqa: E402
from legality.sources import CheckOptions, check_sources  # noqa: E402

PAGE = b"<html><body>" + b"Section 1. Kratom. " * 850 + b"</body></html>"


class Page(BaseHTTPRequestHandler):
    latency = 0.0

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        time.sleep(self.latency)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument(
        "--latency", type=float, action="append", help="Server delay in s (repeatable)."
    )
    args = parser.parse_args()
    latencies = args.latency or [0.0, 0.05]

    server = Server(("0.0.0.0", 0), Page)  # every 127.x.y.z address reaches it
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port

    if connection.vendor == "sqlite":
        path = Path(os.environ["TRACKER_VAR_DIR"]) / "bench.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        Source.objects.bulk_create(
            Source(
                title=f"Act {n}",
                kind="statute",
                url=f"http://127.0.0.{1 + n % args.hosts}:{port}/acts/{n}",
            )
            for n in range(args.urls)
        )
        options = CheckOptions.from_settings()
        options = CheckOptions(**{**options.__dict__, "allow_private_networks": ("127.0.0.0/8",)})
        print(
            f"database: {connection.vendor}; {args.urls} URLs on {args.hosts} hosts; "
            f"{options.concurrency} in flight, {options.per_host} per host; "
            f"User-Agent {options.user_agent!r}"
        )
        for latency in latencies:
            Page.latency = latency
            SourceCheck.objects.all().delete()
            started = time.perf_counter()
            run = check_sources(now=datetime.now(UTC), options=options)
            seconds = time.perf_counter() - started
            assert run.reachable == args.urls, run
            bound = options.concurrency / latency if latency else float("inf")
            print(
                f"server latency {latency * 1000:4.0f} ms: {run.checked} URLs in {seconds:6.2f} s"
                f" = {run.checked / seconds:7.1f} URLs/s (ceiling at this latency: {bound:.0f}/s)"
            )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        server.shutdown()


if __name__ == "__main__":
    main()

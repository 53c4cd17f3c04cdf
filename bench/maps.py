"""Benchmark: how long a map takes to render, beside a place's page, and how much it weighs.

    DEBUG=true .venv/bin/python bench/maps.py [--rounds 7] [--var-dir DIR]

Builds a database with the shipped data (migrate, load_jurisdictions, load_statuses) in a
temporary TRACKER_VAR_DIR, or reuses the one in --var-dir. Then, in this process, with Django's
test client (no HTTP server: the figures are the render's own), each round empties the cache and
requests every map page and Tupelo's page in turn, so a burst of other work on the machine hits
them alike. It prints, per page, the median over the rounds of the cold render (nothing cached),
of the same page with its map already rendered (a date asked for the first time that falls after
the same last change: only the page around the map is made), the ratio of the cold render to
Tupelo's page in the same rounds, and the page's weight, raw and gzipped.
"""

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACE_PAGE = "/j/ocd-division/country:us/state:ms/place:tupelo/"
# (name, URL with {day} for the date); the home page always shows today.
MAPS = (
    ("US, kratom, today", "/map/?as_of={day}", "today"),
    ("US, 7-OH, 2020", "/map/?substance=7-oh&as_of={day}", "2020-06-01"),
    ("Mississippi by county", "/map/us/ms/?as_of={day}", "today"),
    ("Texas by county", "/map/us/tx/?as_of={day}", "today"),
    ("world, today", "/map/world/?as_of={day}", "today"),
    ("world, 2020", "/map/world/?as_of={day}", "2020-06-01"),
    ("home page (with the US map)", "/?day={day}", "today"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--var-dir", help="reuse this TRACKER_VAR_DIR (loaded if empty)")
    options = parser.parse_args()
    var_dir = options.var_dir or tempfile.mkdtemp(prefix="bench-maps-")
    os.environ.update(TRACKER_VAR_DIR=var_dir, DEBUG="true")
    os.environ.pop("DATABASE_URL", None)
    for command in (["migrate", "-v0"], ["load_jurisdictions", "-v0"], ["load_statuses", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from legality.maps.rendering import last_change_on_or_before

    settings.ALLOWED_HOSTS = ["testserver"]

    def another_day_of_the_same_picture(day: date) -> date:
        # A day before or after `day` with the same last change: its map is the same render.
        for other in (day - timedelta(days=1), day + timedelta(days=1)):
            if last_change_on_or_before(other) == last_change_on_or_before(day):
                return other
        raise ValueError(f"{day} is between two changes a day apart")

    days = {"today": timezone.localdate(), "2020-06-01": date(2020, 6, 1)}
    client = Client()
    client.get("/map/")  # imports, URL resolvers, templates and the boundary files, once

    def timed(url: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        return elapsed * 1000, response.content

    cold: dict[str, list[float]] = {name: [] for name, _, _ in MAPS}
    framed: dict[str, list[float]] = {name: [] for name, _, _ in MAPS}
    ratios: dict[str, list[float]] = {name: [] for name, _, _ in MAPS}
    weights: dict[str, bytes] = {}
    for _ in range(options.rounds):
        cache.clear()
        place_ms, _ = timed(PLACE_PAGE)
        for name, url, day in MAPS:
            cache.clear()
            milliseconds, weights[name] = timed(url.format(day=days[day]))
            cold[name].append(milliseconds)
            ratios[name].append(milliseconds / place_ms)
            other = another_day_of_the_same_picture(days[day])
            framed[name].append(timed(url.format(day=other))[0])

    columns = ("cold ms", 8), ("map kept ms", 12), ("cold / place page", 18), ("KiB", 6)
    print(f"{'page':30}", *(f"{title:>{width}}" for title, width in columns), f"{'gzip KiB':>9}")
    for name, _, _ in MAPS:
        content = weights[name]
        median = {
            name_: statistics.median(values[name])
            for name_, values in (("cold", cold), ("framed", framed), ("ratio", ratios))
        }
        print(
            f"{name:30} {median['cold']:8.0f} {median['framed']:12.1f} {median['ratio']:18.2f}"
            f" {len(content) / 1024:6.0f} {len(gzip.compress(content)) / 1024:9.0f}"
        )


if __name__ == "__main__":
    main()

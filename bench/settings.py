"""Settings for bench/lookup.py: the project's own, with bench/urls.py (its URLs plus /hello/)."""

from tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

"""Settings come from the environment; production refuses to start without what it needs."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start_django(**env: str) -> subprocess.CompletedProcess:
    # A child process with a controlled environment: settings are read once, at import.
    base = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)",
        ],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "tracker.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_required_settings_fails_at_start_naming_them(tmp_path):
    started = _start_django(DEBUG="false", TRACKER_VAR_DIR=str(tmp_path))
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"):
        assert name in started.stderr


def test_production_names_only_what_is_missing(tmp_path):
    started = _start_django(
        DEBUG="false",
        SECRET_KEY="s3cret",
        ALLOWED_HOSTS="tracker.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert started.returncode != 0
    assert "Set CELERY_BROKER_URL in the environment" in started.stderr


def test_debug_mode_uses_embedded_defaults(tmp_path):
    started = _start_django(DEBUG="true", TRACKER_VAR_DIR=str(tmp_path))
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_debug_must_be_a_boolean(tmp_path):
    started = _start_django(DEBUG="maybe", TRACKER_VAR_DIR=str(tmp_path))
    assert started.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in started.stderr

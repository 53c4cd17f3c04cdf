"""Production's security settings: HTTPS under Django's own setting names, a
Content-Security-Policy without inline script, `check --deploy` clean, and a public cache that
keeps each host's and scheme's answers apart."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import LegalStatusFactory

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "check-deploy-" + "x" * 50 + "-not-a-real-secret-0123456789",
    "ALLOWED_HOSTS": "tracker.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.org",
    "CELERY_BROKER_URL": "memory://",
}


def test_check_deploy_under_production_settings_has_no_warning(tmp_path):
    base = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env = {**base, **PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, "TRACKER_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "System check identified no issues (2 silenced)." in checked.stdout


@pytest.mark.django_db
def test_with_ssl_redirect_plain_http_is_redirected_except_the_health_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600

    page = client.get("/")
    health = client.get("/healthz")
    secure = client.get("/", HTTP_X_FORWARDED_PROTO="https")

    assert page.status_code == 301 and page["Location"] == "https://testserver/"
    assert health.status_code == 200
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=3600"  # no preload unless set


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/api/docs/", "/admin/login/", "/api/v1/jurisdictions/"])
def test_every_answer_has_a_content_security_policy_without_inline_script(client, url):
    response = client.get(url)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_the_api_docs_load_their_script_and_styles_from_files(client):
    page = client.get("/api/docs/").content.decode()

    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    assert scripts and all(not body.strip() for body in scripts)  # each has a src, no body
    assert "<style" not in page
    setup = re.search(r'<script src="(/api/docs/\?script=[^"]*)"', page).group(1)
    script = client.get(setup.replace("&amp;", "&"))
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_public_cache_keeps_each_host_and_scheme_apart(client, settings, kratom):
    settings.ALLOWED_HOSTS = ["tracker.example.org", "mirror.example.net"]
    LegalStatusFactory(substance=kratom)

    plain = client.get("/changes/feed/", HTTP_HOST="tracker.example.org")
    other_host = client.get("/changes/feed/", HTTP_HOST="mirror.example.net")
    https = client.get(
        "/changes/feed/", HTTP_HOST="tracker.example.org", HTTP_X_FORWARDED_PROTO="https"
    )

    assert b"http://tracker.example.org/" in plain.content
    assert b"http://mirror.example.net/" in other_host.content
    assert b"tracker.example.org" not in other_host.content
    assert b"https://tracker.example.org/" in https.content
    assert len({plain["ETag"], other_host["ETag"], https["ETag"]}) == 3

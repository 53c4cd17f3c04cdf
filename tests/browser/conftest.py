"""Shared browser fixtures: the tracker on its shipped data, Chromium, axe-core and screenshots.

`shipped_site` runs the tracker as `make run` sets it up (migrate, the geography, the statuses,
the demo curator) plus one run of the daily flagging job, in a gunicorn process of its own on a
fresh SQLite file in a temporary folder. It is independent of pytest-django's test database, so
tests can read it from any thread and write to it through the admin, as a user would.

`page_at(width)` opens a page 390 or 1280 px wide (height of a phone or a laptop screen) in
Debian's chromium. Every page records its console errors, failed requests and requests to any
host but the tracker's, and the fixture fails the test if there were any. `axe_violations(page)`
injects the npm package axe-core (see package.json; CSP bypassed, default rules, nothing
disabled) and returns its violations. `screenshot(page, name)` writes a PNG to the git-ignored
var/screenshots/, which `.ci/run` lists.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
NARROWEST = {"width": 360, "height": 740}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
VIEWPORTS = {360: NARROWEST, 390: PHONE, 1280: LAPTOP}
SERVER_START_SECONDS = 60


@dataclass(frozen=True)
class ShippedSite:
    """The running tracker: its address, the demo curator's login, and `manage` to run a
    management command against its database."""

    url: str
    curator_username: str
    curator_password: str
    environment: dict[str, str]

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the tracker exited with {server.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the tracker did not answer on {url} within {SERVER_START_SECONDS} s")


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> Iterator[ShippedSite]:
    """The tracker with the shipped data, served by gunicorn for the whole session."""
    var_dir = tmp_path_factory.mktemp("shipped-site")
    port = _free_port()
    environment = {
        **os.environ,
        # Production-like: DEBUG off, so the real 404 handler and hashed static files are used.
        "DEBUG": "false",
        "SECRET_KEY": "browser-tests-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRACKER_VAR_DIR": str(var_dir),
        # Its own SQLite file, whatever database the rest of the suite uses.
        "DATABASE_URL": f"sqlite:///{var_dir / 'tracker.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "SITE_URL": f"http://127.0.0.1:{port}",
        # A curator's edit shows on the next public request, as the journeys check.
        "DATASET_VERSION_SECONDS": "0",
        # Plain HTTP on loopback: production's HTTPS defaults (redirect, HSTS, secure cookies)
        # would send the browser to an https:// port nobody serves.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    environment.pop("CACHE_URL", None)
    site = ShippedSite(f"http://127.0.0.1:{port}", "curator", "", environment)
    site.manage("migrate", "--no-input", "-v0")
    site.manage("collectstatic", "--no-input", "-v0")
    site.manage("load_jurisdictions", "-v0")
    site.manage("load_statuses", "-v0")
    site.manage("flag_stale")
    login = site.manage("create_demo_curator")
    password = re.search(r"password '([^']+)'", login)
    assert password, f"create_demo_curator printed no password: {login!r}"
    site = ShippedSite(site.url, "curator", password.group(1), environment)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    try:
        _wait_until_serving(site.url, server)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def chromium() -> Iterator:
    """Debian's chromium, for one test.

    Not session-wide: Playwright's sync API keeps an asyncio loop running in the main thread
    while it is open, and Django then refuses database calls (SynchronousOnlyOperation) in every
    later test. Browser tests read and write the shipped site, never the test database.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class PageRecord:
    """What a page did that a test must not let pass: console errors, failed requests,
    and requests to another host."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {text}" for text in self.console_errors]
            + [f"failed request: {url}" for url in self.failed_requests]
            + [f"request to another host: {url}" for url in self.foreign_requests]
        )


@pytest.fixture
def page_at(chromium, shipped_site) -> Iterator[Callable]:
    """page_at(width) -> a Playwright page that many px wide, based at the shipped site."""
    host = urlsplit(shipped_site.url).netloc
    opened = []

    def open_page(width: int = 390):
        # bypass_csp lets axe-core be injected under the site's Content-Security-Policy.
        context = chromium.new_context(
            viewport=VIEWPORTS[width], base_url=shipped_site.url, bypass_csp=True
        )
        page = context.new_page()
        record = PageRecord()

        def on_console(message) -> None:
            # A page answering 404 or 400 on purpose logs its own status; the test checks that.
            is_own_status = message.location.get("url") == page.url
            if message.type == "error" and not is_own_status:
                record.console_errors.append(f"{message.text} ({page.url})")

        def on_request(request) -> None:
            if urlsplit(request.url).scheme in ("http", "https"):
                if urlsplit(request.url).netloc != host:
                    record.foreign_requests.append(request.url)

        page.on("console", on_console)
        page.on("pageerror", lambda error: record.console_errors.append(str(error)))
        page.on("request", on_request)

        def on_request_failed(request) -> None:
            # Chromium aborts what a page was still loading when the test moves on (a click
            # that navigates); that is the test's doing, not the page's.
            if request.failure != "net::ERR_ABORTED":
                record.failed_requests.append(f"{request.url} ({request.failure})")

        def on_response(response) -> None:
            # A missing or broken stylesheet, script or image is a real failure even though
            # the request itself "succeeded".
            if urlsplit(response.url).path.startswith("/static/") and response.status >= 400:
                record.failed_requests.append(f"{response.url} (HTTP {response.status})")

        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        # Requests to another host never leave the machine; they are recorded above.
        context.route(
            lambda url: urlsplit(url).netloc != host and urlsplit(url).scheme != "data",
            lambda route: route.abort(),
        )
        opened.append((context, record))
        return page

    yield open_page
    problems = [problem for _, record in opened for problem in record.problems()]
    for context, _ in opened:
        context.close()
    assert not problems, "\n".join(problems)


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now: default rule set, nothing disabled."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate("async () => (await axe.run(document)).violations")


def describe_violations(violations: list[dict]) -> str:
    """One line per violation and node, for assertion messages."""
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {node['target']}"
        for v in violations
        for node in v["nodes"]
    )


def log_in(page, site: ShippedSite) -> None:
    """Log the demo curator in through the admin's login form."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(site.curator_username)
    page.get_by_label("Password").fill(site.curator_password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def horizontal_overflow(page) -> int:
    """How many px the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """A PNG of `page` (the whole page, or only the first screen) as
    var/screenshots/<name>-<width>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path

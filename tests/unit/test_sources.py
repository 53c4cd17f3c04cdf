"""The link checker against a real HTTP server on 127.0.0.1 (only the network is stood in for)."""

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import factory
import pytest

from legality.models import ReviewFlag, Source, SourceCheck
from legality.sources import CheckOptions, check_sources, fetch_url, is_public_address
from tests.factories import LegalStatusFactory, ReviewFlagFactory, SourceFactory

Reason = ReviewFlag.Reason
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)

# Fast and small, and 127.0.0.1 allowed: the server under test is local.
OPTIONS = CheckOptions(
    user_agent="TrackerTest/1.0 (+http://testserver)",
    connect_timeout=1.0,
    read_timeout=0.3,
    total_timeout=2.0,
    max_bytes=64 * 1024,
    retries=1,
    backoff=0.01,
    max_redirects=3,
    concurrency=8,
    per_host=2,
    failures_before_flag=2,
    allow_private_networks=("127.0.0.1/32",),
)


class Site:
    """What the local server answers, changeable by a test, and what it saw."""

    def __init__(self) -> None:
        self.url = ""  # set once the server listens
        self.texts = {"/statute": b"Section 1. Kratom is regulated."}
        self.user_agents: list[str] = []
        self.hits: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    site: Site
    counted = False  # this request is counted in site.in_flight

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        site = self.site
        with site.lock:
            site.user_agents.append(self.headers.get("User-Agent", ""))
            site.hits[self.path] = site.hits.get(self.path, 0) + 1
            hits = site.hits[self.path]
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
        self.counted = True
        try:
            self.route(hits)
        finally:
            self.leave()

    def leave(self) -> None:
        """No longer in flight. Called before the answer's last bytes go out: once the checker
        has read them it may start its next request, possibly before this thread runs again."""
        if self.counted:
            self.counted = False
            with self.site.lock:
                self.site.in_flight -= 1

    def route(self, hits: int) -> None:
        path = self.path
        if path in self.site.texts:
            self.answer(200, self.site.texts[path])
        elif path == "/missing":
            self.answer(404, b"not here")
        elif path == "/broken":
            self.answer(500, b"oops")
        elif path == "/flaky":
            self.answer(503 if hits == 1 else 200, b"back again")
        elif path == "/slow":
            time.sleep(1.0)
            self.answer(200, b"too late")
        elif path.startswith("/hop"):  # /hop1 -> /hop2 -> /hop1: a loop
            self.redirect("/hop2" if path == "/hop1" else "/hop1")
        elif path == "/moved":
            self.redirect("/statute")
        elif path == "/to-private":
            self.redirect(f"http://127.0.0.2:{self.server.server_port}/statute")
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Length", str(1024 * 1024))
            self.end_headers()
            chunk = b"x" * 64 * 1024
            try:
                for _ in range(16):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the checker stopped reading at its cap
        elif path.startswith("/busy"):
            time.sleep(0.05)
            self.answer(200, b"ok")
        else:
            self.answer(404, b"")

    def answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.leave()
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.leave()
        self.end_headers()


@pytest.fixture
def site():
    state = Site()
    handler = type("SiteHandler", (Handler,), {"site": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()


# --- fetching one URL ------------------------------------------------------------------------


def test_200_gives_the_status_and_a_content_hash_and_sends_our_user_agent(site):
    fetch = fetch_url(f"{site.url}/statute", OPTIONS)

    assert (fetch.http_status, fetch.error, fetch.attempts) == (200, "", 1)
    assert len(fetch.content_hash) == 64
    assert fetch.is_reachable
    assert site.user_agents == ["TrackerTest/1.0 (+http://testserver)"]


def test_404_is_a_failure_and_is_not_retried(site):
    fetch = fetch_url(f"{site.url}/missing", OPTIONS)

    assert (fetch.http_status, fetch.error, fetch.attempts) == (404, "HTTP 404", 1)
    assert not fetch.is_reachable


def test_500_is_retried_then_reported(site):
    fetch = fetch_url(f"{site.url}/broken", OPTIONS)

    assert (fetch.http_status, fetch.attempts) == (500, 2)
    assert site.hits["/broken"] == 2


def test_a_transient_503_is_retried_with_backoff_and_succeeds(site):
    fetch = fetch_url(f"{site.url}/flaky", OPTIONS)

    assert (fetch.http_status, fetch.attempts, fetch.error) == (200, 2, "")


def test_a_read_timeout_is_retried_then_reported(site):
    started = time.monotonic()
    fetch = fetch_url(f"{site.url}/slow", OPTIONS)

    assert fetch.http_status is None
    assert "timed out" in fetch.error
    assert fetch.attempts == 2
    assert time.monotonic() - started < 2  # two 0.3 s timeouts, not the server's full second


def test_a_redirect_loop_is_reported_without_retrying(site):
    fetch = fetch_url(f"{site.url}/hop1", OPTIONS)

    assert "redirect loop" in fetch.error
    assert fetch.http_status is None
    assert fetch.attempts == 1


def test_a_redirect_is_followed_and_the_final_url_recorded(site):
    fetch = fetch_url(f"{site.url}/moved", OPTIONS)

    assert fetch.http_status == 200
    assert fetch.final_url == f"{site.url}/statute"


def test_too_many_redirects_are_reported(site):
    fetch = fetch_url(f"{site.url}/hop1", replace(OPTIONS, max_redirects=0))

    assert "more than 0 redirects" in fetch.error


def test_a_huge_body_stops_at_the_cap_and_is_not_hashed(site):
    fetch = fetch_url(f"{site.url}/huge", OPTIONS)

    assert fetch.http_status == 200
    assert fetch.is_reachable
    assert fetch.content_hash == ""
    assert "larger than 65536 bytes" in fetch.error


def test_a_private_address_is_refused_unless_allowed(site):
    fetch = fetch_url(f"{site.url}/statute", replace(OPTIONS, allow_private_networks=()))

    assert fetch.error == "refused: 127.0.0.1 resolves to non-public address 127.0.0.1"
    assert site.hits == {}  # nothing was sent


def test_a_host_name_that_resolves_to_loopback_is_refused(site):
    port = site.url.rsplit(":", 1)[1]
    fetch = fetch_url(
        f"http://localhost:{port}/statute", replace(OPTIONS, allow_private_networks=())
    )

    assert fetch.error.startswith("refused: localhost resolves to non-public address")
    assert site.hits == {}


def test_a_redirect_to_a_private_address_is_refused(site):
    # 127.0.0.1 is allowed for the test server; 127.0.0.2 (loopback too) is not.
    fetch = fetch_url(f"{site.url}/to-private", OPTIONS)

    assert "refused: 127.0.0.2 resolves to non-public address 127.0.0.2" == fetch.error
    assert site.hits == {"/to-private": 1}


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("224.0.0.1", False),
        # IPv6 forms that carry an IPv4 address are judged by that address.
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:93.184.215.14", True),
        ("::127.0.0.1", False),  # IPv4-compatible: [::127.0.0.1]
        ("::7f00:1", False),
        ("::169.254.169.254", False),
        ("::ffff:0:127.0.0.1", False),  # IPv4-translated
        ("64:ff9b::7f00:1", False),  # NAT64 to 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 to 10.0.0.1
        ("64:ff9b::5db8:d70e", True),  # NAT64 to 93.184.215.14
        ("64:ff9b:1::7f00:1", False),  # local-use NAT64
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("2002:5db8:d70e::1", True),  # 6to4 of a public address
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo, client 127.0.0.1
    ],
)
def test_what_counts_as_a_public_address(address, public):
    assert is_public_address(address) is public


# --- a checking run -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_records_each_check_on_the_source_and_in_the_log(site):
    good = SourceFactory(url=f"{site.url}/statute")
    gone = SourceFactory(url=f"{site.url}/missing")
    SourceFactory(url="", citation="Ala. Code § 20-2-23")  # nothing to fetch

    run = check_sources(now=NOW, options=OPTIONS)

    assert (run.checked, run.reachable, run.failed, run.changed) == (2, 1, 1, 0)
    good.refresh_from_db()
    gone.refresh_from_db()
    assert (good.last_http_status, good.consecutive_failures, good.last_checked_at) == (200, 0, NOW)
    assert len(good.content_hash) == 64
    assert (gone.last_http_status, gone.last_check_error, gone.consecutive_failures) == (
        404,
        "HTTP 404",
        1,
    )
    assert SourceCheck.objects.count() == 2


@pytest.mark.django_db
def test_entries_are_flagged_after_k_consecutive_failures_and_the_flag_closes_on_recovery(site):
    source = SourceFactory(url=f"{site.url}/missing")
    entry = LegalStatusFactory(sources=[source])
    other = LegalStatusFactory(sources=[source])

    first = check_sources(now=NOW, options=OPTIONS)
    assert first.flagged_unreachable == 0
    second = check_sources(now=NOW + timedelta(days=1), options=OPTIONS)
    assert second.flagged_unreachable == 2
    assert set(ReviewFlag.objects.open().values_list("legal_status", "reason")) == {
        (entry.pk, Reason.SOURCE_UNREACHABLE),
        (other.pk, Reason.SOURCE_UNREACHABLE),
    }
    third = check_sources(now=NOW + timedelta(days=2), options=OPTIONS)
    assert third.flagged_unreachable == 0  # still one open flag per entry

    Source.objects.filter(pk=source.pk).update(url=f"{site.url}/statute")
    fourth = check_sources(now=NOW + timedelta(days=3), options=OPTIONS)

    assert fourth.closed_unreachable == 2
    assert not ReviewFlag.objects.open().exists()
    assert "every cited source answers again" in ReviewFlag.objects.first().resolution


@pytest.mark.django_db
def test_changed_content_of_a_statute_flags_its_entries(site):
    statute = SourceFactory(url=f"{site.url}/statute", kind=Source.Kind.STATUTE)
    entry = LegalStatusFactory(sources=[statute])
    check_sources(now=NOW, options=OPTIONS)  # the first hash is no change

    site.texts["/statute"] = b"Section 1. Kratom is banned."
    run = check_sources(now=NOW + timedelta(days=1), options=OPTIONS)

    assert (run.changed, run.flagged_changed) == (1, 1)
    assert ReviewFlag.objects.open().get().legal_status == entry
    assert ReviewFlag.objects.open().get().reason == Reason.SOURCE_CHANGED
    latest = SourceCheck.objects.filter(source=statute).first()
    assert latest.has_changed


@pytest.mark.django_db
def test_changed_content_of_a_news_page_is_recorded_but_not_flagged(site):
    news = SourceFactory(url=f"{site.url}/statute", kind=Source.Kind.NEWS)
    LegalStatusFactory(sources=[news])
    check_sources(now=NOW, options=OPTIONS)
    site.texts["/statute"] = b"Updated story"

    run = check_sources(now=NOW + timedelta(days=1), options=OPTIONS)

    assert (run.changed, run.flagged_changed) == (1, 0)
    assert not ReviewFlag.objects.exists()


@pytest.mark.django_db
def test_an_unchanged_page_raises_nothing_and_an_open_changed_flag_stays_for_a_curator(site):
    statute = SourceFactory(url=f"{site.url}/statute")
    entry = LegalStatusFactory(sources=[statute])
    ReviewFlagFactory(legal_status=entry, reason=Reason.SOURCE_CHANGED)

    check_sources(now=NOW, options=OPTIONS)
    check_sources(now=NOW + timedelta(days=1), options=OPTIONS)

    assert ReviewFlag.objects.open().count() == 1


@pytest.mark.django_db
def test_no_more_than_the_per_host_limit_is_in_flight_at_once(site):
    SourceFactory.create_batch(12, url=factory.Sequence(lambda n: f"{site.url}/busy{n}"))

    run = check_sources(now=NOW, options=OPTIONS)

    assert run.reachable == 12
    assert site.max_in_flight == 2

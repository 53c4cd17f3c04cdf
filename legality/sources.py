"""The link checker: fetch every source's URL, record what came back, flag the entries it affects.

`check_sources()` is the daily job; `fetch_url()` checks one URL. Fetching is polite and bounded:
connect and read timeouts and a total time per request, a size cap, retries of transient failures
with exponential backoff, a fixed number of requests in flight and at most a few per host, and a
User-Agent that says who we are. It never talks to private, loopback, link-local or otherwise
non-public addresses: it resolves each host itself, checks every address, connects to the checked
address (so a second DNS answer cannot differ) and follows redirects one hop at a time, checking
each again. SOURCE_CHECK_ALLOW_PRIVATE_NETWORKS exempts given networks (tests' 127.0.0.1/32, an
intranet).
"""

import hashlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice, zip_longest
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from legality.models import LegalStatus, ReviewFlag, Source, SourceCheck
from legality.staleness import close_flags, raise_flags

# Kinds whose text is the law itself: a change there may change the entry.
WATCHED_KINDS = (Source.Kind.STATUTE, Source.Kind.REGULATION, Source.Kind.ORDINANCE)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Worth another try: the server says it is busy or failing for now.
RETRY_STATUSES = {429, 500, 502, 503, 504}
CHUNK = 500  # sources fetched, then written, together


@dataclass(frozen=True)
class CheckOptions:
    """How the checker fetches; `from_settings()` reads the SOURCE_CHECK_* settings."""

    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 2
    backoff: float = 2.0
    max_redirects: int = 5
    concurrency: int = 8
    per_host: int = 2
    failures_before_flag: int = 3
    # Non-public networks the checker may reach anyway: tests' 127.0.0.1, an intranet.
    allow_private_networks: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls) -> "CheckOptions":
        return cls(
            user_agent=settings.SOURCE_CHECK_USER_AGENT,
            connect_timeout=settings.SOURCE_CHECK_CONNECT_TIMEOUT,
            read_timeout=settings.SOURCE_CHECK_READ_TIMEOUT,
            total_timeout=settings.SOURCE_CHECK_TOTAL_TIMEOUT,
            max_bytes=settings.SOURCE_CHECK_MAX_BYTES,
            retries=settings.SOURCE_CHECK_RETRIES,
            backoff=settings.SOURCE_CHECK_BACKOFF,
            max_redirects=settings.SOURCE_CHECK_MAX_REDIRECTS,
            concurrency=settings.SOURCE_CHECK_CONCURRENCY,
            per_host=settings.SOURCE_CHECK_PER_HOST,
            failures_before_flag=settings.SOURCE_CHECK_FAILURES_BEFORE_FLAG,
            allow_private_networks=tuple(settings.SOURCE_CHECK_ALLOW_PRIVATE_NETWORKS),
        )


@dataclass(frozen=True)
class Fetch:
    """What fetching one URL gave. `error` is empty on a clean success."""

    url: str
    final_url: str
    http_status: int | None
    error: str
    content_hash: str
    attempts: int

    @property
    def is_reachable(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


@dataclass(frozen=True)
class CheckRun:
    """What one run of the link checker found and flagged."""

    checked: int
    reachable: int
    failed: int
    changed: int
    flagged_unreachable: int
    flagged_changed: int
    closed_unreachable: int
    seconds: float

    @property
    def counts(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class FetchError(Exception):
    """A fetch that failed; `transient` ones are retried."""

    def __init__(self, message: str, *, transient: bool = False, url: str = "") -> None:
        super().__init__(message)
        self.transient, self.url = transient, url


def check_sources(
    *, now: datetime, source_ids: list[int] | None = None, options: CheckOptions | None = None
) -> CheckRun:
    """Fetch the URL of every source (or of `source_ids`), record each check, and flag entries.

    Each check becomes a SourceCheck row and updates the source's last_* fields, content_hash and
    consecutive_failures. An entry citing a source that failed `failures_before_flag` checks in a
    row gets a `source_unreachable` flag, closed again once none of its sources is failing; an
    entry citing a statute, regulation or ordinance whose content hash changed gets a
    `source_changed` flag (a first hash is no change). `now` stamps every check of the run.
    Sources without a URL (citation only) are skipped.
    """
    options = options or CheckOptions.from_settings()
    started = time.monotonic()
    sources = Source.objects.exclude(url="").order_by("pk")
    if source_ids is not None:
        sources = sources.filter(pk__in=source_ids)
    rows = list(sources.values("pk", "url", "kind", "content_hash", "consecutive_failures"))
    tally = {"checked": 0, "reachable": 0, "changed": 0}
    limiter = HostLimiter(options.per_host)
    pool = ThreadPoolExecutor(max_workers=options.concurrency)
    try:
        ordered = _interleave_hosts(rows)
        while chunk := list(islice(ordered, CHUNK)):
            fetches = pool.map(lambda row: fetch_url(row["url"], options, limiter), chunk)
            checks = _record(list(zip(chunk, fetches, strict=True)), now=now)
            tally["checked"] += len(checks)
            tally["reachable"] += sum(check.is_reachable for check in checks)
            tally["changed"] += sum(check.has_changed for check in checks)
    finally:
        # On a Celery soft time limit, drop the queued fetches instead of waiting for them; the
        # chunks already recorded stay, and the next run checks everything again.
        pool.shutdown(wait=True, cancel_futures=True)
    flagged = _flag_entries(now=now, failures_before_flag=options.failures_before_flag)
    return CheckRun(
        checked=tally["checked"],
        reachable=tally["reachable"],
        failed=tally["checked"] - tally["reachable"],
        changed=tally["changed"],
        **flagged,
        seconds=round(time.monotonic() - started, 3),
    )


def _interleave_hosts(rows: list[dict]) -> Iterator[dict]:
    """Round-robin over hosts, so that workers rarely queue for the same host's slots."""
    by_host: dict[str, list[dict]] = {}
    for row in rows:
        by_host.setdefault(urlsplit(row["url"]).netloc.lower(), []).append(row)
    return (row for row in chain.from_iterable(zip_longest(*by_host.values())) if row)


def _record(results: list[tuple[dict, Fetch]], *, now: datetime) -> list[SourceCheck]:
    """Store one chunk's checks and the sources' latest state: one statement per batch."""
    checks, updated = [], []
    for row, fetch in results:
        hashed = fetch.content_hash
        has_changed = bool(hashed and row["content_hash"] and hashed != row["content_hash"])
        checks.append(
            SourceCheck(
                source_id=row["pk"],
                checked_at=now,
                url=row["url"][:1000],
                http_status=fetch.http_status,
                error=fetch.error[:300],
                final_url=fetch.final_url[:1000],
                content_hash=hashed,
                is_reachable=fetch.is_reachable,
                has_changed=has_changed,
                attempts=fetch.attempts,
            )
        )
        updated.append(
            Source(
                pk=row["pk"],
                last_checked_at=now,
                last_http_status=fetch.http_status,
                last_check_error=fetch.error[:300],
                final_url=fetch.final_url[:1000],
                # A body too large to hash keeps the last hash: no change is claimed.
                content_hash=hashed or row["content_hash"],
                consecutive_failures=0
                if fetch.is_reachable
                else min(row["consecutive_failures"] + 1, 32767),
            )
        )
    with transaction.atomic():
        SourceCheck.objects.bulk_create(checks)
        # The checker's own fields: the SourceCheck rows are their history.
        Source.objects.bulk_update(
            updated,
            [
                "last_checked_at",
                "last_http_status",
                "last_check_error",
                "final_url",
                "content_hash",
                "consecutive_failures",
            ],
        )
    return checks


def _flag_entries(*, now: datetime, failures_before_flag: int) -> dict[str, int]:
    Reason = ReviewFlag.Reason
    Citation = LegalStatus.sources.through
    failing = Citation.objects.filter(
        legalstatus_id=OuterRef("pk"), source__consecutive_failures__gte=failures_before_flag
    )
    changed_now = Citation.objects.filter(
        legalstatus_id=OuterRef("pk"),
        source__kind__in=WATCHED_KINDS,
        source__checks__checked_at=now,
        source__checks__has_changed=True,
    )
    day = now.date().isoformat()
    with transaction.atomic():
        flagged_unreachable = raise_flags(
            LegalStatus.objects.filter(Exists(failing)),
            reason=Reason.SOURCE_UNREACHABLE,
            note=f"A cited source failed {failures_before_flag} or more checks in a row "
            f"(last on {day}): find where it moved, or an archived copy.",
            at=now,
        )
        closed_unreachable = close_flags(
            ReviewFlag.objects.filter(reason=Reason.SOURCE_UNREACHABLE).exclude(
                legal_status__in=LegalStatus.objects.filter(Exists(failing)).values("pk")
            ),
            resolution=f"Closed by the link check on {day}: every cited source answers again.",
            at=now,
        )
        flagged_changed = raise_flags(
            LegalStatus.objects.filter(Exists(changed_now)),
            reason=Reason.SOURCE_CHANGED,
            note=f"The text of a cited statute, regulation or ordinance changed (seen {day}): "
            "compare it with the entry.",
            at=now,
        )
    return {
        "flagged_unreachable": flagged_unreachable,
        "flagged_changed": flagged_changed,
        "closed_unreachable": closed_unreachable,
    }


class HostLimiter:
    """At most `per_host` requests in flight to one host, across the checker's threads."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with semaphore:
            yield


def fetch_url(url: str, options: CheckOptions, limiter: HostLimiter | None = None) -> Fetch:
    """Fetch `url` following redirects; retry transient failures with exponential backoff.

    Never raises for a failed fetch: the failure is the Fetch's `error`. Retried: timeouts,
    connection errors and 429/5xx answers, `options.retries` times, waiting `backoff`, then twice
    that, and so on. A 2xx body larger than `max_bytes` counts as reachable but is not hashed.
    """
    limiter = limiter or HostLimiter(options.per_host)
    attempts = 0
    while True:
        attempts += 1
        try:
            status, final_url, content_hash, note = _follow(url, options, limiter)
        except FetchError as error:
            if error.transient and attempts <= options.retries:
                time.sleep(options.backoff * 2 ** (attempts - 1))
                continue
            return Fetch(url, error.url, None, str(error), "", attempts)
        if status in RETRY_STATUSES and attempts <= options.retries:
            time.sleep(options.backoff * 2 ** (attempts - 1))
            continue
        if not 200 <= status < 300:
            note = note or f"HTTP {status}"
        return Fetch(url, final_url, status, note, content_hash, attempts)


def _follow(url: str, options: CheckOptions, limiter: HostLimiter) -> tuple[int, str, str, str]:
    """(status, final URL, content hash, note) after following redirects one hop at a time."""
    seen: set[str] = set()
    current = url
    for _hop in range(options.max_redirects + 1):
        if current in seen:
            raise FetchError(f"redirect loop back to {current}", url=current)
        seen.add(current)
        host = urlsplit(current).hostname or ""
        with limiter.slot(host):
            status, location, content_hash, note = _request(current, options)
        if status in REDIRECT_STATUSES and location:
            current = urljoin(current, location)
            continue
        return status, current, content_hash, note
    raise FetchError(f"more than {options.max_redirects} redirects", url=current)


def _request(url: str, options: CheckOptions) -> tuple[int, str, str, str]:
    """One GET: (status, Location header, content hash of a 2xx body, note)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url[:200]}", url=url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _public_address(parts.hostname, port, options)
    connection = _connect(parts.scheme, parts.hostname, address, port, options)
    try:
        path = parts.path or "/"
        connection.putrequest("GET", f"{path}?{parts.query}" if parts.query else path)
        connection.putheader("User-Agent", options.user_agent)
        connection.putheader("Accept", "*/*")
        connection.putheader("Connection", "close")
        connection.endheaders()
        response = connection.getresponse()
        status, location = response.status, response.getheader("Location") or ""
        if not 200 <= status < 300:
            return status, location, "", ""
        content_hash, note = _hash_body(response, options)
        return status, location, content_hash, note
    except TimeoutError as error:
        raise FetchError(
            f"read timed out after {options.read_timeout:g} s", transient=True, url=url
        ) from error
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"connection failed: {error}", transient=True, url=url) from error
    finally:
        connection.close()


def _hash_body(response: http.client.HTTPResponse, options: CheckOptions) -> tuple[str, str]:
    """SHA-256 of the body, or ("", why) if it is larger than the cap or too slow to arrive."""
    digest, size = hashlib.sha256(), 0
    deadline = time.monotonic() + options.total_timeout
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > options.max_bytes:
            return "", f"body larger than {options.max_bytes} bytes: not hashed"
        if time.monotonic() > deadline:
            raise FetchError(f"body took longer than {options.total_timeout:g} s", transient=True)
        digest.update(chunk)
    return digest.hexdigest(), ""


def _public_address(host: str, port: int, options: CheckOptions) -> str:
    """The address to connect to; refuses a host if any address it resolves to is not public."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"cannot resolve {host}: {error.strerror}", transient=True) from error
    addresses = [answer[4][0] for answer in answers]
    allowed = [ipaddress.ip_network(network) for network in options.allow_private_networks]
    for address in addresses:
        if not is_public_address(address) and not any(
            ipaddress.ip_address(address.split("%", 1)[0]) in network for network in allowed
        ):
            raise FetchError(f"refused: {host} resolves to non-public address {address}")
    return addresses[0]


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, shared, reserved, multicast and unspecified.

    An IPv6 address that carries an IPv4 one (IPv4-mapped or -compatible, NAT64, 6to4, Teredo)
    is judged by the IPv4 address it reaches: [::127.0.0.1], [64:ff9b::7f00:1] and
    [2002:7f00:1::] are loopback in disguise.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if embedded := embedded_ipv4(ip):
            # A translation prefix is not "global" itself; what it reaches decides.
            return all(v4.is_global and not v4.is_multicast for v4 in embedded)
    return ip.is_global and not ip.is_multicast


# Prefixes whose last 32 bits are an IPv4 address: IPv4-compatible (deprecated, RFC 4291),
# IPv4-translated (RFC 2765), NAT64's well-known and local-use prefixes (RFC 6052, RFC 8215).
_LOW_32_BITS_IPV4 = [
    ipaddress.IPv6Network(network)
    for network in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
]


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, in any of the standard embeddings."""
    found = [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4 is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client)
    if ip not in (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")) and any(
        ip in network for network in _LOW_32_BITS_IPV4
    ):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _connect(
    scheme: str, host: str, address: str, port: int, options: CheckOptions
) -> http.client.HTTPConnection:
    """A connection to the checked `address` that still says `host` (Host header, TLS SNI)."""
    try:
        sock = socket.create_connection((address, port), timeout=options.connect_timeout)
    except TimeoutError as error:
        raise FetchError(
            f"connect timed out after {options.connect_timeout:g} s", transient=True
        ) from error
    except OSError as error:
        raise FetchError(f"cannot connect to {host}: {error}", transient=True) from error
    sock.settimeout(options.read_timeout)
    if scheme == "https":
        context = ssl.create_default_context()
        try:
            sock = context.wrap_socket(sock, server_hostname=host)
        except (OSError, ssl.SSLError) as error:
            sock.close()
            raise FetchError(f"TLS failed: {error}") from error
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, context=context
        )
    else:
        connection = http.client.HTTPConnection(host, port)
    connection.sock = sock  # already connected: connect() is not called again
    return connection

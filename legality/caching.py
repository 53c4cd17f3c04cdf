"""HTTP caching of public answers: ETag / Last-Modified / Cache-Control, and stored answers.

Every public answer depends only on the dataset, the day and the URL. The dataset's last change
is read at most once per DATASET_VERSION_SECONDS and names every answer (its ETag), so a warm
request costs two cache reads and a changed dataset is never answered from an old copy.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from legality.models import LegalStatus, ReviewFlag, Source

_VERSION_KEY = "legality:dataset-last-changed"


def dataset_last_changed() -> datetime:
    """When any public fact last changed: an entry, a source, or a review flag.

    Four aggregate queries, at most once per DATASET_VERSION_SECONDS; cached in between.
    """
    cached = cache.get(_VERSION_KEY)
    if cached is not None:
        return cached
    moments = [
        *LegalStatus.objects.aggregate(Max("updated_at")).values(),
        # Deletions leave no row behind but a history record.
        *LegalStatus.history.aggregate(Max("history_date")).values(),
        *Source.history.aggregate(Max("history_date")).values(),
        *ReviewFlag.objects.aggregate(
            Max("created_at"), Max("claimed_at"), Max("resolved_at")
        ).values(),
    ]
    # An empty dataset has never changed: any fixed moment serves as its version.
    last_changed = max(
        (moment for moment in moments if moment is not None),
        default=datetime(2000, 1, 1, tzinfo=UTC),
    )
    cache.set(_VERSION_KEY, last_changed, settings.DATASET_VERSION_SECONDS)
    return last_changed


def forget_dataset_version() -> None:
    """Make the next request read the dataset's last change again (after a curator's write)."""
    cache.delete(_VERSION_KEY)


def _etag(request: HttpRequest, last_changed: datetime) -> str:
    # The answer depends on the data, the day (as_of defaults to today) and the full request,
    # with its scheme and host: pages and feeds hold absolute links to the site they came from.
    key = f"{last_changed.isoformat()}|{timezone.localdate()}|{request.build_absolute_uri()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _response_key(request: HttpRequest, etag: str) -> str:
    return f"legality:response:{etag}:{request.headers.get('Accept', '')}"


def _is_storable(request: HttpRequest) -> bool:
    return bool(settings.PUBLIC_CACHE_SECONDS) and request.method in ("GET", "HEAD")


def _validate(
    request: HttpRequest, response: HttpResponse | None, etag: str, last_changed: datetime
):
    """Return 304 when the client's copy is current, else `response` with validators set."""
    last_modified = int(last_changed.timestamp())
    not_modified = get_conditional_response(
        request, etag=quote_etag(etag), last_modified=last_modified
    )
    if not_modified is not None or response is None:
        response = not_modified
    if response is not None:
        response["ETag"] = quote_etag(etag)
        response["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE_SECONDS)
    return response


def cached_public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a public view's answers cacheable: ETag, Last-Modified, Cache-Control and 304s.

    Its complete responses are kept by StoredAnswerMiddleware under the ETag, so a stored answer
    can never outlive the data it was made from.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        last_changed = dataset_last_changed()
        etag = _etag(request, last_changed)
        if (not_modified := _validate(request, None, etag, last_changed)) is not None:
            return not_modified
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        if response.status_code in (200, 300, 404) and not response.streaming:
            response.public_etag = etag  # tells the middleware this answer may be kept
        return _validate(request, response, etag, last_changed)

    return wrapped


class StoredAnswerMiddleware:
    """Keep public answers and serve them again before sessions, auth and CSRF run.

    Public answers depend on the data, the day and the URL only, never on the visitor. Placed
    right after WhiteNoise, a stored answer costs one cache read for the dataset version and one
    for the answer. PUBLIC_CACHE_SECONDS = 0 turns it off (the benchmark's "cold" run).
    """

    _SKIPPED_PREFIXES = ("/admin/", "/static/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_storable(request) or request.path.startswith(self._SKIPPED_PREFIXES):
            return self.get_response(request)
        last_changed = dataset_last_changed()
        etag = _etag(request, last_changed)
        if (stored := cache.get(_response_key(request, etag))) is not None:
            status, content, headers = stored
            response = HttpResponse(content, status=status, headers=headers)
            return _validate(request, response, etag, last_changed)
        response = self.get_response(request)
        # Only the ETag of this request's data: an answer made from newer data is not kept here.
        if getattr(response, "public_etag", None) == etag and not response.cookies:
            stored = (response.status_code, response.content, dict(response.items()))
            cache.set(_response_key(request, etag), stored, settings.PUBLIC_CACHE_SECONDS)
        return response

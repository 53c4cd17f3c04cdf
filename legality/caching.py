"""HTTP caching of public answers: ETag / Last-Modified / Cache-Control, and a server-side cache.

Every public answer depends only on the dataset and the day. The dataset's last change is read
once per DATASET_VERSION_SECONDS (one query) and cached, so a warm request costs a cache lookup.
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
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import condition

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
        *ReviewFlag.objects.aggregate(Max("created_at"), Max("resolved_at")).values(),
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


def _etag(request: HttpRequest, *args, **kwargs) -> str:
    # The answer depends on the data, the day (as_of defaults to today) and the full request.
    key = f"{dataset_last_changed().isoformat()}|{timezone.localdate()}|{request.get_full_path()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request: HttpRequest, *args, **kwargs) -> datetime:
    return dataset_last_changed()


def cached_public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer conditional requests with 304, mark responses cacheable, and keep a server copy.

    The server-side copy is keyed by the ETag, so it can never outlive the data it was made from.
    PUBLIC_CACHE_SECONDS = 0 turns the server-side copy off (the benchmark's "cold" run).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PUBLIC_CACHE_SECONDS
        etag = _etag(request)
        cache_key = f"legality:response:{etag}:{request.headers.get('Accept', '')}"
        response = cache.get(cache_key) if seconds and request.method == "GET" else None
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if seconds and request.method == "GET" and response.status_code in (200, 300, 404):
                cache.set(cache_key, response, seconds)
        response["ETag"] = f'"{etag}"'
        response["Last-Modified"] = http_date(dataset_last_changed().timestamp())
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE_SECONDS)
        return response

    return condition(etag_func=_etag, last_modified_func=_last_modified)(wrapped)

"""The project's URLs plus /hello/, the benchmark's baseline: the same server and middleware, no
database and no cache.

/hello/ comes last, so resolving it walks the project's patterns as a lookup's URL does: the
comparison is the lookup's own work, not its place in the URL list.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [
    path("", include("tracker.urls")),
    path("hello/", hello, name="bench-hello"),
]

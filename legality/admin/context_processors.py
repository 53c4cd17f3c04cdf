"""Template context for the admin's own pages."""

from collections.abc import Callable

from django.http import HttpRequest

from legality.models import ReviewFlag


def review_queue(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """The number of open review flags, for the admin index (templates/admin/index.html).

    A callable, so the count is queried only by a template that shows it, not on every page.
    """
    return {"open_review_flag_count": ReviewFlag.objects.open().count}

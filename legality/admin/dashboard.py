"""The curators' dashboard, an admin page: the backlog at a glance with links into the queue."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from legality.dashboard import VERIFICATION_AGES, curators_dashboard


def dashboard_view(request: HttpRequest) -> TemplateResponse:
    """Wrapped by admin.site.admin_view in tracker/urls.py: staff only, like the admin."""
    if not request.user.has_perm("legality.view_reviewflag"):
        raise PermissionDenied
    today = timezone.localdate()
    dashboard = curators_dashboard(today=today)
    queue = reverse("admin:legality_reviewflag_changelist")
    statuses = reverse("admin:legality_legalstatus_changelist")
    return TemplateResponse(
        request,
        "admin/legality/dashboard.html",
        {
            **admin.site.each_context(request),
            "title": "Curators' dashboard",
            "dashboard": dashboard,
            "queue_url": f"{queue}?state=open",
            "flag_rows": [
                {"row": row, "url": f"{queue}?{urlencode({'state': 'open', 'reason': row.reason})}"}
                for row in dashboard.flags
            ],
            "age_rows": [
                {
                    "row": row,
                    "cells": [
                        {"count": count, "url": f"{statuses}?{urlencode(query)}"}
                        for count, query in zip(
                            row.counts, _age_queries(row.status, today), strict=True
                        )
                    ],
                }
                for row in dashboard.ages
            ],
        },
    )


def _age_queries(status: str, today: date) -> list[dict[str, str]]:
    """The statuses changelist's filters for each verification-age column of one status."""
    base = {"status__exact": status, "is_published__exact": "1"}
    queries = []
    for _, start, end in VERIFICATION_AGES:
        query = {**base, "last_verified_at__lte": str(today - timedelta(days=start))}
        if end is not None:
            query["last_verified_at__gt"] = str(today - timedelta(days=end))
        queries.append(query)
    queries.append({**base, "last_verified_at__isnull": "True"})  # never verified
    return queries

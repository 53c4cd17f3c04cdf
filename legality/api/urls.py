from django.urls import path

from legality.caching import cached_public_view

from . import views

app_name = "api"

urlpatterns = [
    path(
        "jurisdictions/",
        cached_public_view(views.JurisdictionListView.as_view()),
        name="jurisdictions",
    ),
    path(
        "jurisdictions/<path:ocd_id>/",
        cached_public_view(views.JurisdictionDetailView.as_view()),
        name="jurisdiction",
    ),
    path("statuses/", cached_public_view(views.LegalStatusListView.as_view()), name="statuses"),
    # POST: never cached; its own throttle scope (bulk_lookup).
    path("lookup/bulk/", views.BulkLookupView.as_view(), name="bulk-lookup"),
    path("lookup/", cached_public_view(views.LookupView.as_view()), name="lookup"),
    path("changes/", cached_public_view(views.StatusChangeListView.as_view()), name="changes"),
]

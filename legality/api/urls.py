from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("jurisdictions/", views.JurisdictionListView.as_view(), name="jurisdictions"),
    path(
        "jurisdictions/<path:ocd_id>/",
        views.JurisdictionDetailView.as_view(),
        name="jurisdiction",
    ),
    path("statuses/", views.LegalStatusListView.as_view(), name="statuses"),
    path("changes/", views.StatusChangeListView.as_view(), name="changes"),
]

"""Public pages and feeds. Every answer is cacheable (see legality.caching)."""

from django.urls import path

from legality import alert_views, bulk_views, exports, feeds, views
from legality.caching import cached_public_view
from legality.maps import views as map_views

app_name = "legality"

urlpatterns = [
    path("", cached_public_view(views.home), name="home"),
    path("search/", cached_public_view(views.search), name="search"),
    # Not cached: it answers a posted list (CSRF-exempt, see bulk_views).
    path("check/", bulk_views.bulk_check, name="bulk-check"),
    path("changes/", cached_public_view(views.changes), name="changes"),
    path("about/data/", cached_public_view(views.about_data), name="about-data"),
    path("map/", cached_public_view(map_views.us_map), name="us-map"),
    path("map/world/", cached_public_view(map_views.world_map), name="world-map"),
    path("map/us/<str:postal_code>/", cached_public_view(map_views.state_map), name="state-map"),
    path("changes/feed/", cached_public_view(feeds.ChangesFeed()), name="changes-feed"),
    # The feed first: an OCD id is a path, and "<ocd_id>/feed" would otherwise read as an id.
    path(
        "j/<path:ocd_id>/feed/",
        cached_public_view(feeds.JurisdictionChangesFeed()),
        name="jurisdiction-feed",
    ),
    path("j/<path:ocd_id>/", cached_public_view(views.jurisdiction), name="jurisdiction"),
    path("badge/<path:ocd_id>.svg", cached_public_view(views.badge), name="badge"),
    # Alerts: not cached (they act on a token or a form), and CSRF-exempt (see alert_views).
    path("alerts/subscribe/", alert_views.alerts_subscribe, name="alerts-subscribe"),
    path("alerts/confirm/<str:token>/", alert_views.alerts_confirm, name="alerts-confirm"),
    path(
        "alerts/unsubscribe/<str:token>/",
        alert_views.alerts_unsubscribe,
        name="alerts-unsubscribe",
    ),
    # The whole published dataset, with its licence (legality/exports.py).
    path("data/statuses.csv", cached_public_view(exports.statuses_csv), name="statuses-csv"),
    path("data/statuses.json", cached_public_view(exports.statuses_json), name="statuses-json"),
    path("data/datapackage.json", cached_public_view(exports.datapackage), name="datapackage"),
    # Built by a job and stored; its own ETag is the content's hash (not the dataset version).
    path("data/zip-codes.csv", exports.zip_table_csv, name="zip-table-csv"),
]

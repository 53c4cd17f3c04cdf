from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from legality.admin.dashboard import dashboard_view
from tracker.health import healthz

urlpatterns = [
    # Before the admin's own URLs, which would read "dashboard" as an app label.
    path("admin/dashboard/", admin.site.admin_view(dashboard_view), name="curators-dashboard"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("legality.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its setup script as a file: no inline script for the CSP to allow.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("", include("legality.urls")),
]

handler404 = "legality.views.page_not_found"

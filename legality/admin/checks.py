"""Admin for what the jobs leave behind: the link checker's log, the job locks and the ZIP table's
last build (read-only)."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from legality.models import JobLock, SourceCheck, ZipTable


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by a job: people read them, nobody edits or adds them."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SourceCheck)
class SourceCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "source", "http_status", "is_reachable", "has_changed", "error"]
    list_select_related = ["source"]
    list_filter = ["is_reachable", "has_changed"]
    search_fields = ["url", "final_url", "source__title", "source__citation"]
    raw_id_fields = ["source"]


@admin.register(JobLock)
class JobLockAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "acquired_at", "expires_at"]


@admin.register(ZipTable)
class ZipTableAdmin(ReadOnlyAdmin):
    """When the public ZIP table was last built and from which data; the CSV is at
    /data/zip-codes.csv (the content is left out here: megabytes of text)."""

    list_display = ["name", "as_of", "built_at", "zip_codes", "dataset_changed_at"]
    fields = ["name", "as_of", "built_at", "zip_codes", "dataset_changed_at", "etag"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("content")

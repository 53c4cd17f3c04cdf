"""Admin for keeping entries true: the review queue and the staleness reports."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from legality.curation import dismiss_flags, resolve_flags
from legality.models import ReviewFlag, ReviewPolicy, StalenessReport

from .filters import FlagStateFilter


class ReviewFlagForm(forms.ModelForm):
    def validate_unique(self) -> None:
        super().validate_unique()
        # Django skips "one open flag per entry and reason" above because its condition reads
        # resolved_at, which is not a form field; check it with the flag's own resolved_at.
        (one_open,) = (
            constraint
            for constraint in ReviewFlag._meta.constraints
            if constraint.name == "reviewflag_one_open_per_reason"
        )
        try:
            one_open.validate(ReviewFlag, self.instance)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(ReviewFlag)
class ReviewFlagAdmin(SimpleHistoryAdmin):
    form = ReviewFlagForm
    list_display = ["legal_status", "reason", "is_open", "created_at", "resolved_at", "resolved_by"]
    list_select_related = ["legal_status__jurisdiction", "legal_status__substance", "resolved_by"]
    list_filter = [
        FlagStateFilter,
        "reason",
        "legal_status__substance",
        "legal_status__jurisdiction__level",
    ]
    search_fields = [
        "legal_status__jurisdiction__name",
        "legal_status__jurisdiction__ocd_id",
        "note",
        "resolution",
    ]
    autocomplete_fields = ["legal_status"]
    fields = [
        "legal_status",
        "reason",
        "note",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution",
    ]
    readonly_fields = ["created_at", "resolved_at", "resolved_by", "resolution"]
    actions = ["resolve_selected", "dismiss_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # A raised flag keeps its entry and reason; it is closed with the actions.
        return [*self.readonly_fields, "legal_status", "reason"] if obj else self.readonly_fields

    @admin.display(description="open", boolean=True, ordering="resolved_at")
    def is_open(self, flag: ReviewFlag) -> bool:
        return flag.is_open

    @admin.action(
        description="Resolve selected flags (the entry was dealt with)", permissions=["change"]
    )
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        closed = resolve_flags(queryset, by=request.user, on=timezone.localdate())
        self._report_closed(request, closed, "resolved")

    @admin.action(
        description="Dismiss selected flags (no change was needed)", permissions=["change"]
    )
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        closed = dismiss_flags(
            queryset, by=request.user, on=timezone.localdate(), note="no change needed"
        )
        self._report_closed(request, closed, "dismissed")

    def _report_closed(self, request: HttpRequest, closed: int, verb: str) -> None:
        flags = "flag" if closed == 1 else "flags"
        self.message_user(
            request,
            f"{closed} {flags} {verb}; flags that were already closed are unchanged.",
            messages.SUCCESS,
        )


@admin.register(StalenessReport)
class StalenessReportAdmin(admin.ModelAdmin):
    """Reports are written by the staleness job; here they are only read."""

    list_display = ["as_of", "created_at", "sent_at"]
    fields = ["as_of", "created_at", "sent_at", "recipients", "counts", "entries", "csv"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(SimpleHistoryAdmin):
    """The one row of review intervals (created by a migration): edited, never added or removed."""

    list_display = ["__str__", "banned_days", "restricted_days", "regulated_days", "legal_days"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

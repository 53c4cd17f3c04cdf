"""Admin for keeping entries true: the review queue and the staleness reports."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from legality.curation import claim_flags, confirm_unchanged, dismiss_flags, resolve_flags
from legality.models import ReviewFlag, ReviewPolicy, StalenessReport

from .filters import FlagCountryFilter, FlagStateFilter
from .notes import note_form, note_page


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
    """The review queue: open flags, oldest first (the state filter also shows closed ones).

    A flag is worked by one of the actions, or by editing its entry through the entry's link.
    """

    form = ReviewFlagForm
    # The columns a curator decides by, narrow enough to fit 1280 px beside the filters; the
    # note and the resolution are on the flag's own page.
    list_display = [
        "raised",
        "reason",
        "entry",
        "country",
        "entry_last_verified_at",
        "taken_by",
        "is_open",
    ]
    list_display_links = ["raised"]
    # With these joins the queue is one query however many flags it shows.
    list_select_related = [
        "legal_status__jurisdiction",
        "legal_status__substance",
        "claimed_by",
    ]
    list_filter = [
        FlagStateFilter,
        "reason",
        "legal_status__jurisdiction__level",
        FlagCountryFilter,
        "legal_status__substance",
    ]
    ordering = ["created_at", "pk"]
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
        "claimed_by",
        "claimed_at",
        "resolved_at",
        "resolved_by",
        "resolution",
    ]
    readonly_fields = [
        "created_at",
        "claimed_by",
        "claimed_at",
        "resolved_at",
        "resolved_by",
        "resolution",
    ]
    actions = ["take_flags", "verified_unchanged", "dismiss_with_note", "resolve_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # A raised flag keeps its entry and reason; it is closed with the actions.
        return [*self.readonly_fields, "legal_status", "reason"] if obj else self.readonly_fields

    @admin.display(description="raised", ordering="created_at")
    def raised(self, flag: ReviewFlag) -> str:
        return f"{timezone.localtime(flag.created_at):%Y-%m-%d %H:%M}"

    @admin.display(description="entry (edit it)", ordering="legal_status__jurisdiction__name")
    def entry(self, flag: ReviewFlag) -> str:
        url = reverse("admin:legality_legalstatus_change", args=[flag.legal_status_id])
        return format_html('<a href="{}">{}</a>', url, flag.legal_status)

    @admin.display(description="level", ordering="legal_status__jurisdiction__level")
    def level(self, flag: ReviewFlag) -> str:
        return flag.legal_status.jurisdiction.get_level_display()

    @admin.display(description="country", ordering="legal_status__jurisdiction__country_code")
    def country(self, flag: ReviewFlag) -> str:
        return flag.legal_status.jurisdiction.country_code

    @admin.display(description="last verified", ordering="legal_status__last_verified_at")
    def entry_last_verified_at(self, flag: ReviewFlag) -> date | None:
        return flag.legal_status.last_verified_at

    @admin.display(description="taken by", ordering="claimed_by__username")
    def taken_by(self, flag: ReviewFlag) -> str:
        return flag.claimed_by.get_username() if flag.claimed_by else "—"

    @admin.display(description="open", boolean=True, ordering="resolved_at")
    def is_open(self, flag: ReviewFlag) -> bool:
        return flag.is_open

    @admin.action(
        description="Take these flags: I am checking the entries (the public pages say so)",
        permissions=["change"],
    )
    def take_flags(self, request: HttpRequest, queryset: QuerySet) -> None:
        taken = claim_flags(queryset, by=request.user)
        flags = "flag" if taken == 1 else "flags"
        self.message_user(
            request,
            f"You took {taken} {flags}; closed flags and flags you already held are unchanged.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Verified, unchanged: mark the entries verified today, close the flags",
        permissions=["change"],
    )
    def verified_unchanged(self, request: HttpRequest, queryset: QuerySet) -> None:
        today = timezone.localdate()
        # Ids first: the queryset may say "open" (the state filter), and would no longer match
        # the flags once they are closed, so they could not be counted.
        flags = list(queryset.filter(resolved_at__isnull=True).values_list("pk", flat=True))
        verified = confirm_unchanged(
            ReviewFlag.objects.filter(pk__in=flags), by=request.user, on=today
        )
        closed = ReviewFlag.objects.filter(pk__in=flags, resolved_by=request.user).count()
        entries = "entry" if verified == 1 else "entries"
        self.message_user(
            request,
            f"{closed} {'flag' if closed == 1 else 'flags'} closed; {verified} {entries} marked "
            f"verified on {today} (entries already verified today are unchanged).",
            messages.SUCCESS,
        )

    @admin.action(description="Dismiss with a note (no change was needed)", permissions=["change"])
    def dismiss_with_note(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = note_form(
            request,
            required=True,
            help_text="Why no change was needed. It is kept in each flag's resolution.",
        )
        if form.is_valid():
            closed = dismiss_flags(
                queryset, by=request.user, on=timezone.localdate(), note=form.cleaned_data["note"]
            )
            self._report_closed(request, closed, "dismissed")
            return None
        flags = queryset.select_related("legal_status__jurisdiction", "legal_status__substance")
        return note_page(
            self,
            request,
            flags,
            form=form,
            action="dismiss_with_note",
            title="Dismiss review flags with a note",
            intro="These flags will be closed as dismissed; their entries stay as they are.",
            submit="Dismiss the flags",
            describe=lambda flag: f"{flag.legal_status}: {flag.get_reason_display()}"
            + (f" ({flag.note})" if flag.note else ""),
        )

    @admin.action(
        description="Resolve selected flags (the entry was edited)", permissions=["change"]
    )
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        closed = resolve_flags(queryset, by=request.user, on=timezone.localdate())
        self._report_closed(request, closed, "resolved")

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

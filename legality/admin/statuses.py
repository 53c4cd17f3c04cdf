"""Admin for what the law says: legal statuses with their sources and flags, sources, substances."""

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from legality.activities import doubts
from legality.curation import (
    check_publishable,
    describe_edit_conflict,
    mark_verified,
    save_legal_status,
)
from legality.errors import NotPublishable, TrackerError
from legality.models import LegalStatus, ReviewFlag, Source, SourceLink, Substance

from .activity_fields import LegalStatusForm as ActivityFieldsForm
from .filters import CountryFilter, HasOpenFlagsFilter
from .imports import CsvImportExportMixin
from .notes import note_form, note_page
from .resources import LegalStatusResource, SourceResource


def describe_period(entry: LegalStatus) -> str:
    """'from 2024-05-01 to 2025-06-30', with the inclusive last day a reader expects."""
    start = entry.effective_from.isoformat() if entry.effective_from else "an unknown start"
    if entry.last_day_in_force is None:
        return f"from {start}, until further notice"
    return f"from {start} to {entry.last_day_in_force.isoformat()}"


def count_of_links(side: str) -> Coalesce:
    """How many status-source links have `side` ("legalstatus" or "source") equal to the row.

    A correlated subquery, not Count() over a join: it needs no GROUP BY and stays right when
    a search joins the sources.
    """
    links = (
        SourceLink.objects.filter(**{side: OuterRef("pk")})
        .order_by()
        .values(side)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), 0)


class LegalStatusForm(ActivityFieldsForm):
    """The entry form. Curators enter and read "effective until" as the last day in force, as
    the pages, the API and the CSV show it; the model stores the first day no longer in force
    (half-open periods), so the form converts at its edge. It carries the version it was opened
    at: a save from an older version (another curator saved in between) is refused with what
    they changed."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(ActivityFieldsForm.Meta):
        labels = {"effective_until": "Last day in force"}
        help_texts = {
            "effective_until": "The last day this entry applies (inclusive); empty while it "
            "is in force until further notice."
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "effective_until" in self.fields and not self.is_bound:
            self.initial["effective_until"] = self.instance.last_day_in_force
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self) -> dict:
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk is not None and seen is not None and seen != self.instance.version:
            raise ValidationError(describe_edit_conflict(self.instance.pk, seen=seen))
        return cleaned

    def clean_effective_until(self) -> date | None:
        last_day = self.cleaned_data.get("effective_until")
        return last_day + timedelta(days=1) if last_day is not None else None


class SourceLinkFormSet(BaseInlineFormSet):
    """The entry's sources. A published entry must keep at least one."""

    def chosen_sources(self) -> list[Source]:
        """The sources the entry has once this (valid) submission is saved."""
        return [
            form.cleaned_data["source"]
            for form in self.forms
            if form.cleaned_data.get("source") and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        # The admin validates the entry's own form first, so self.instance carries the
        # submitted "is published".
        try:
            check_publishable(self.instance, self.chosen_sources())
        except NotPublishable as error:
            raise ValidationError(str(error), code="not_publishable") from error


class SourceLinkInline(admin.StackedInline):
    # Stacked, not tabular: every field, the delete box included, gets its own label.
    model = SourceLink
    formset = SourceLinkFormSet
    fields = ["source", "source_reference"]
    readonly_fields = ["source_reference"]
    autocomplete_fields = ["source"]
    extra = 0
    verbose_name = "source"
    verbose_name_plural = "sources (a published entry needs at least one)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("source")

    # SourceLink is a proxy of the many-to-many table, which has no permissions of its own: as
    # Django does for the table itself, editing an entry's sources takes "change entry".
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._has_any_perms_for_target_model(request, ["view", "change"])

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._has_any_perms_for_target_model(request, ["change"])

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._has_any_perms_for_target_model(request, ["change"])

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._has_any_perms_for_target_model(request, ["change"])

    @admin.display(description="URL or citation")
    def source_reference(self, link) -> str:
        if link.source_id is None:
            return "-"
        return link.source.url or link.source.citation


class ReviewFlagInline(admin.TabularInline):
    """The entry's flags, read-only: they are raised and closed on the review flag pages."""

    model = ReviewFlag
    fields = [
        "reason",
        "note",
        "created_at",
        "claimed_by",
        "resolved_at",
        "resolved_by",
        "resolution",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("resolved_by", "claimed_by")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(LegalStatus)
class LegalStatusAdmin(CsvImportExportMixin, SimpleHistoryAdmin):
    form = LegalStatusForm
    resource_classes = [LegalStatusResource]
    import_help = (
        "One row per entry, as the export writes it. A row with an id updates that entry; a row "
        "without one updates the entry with the same ocd_id, substance and effective_from, or "
        "adds an entry. A column you leave out keeps the stored values.\n"
        "ocd_id: the jurisdiction's OCD id (or an OCD alias of it). substance: kratom or 7-oh. "
        "status: legal, regulated, restricted or banned. applies_to (county entries only): "
        "whole, unincorporated, or empty for unknown. Dates are YYYY-MM-DD; "
        "effective_from_precision is day, month or year (a month or year start is its first "
        "day); effective_until is the LAST day in force, empty while in force. "
        "is_published and unverified: true or false. sources: the ids of the entry's sources, "
        "separated by commas (the sources' own export lists them); a published entry needs one.\n"
        "version: leave it as exported; a row for an entry saved since the export is refused, "
        "saying what changed.\n"
        'last_verified_at is not imported: verify entries with the "Mark verified today" '
        "action. Rows are checked in file order, so a period that moves into the room another "
        "row makes comes after that row. Nothing is written until you confirm the preview, and "
        "nothing at all if a row fails."
    )
    list_display = [
        "jurisdiction",
        "level",
        "substance",
        "status",
        "minimum_age",
        "period",
        "is_published",
        "unverified",
        "last_verified_at",
        "source_count",
        "has_open_flags",
    ]
    # With get_queryset()'s annotations, a page of entries is one query however long it is.
    list_select_related = ["jurisdiction", "substance"]
    list_filter = [
        "status",
        "substance",
        "jurisdiction__level",
        CountryFilter,
        "is_published",
        "unverified",
        HasOpenFlagsFilter,
    ]
    search_fields = [
        "jurisdiction__name",
        "jurisdiction__ocd_id",
        "summary",
        "sources__title",
        "sources__citation",
    ]
    autocomplete_fields = ["jurisdiction"]
    readonly_fields = ["last_verified_at", "last_verified_by", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "jurisdiction",
                    "substance",
                    "status",
                    "minimum_age",
                    "applies_to",
                    "seen_version",
                ]
            },
        ),
        (
            "What it says of each activity (checked against the status)",
            {
                "fields": [
                    ("sale_rule", "possession_rule", "use_rule"),
                    ("manufacture_rule", "distribution_rule", "import_rule"),
                    "minimum_age_applies_to",
                    "product_limits",
                    "penalty",
                ]
            },
        ),
        ("Period", {"fields": ["effective_from", "effective_from_precision", "effective_until"]}),
        ("Public text", {"fields": ["summary", "details"]}),
        (
            "Publication and review",
            {
                "fields": [
                    "is_published",
                    "unverified",
                    "last_verified_at",
                    "last_verified_by",
                    "review_interval_days",
                    "internal_notes",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [SourceLinkInline, ReviewFlagInline]
    actions = ["mark_verified_today"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The joins also serve str(entry) in the review flags' autocomplete.
        return (
            super()
            .get_queryset(request)
            .select_related("jurisdiction", "substance")
            .annotate(
                has_open_flags=Exists(
                    ReviewFlag.objects.open().filter(legal_status=OuterRef("pk"))
                ),
                source_count=count_of_links("legalstatus"),
            )
        )

    @admin.display(description="level", ordering="jurisdiction__level")
    def level(self, entry: LegalStatus) -> str:
        return entry.jurisdiction.get_level_display()

    @admin.display(description="period", ordering="effective_from")
    def period(self, entry: LegalStatus) -> str:
        return describe_period(entry)

    @admin.display(description="sources", ordering="source_count")
    def source_count(self, entry: LegalStatus) -> int:
        return entry.source_count

    @admin.display(description="open flags", boolean=True, ordering="has_open_flags")
    def has_open_flags(self, entry: LegalStatus) -> bool:
        return entry.has_open_flags

    @admin.action(description="Mark verified today (with an optional note)", permissions=["change"])
    def mark_verified_today(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = note_form(
            request,
            required=False,
            help_text="What you checked, e.g. “read the 2026 amendment: unchanged”. Optional; "
            "it is kept in each entry's history.",
        )
        if not form.is_valid():
            return note_page(
                self,
                request,
                queryset,
                form=form,
                action="mark_verified_today",
                title="Mark entries verified today",
                intro="These entries will be marked verified today by you; their open overdue "
                "and effective-date flags are resolved.",
                submit="Mark verified",
            )
        today = timezone.localdate()
        changed = mark_verified(queryset, by=request.user, on=today, note=form.cleaned_data["note"])
        self.message_user(
            request,
            f"Marked {changed} {'entry' if changed == 1 else 'entries'} verified on {today}; "
            "the selection's open overdue and effective-date flags are resolved.",
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: LegalStatus, form, change: bool) -> None:
        # Nothing yet: save_related() saves the entry together with its sources, in one call.
        pass

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        entry = form.instance
        if links := self._source_links(formsets):
            sources = links.chosen_sources()
        else:  # a user who may not see sources gets no inline: the entry keeps its sources
            sources = list(entry.sources.all()) if change else []
        save_legal_status(
            entry,
            sources=sources,
            by=request.user,
            expected_version=form.cleaned_data["seen_version"],
        )
        for doubt in doubts(status=entry.status, rules=entry.activity_rules):
            self.message_user(request, f"Saved, but check it: {doubt}.", messages.WARNING)

    def construct_change_message(self, request: HttpRequest, form, formsets, add=False) -> list:
        # The inlines are not saved row by row (save_related() sets the sources), so the log
        # names the sources as one more changed field of the entry.
        message = construct_change_message(form, [], add)
        links = self._source_links(formsets)
        if not add and links is not None and links.has_changed():
            if message:
                message[0]["changed"]["fields"].append("Sources")
            else:
                message.append({"changed": {"fields": ["Sources"]}})
        return message

    @staticmethod
    def _source_links(formsets) -> SourceLinkFormSet | None:
        return next((f for f in formsets if isinstance(f, SourceLinkFormSet)), None)

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TrackerError as error:
            # The form checked both rules already; this is a race on PostgreSQL (another curator
            # saved an overlapping period between the check and the insert) or a user without
            # the sources inline publishing. The transaction was rolled back: nothing was written.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        # Reverting would save the old fields without the sources inline and its publish check;
        # the history page still shows every old version, and curators edit the entry instead.
        return True

    def history_form_view(
        self, request: HttpRequest, object_id, version_id, extra_context=None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied("Old versions of an entry can be viewed, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Source)
class SourceAdmin(CsvImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [SourceResource]
    import_help = (
        "One row per source, as the export writes it. A row with an id updates that source; a "
        "row without one updates the source with the same url, citation and title, or adds a "
        "source. A column you leave out keeps the stored values.\n"
        "kind: statute, bill, regulation, ordinance, court_decision, agency_notice, news or "
        "secondary. A source needs a url or a citation. published: YYYY, YYYY-MM or YYYY-MM-DD, "
        "as much as is known; empty when undated. The link checker's findings are not imported. "
        "Nothing is written until you confirm the preview, and nothing at all if a row fails."
    )
    list_display = [
        "title",
        "citation",
        "kind",
        "publisher",
        "published_on",
        "entry_count",
        "last_http_status",
        "consecutive_failures",
        "last_checked_at",
    ]
    list_filter = ["kind", "published_precision"]
    search_fields = ["title", "citation", "url", "publisher"]
    # A pasted "legislature.example.gov/act" means the https address.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "last_checked_at",
        "last_http_status",
        "last_check_error",
        "final_url",
        "content_hash",
        "consecutive_failures",
        "check_log",
    ]
    fieldsets = [
        (None, {"fields": ["title", "kind", "url", "citation", "publisher"]}),
        ("Publication date", {"fields": ["published_on", "published_precision"]}),
        ("Archive", {"fields": ["archive_url"]}),
        ("Link check (written by the source checker)", {"fields": readonly_fields}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(entry_count=count_of_links("source"))

    @admin.display(description="entries", ordering="entry_count")
    def entry_count(self, source: Source) -> int:
        return source.entry_count

    @admin.display(description="every check")
    def check_log(self, source: Source) -> str:
        if source.pk is None:
            return "-"
        url = reverse("admin:legality_sourcecheck_changelist")
        return format_html(
            '<a href="{}?source__id__exact={}">the link checker\'s log</a>', url, source.pk
        )


@admin.register(Substance)
class SubstanceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]

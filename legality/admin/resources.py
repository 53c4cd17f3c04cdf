"""CSV rows of legal statuses and sources, for the curators' import and export in the admin.

One row per entry, or per source. The columns and their rules are the seed files' (see
legality.dataset): an entry's own fields go through check_entry_fields(), its jurisdiction is
found by OCD id or OCD alias with find_jurisdictions(), `effective_until` is the last day in
force (converted with the dataset's one function), and a source's `published` is YYYY, YYYY-MM
or YYYY-MM-DD. Then the model's full_clean() (overlapping periods, constraints) and
check_publishable() apply, as in the admin's form, and an entry is saved with
curation.save_legal_status(), so its history record names the curator who imported it. The
activity columns (`sale_rule` ... `penalty`) are written as the admin's form shows them (see
activity_columns).

A row with an `id` updates that row; one without updates the row with the same natural key (an
entry's jurisdiction, substance and start; a source's URL, citation and title), or adds one. A
column the file leaves out keeps every row's stored value. Rows are checked in file order
against the database as the earlier rows left it. `last_verified_at` is exported, never
imported: entries are verified with the "Mark verified" action, which also closes their flags.
What the rows name (jurisdictions, substances, sources, entries) is loaded once per file.
"""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from import_export import fields

from legality.curation import check_publishable, describe_edit_conflict, save_legal_status
from legality.dataset import (
    ENTRY_FIELDS,
    check_entry_fields,
    describe_unknown_substance,
    find_jurisdictions,
    format_published,
    parse_day,
    parse_published,
)
from legality.dates import last_day_in_force
from legality.errors import NotPublishable
from legality.models import Jurisdiction, LegalStatus, Source, Substance

from .activity_columns import (
    ACTIVITY_COLUMNS,
    ActivityListWidget,
    ProductLimitsWidget,
    read_activity_columns,
)
from .csv_rows import CsvResource, CsvWidget, Problems, cell_text, column, same_text

_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
_FLAGS = ("is_published", "unverified")
_TEXTS = ("summary", "details", "penalty", "internal_notes")  # kept as written, spaces and all
_ID_SEPARATORS = re.compile(r"[\s,;]+")


class LastDayInForceWidget(CsvWidget):
    """`effective_until` as the public reads it: the last day in force, not the first day after."""

    def render(self, value: date | None, obj=None, **kwargs) -> str:
        return super().render(last_day_in_force(value))


class SourceIdsWidget(CsvWidget):
    """An entry's sources as their ids, "3, 17"; the sources' own export says what each one is."""

    def render(self, value, obj=None, **kwargs) -> str:
        # `value` is the entry's sources manager (prefetched), or None before the entry is saved.
        if value is None:
            return ""
        return ", ".join(str(pk) for pk in sorted(source.pk for source in value.all()))


class PublishedField(fields.Field):
    """A source's publication date and its precision, in one column as the seed files write it."""

    def get_value(self, source: Source) -> str:
        return format_published(source.published_on, source.published_precision)


class LegalStatusResource(CsvResource):
    """Legal statuses, one row per entry; `sources` holds the ids of the entry's sources."""

    id = column("id")
    ocd_id = column("ocd_id", "jurisdiction__ocd_id")
    substance = column("substance", "substance__slug")
    status = column("status")
    minimum_age = column("minimum_age")
    applies_to = column("applies_to")
    summary = column("summary")
    details = column("details")
    # The activities, as the admin's form shows them (see activity_columns).
    sale_rule = column("sale_rule")
    possession_rule = column("possession_rule")
    use_rule = column("use_rule")
    manufacture_rule = column("manufacture_rule")
    distribution_rule = column("distribution_rule")
    import_rule = column("import_rule")
    minimum_age_applies_to = column("minimum_age_applies_to", widget=ActivityListWidget())
    product_limits = column("product_limits", widget=ProductLimitsWidget())
    penalty = column("penalty")
    effective_from = column("effective_from")
    effective_from_precision = column("effective_from_precision")
    effective_until = column("effective_until", widget=LastDayInForceWidget())
    is_published = column("is_published")
    unverified = column("unverified")
    last_verified_at = column("last_verified_at", readonly=True)
    sources = column("sources", widget=SourceIdsWidget())
    internal_notes = column("internal_notes")
    # The version exported: a row for an entry saved since is refused, saying what changed.
    version = column("version")

    noun = "entry"
    column_of = {"jurisdiction": "ocd_id"}
    compared_fields = (
        "jurisdiction_id",
        "substance_id",
        "status",
        "minimum_age",
        "applies_to",
        "summary",
        "details",
        *ACTIVITY_COLUMNS,
        "penalty",
        "effective_from",
        "effective_from_precision",
        "effective_until",
        "is_published",
        "unverified",
        "internal_notes",
    )

    class Meta:
        model = LegalStatus
        name = "Legal statuses (one row per entry)"
        fields = [
            "id",
            "ocd_id",
            "substance",
            "status",
            "minimum_age",
            "applies_to",
            "summary",
            "details",
            *ACTIVITY_COLUMNS,
            "penalty",
            "effective_from",
            "effective_from_precision",
            "effective_until",
            "is_published",
            "unverified",
            "last_verified_at",
            "sources",
            "internal_notes",
            "version",
        ]
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        chunk_size = 1000

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.jurisdictions: dict[str, Jurisdiction] = {}
        self.substances: dict[str, Substance] = {}
        self.sources_by_id: dict[int, Source] = {}
        self.known_by_start: dict[tuple[int, int, date | None], LegalStatus] = {}
        self.row_sources: list[Source] = []  # the current row's, once read
        self.row_version: int | None = None  # the version the current row was exported at

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        # Per chunk of rows: one query for the entries with their jurisdiction and substance,
        # one for their sources' ids. The change list's order, with an unknown start first.
        ordering = queryset.query.order_by or LegalStatus._meta.ordering
        return (
            queryset.select_related("jurisdiction", "substance")
            .prefetch_related(Prefetch("sources", queryset=Source.objects.only("pk")))
            .order_by(*_unknown_start_first(ordering))
        )

    def load_known(self, rows: list[dict[str, Any]]) -> None:
        """Five queries: jurisdictions (two), substances, sources, entries with their sources."""
        self.jurisdictions = find_jurisdictions(
            {cell_text(row.get("ocd_id")) for row in rows} - {""}
        )
        self.substances = {substance.slug: substance for substance in Substance.objects.all()}
        source_ids = {
            int(token)
            for row in rows
            for token in _ID_SEPARATORS.split(cell_text(row.get("sources")))
            if token.isdigit()
        }
        self.sources_by_id = Source.objects.in_bulk(source_ids)
        ids = {int(written) for row in rows if (written := cell_text(row.get("id"))).isdigit()}
        entries = (
            LegalStatus.objects.filter(
                Q(pk__in=ids) | Q(jurisdiction__in=[j.pk for j in self.jurisdictions.values()])
            )
            .select_related("jurisdiction", "substance")
            .prefetch_related("sources")
        )
        self.known_by_id = {entry.pk: entry for entry in entries}
        # A row that leaves out ocd_id or sources keeps the entry's own: known too, no query.
        for entry in self.known_by_id.values():
            self.jurisdictions.setdefault(entry.jurisdiction.ocd_id, entry.jurisdiction)
            self.sources_by_id |= {source.pk: source for source in entry.sources.all()}
        self.known_by_start = {
            (entry.jurisdiction_id, entry.substance_id, entry.effective_from): entry
            for entry in self.known_by_id.values()
        }

    def find_by_natural_key(self, row) -> LegalStatus | None:
        jurisdiction = self.jurisdictions.get(cell_text(row.get("ocd_id")))
        substance = self.substances.get(cell_text(row.get("substance")))
        written_start = cell_text(row.get("effective_from"))
        start = parse_day(written_start) if written_start else None
        if jurisdiction is None or substance is None or (written_start and start is None):
            return None  # a new entry, or a row that fails its checks
        return self.known_by_start.get((jurisdiction.pk, substance.pk, start))

    def read_row(self, entry: LegalStatus, written: dict[str, str], problems: Problems) -> None:
        self.row_version = self._version(entry, cell_text(written["version"]), problems)
        jurisdiction = self._jurisdiction(cell_text(written["ocd_id"]), problems)
        substance = self._substance(cell_text(written["substance"]), problems)
        checked = check_entry_fields(
            {key: _entry_value(key, written[key]) for key in ENTRY_FIELDS},
            level=jurisdiction.level if jurisdiction else None,
        )
        for name, message in checked.problems:
            problems[name].append(message)
        flags = {name: _boolean(name, written[name], problems) for name in _FLAGS}
        activities = read_activity_columns(written, problems)
        self.row_sources = self._sources(written["sources"], problems)
        if any(problems.values()):
            return
        entry.jurisdiction, entry.substance = jurisdiction, substance
        for name, value in {**checked.values, **flags, **activities}.items():
            if name not in _TEXTS:
                setattr(entry, name, value)
        for name in _TEXTS:
            if not same_text(getattr(entry, name), written[name]):
                setattr(entry, name, written[name])

    def _version(self, entry: LegalStatus, written: str, problems: Problems) -> int | None:
        if entry.pk is None or not written:  # a new entry, or a file without versions
            return None
        if not written.isdigit():
            problems["version"].append(f"{written!r} is not a version: leave it as exported")
        elif int(written) != entry.version:
            problems["version"].append(describe_edit_conflict(entry.pk, seen=int(written)))
        return int(written) if written.isdigit() else None

    def _jurisdiction(self, ocd_id: str, problems: Problems) -> Jurisdiction | None:
        if not ocd_id:
            problems["ocd_id"].append("empty: every entry needs its jurisdiction's OCD id")
        elif ocd_id not in self.jurisdictions:
            problems["ocd_id"].append(
                f"unknown jurisdiction {ocd_id}: no jurisdiction has this OCD id or an OCD alias "
                "of it"
            )
        return self.jurisdictions.get(ocd_id)

    def _substance(self, slug: str, problems: Problems) -> Substance | None:
        if slug not in self.substances:
            problems["substance"].append(describe_unknown_substance(slug, self.substances))
        return self.substances.get(slug)

    def _sources(self, written: str, problems: Problems) -> list[Source]:
        chosen: list[Source] = []
        for token in _ID_SEPARATORS.split(written.strip()) if written.strip() else []:
            source = self.sources_by_id.get(int(token)) if token.isdigit() else None
            if source is None:
                problems["sources"].append(
                    f"no source has the id {token!r} (the sources' own export lists them)"
                )
            elif source.pk not in {other.pk for other in chosen}:
                chosen.append(source)
        return chosen

    def extra_problems(self, entry: LegalStatus) -> list[tuple[str, str]]:
        try:
            check_publishable(entry, self.row_sources)
        except NotPublishable as error:
            return [("sources", str(error))]
        return []

    def same_relations(self, original: LegalStatus) -> bool:
        return sorted(s.pk for s in self.row_sources) == sorted(
            s.pk for s in original.sources.all()
        )

    def save_instance(self, instance: LegalStatus, is_create: bool, row, **kwargs) -> None:
        # save_legal_status() checks again, saves the entry with its sources and writes one
        # history record by the curator (the admin passes request.user as `user`).
        instance._change_reason = self.change_reason
        save_legal_status(
            instance,
            sources=self.row_sources,
            by=kwargs.get("user"),
            expected_version=self.row_version,
        )


def _unknown_start_first(ordering: Iterable[Any]) -> list[Any]:
    """`ordering` with an unknown start (NULL effective_from) as the earliest, on every database.

    PostgreSQL sorts NULL last and SQLite first. A file lists a place's periods in the order they
    follow each other whatever the database, as the public dataset does; an import reads its
    rows in that order.
    """
    start = F("effective_from")
    by_start = {
        "effective_from": start.asc(nulls_first=True),
        "-effective_from": start.desc(nulls_last=True),
    }
    return [by_start.get(term, term) if isinstance(term, str) else term for term in ordering]


def _entry_value(key: str, written: str) -> Any:
    """A cell as check_entry_fields() reads a seed file's value: empty is None, an age a number."""
    if key == "summary":
        return written
    if key == "status":
        return written.strip()
    value = written.strip()
    if key == "minimum_age" and value.isdigit():
        return int(value)
    return value or None


def _boolean(name: str, written: str, problems: Problems) -> bool | None:
    if (value := written.strip().lower()) in _TRUE:
        return True
    if value in _FALSE:
        return False
    problems[name].append(f"write true or false, not {written!r}")
    return None


class SourceResource(CsvResource):
    """Sources, one row per source; an entry's `sources` column refers to them by id."""

    id = column("id")
    title = column("title")
    kind = column("kind")
    url = column("url")
    citation = column("citation")
    publisher = column("publisher")
    published = PublishedField(
        attribute="published_on", column_name="published", widget=CsvWidget()
    )
    archive_url = column("archive_url")

    noun = "source"
    column_of = {"published_on": "published", "published_precision": "published"}
    compared_fields = (
        "title",
        "kind",
        "url",
        "citation",
        "publisher",
        "published_on",
        "published_precision",
        "archive_url",
    )

    class Meta:
        model = Source
        name = "Sources (one row per source)"
        fields = ["id", "title", "kind", "url", "citation", "publisher", "published", "archive_url"]
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        chunk_size = 1000

    def load_known(self, rows: list[dict[str, Any]]) -> None:
        """One query: the sources the rows name by id, URL or citation."""
        ids = {int(written) for row in rows if (written := cell_text(row.get("id"))).isdigit()}
        urls = {cell_text(row.get("url")) for row in rows} - {""}
        citations = {row.get("citation") for row in rows if not cell_text(row.get("url"))}
        sources = Source.objects.filter(
            Q(pk__in=ids) | Q(url__in=urls) | Q(url="", citation__in=citations - {None, ""})
        )
        self.known_by_id = {source.pk: source for source in sources.order_by("pk")}
        self.known_by_key: dict[tuple[str, str, str], Source] = {}
        for source in self.known_by_id.values():  # the oldest, as the seed loader does
            self.known_by_key.setdefault((source.url, source.citation, source.title), source)

    def find_by_natural_key(self, row) -> Source | None:
        key = (cell_text(row.get("url")), row.get("citation") or "", row.get("title") or "")
        return self.known_by_key.get(key)

    def read_row(self, source: Source, written: dict[str, str], problems: Problems) -> None:
        published = parse_published(cell_text(written["published"]) or None)
        if published is None:
            problems["published"].append(
                f"bad published date {written['published']!r} (YYYY, YYYY-MM or YYYY-MM-DD)"
            )
            return
        source.published_on, source.published_precision = published
        for name in ("kind", "url", "archive_url"):
            setattr(source, name, cell_text(written[name]))
        for name in ("title", "citation", "publisher"):
            if not same_text(getattr(source, name), written[name]):
                setattr(source, name, written[name])

    def save_instance(self, instance: Source, is_create: bool, row, **kwargs) -> None:
        if user := kwargs.get("user"):
            instance._history_user = user
        instance._change_reason = self.change_reason
        instance.save()

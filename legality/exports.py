"""The published dataset as files anyone may reuse and check: CSV and JSON, with the licence.

`published_dataset(on=...)` reads every published entry (past, current and future periods) with
its jurisdiction, substance and sources, in two queries; the views write it out with the licence,
the attribution and the day of the export. Unpublished entries and internal notes never pass
through here. Dates follow the public convention of the API: `effective_until` is the last day
in force (empty or null: still in force). `datapackage` describes both files (Frictionless Data).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition

from legality.activities import ACTIVITIES, RULES
from legality.dates import last_day_in_force
from legality.gazetteer.attribution import PLACE_DATA_ATTRIBUTION, PLACE_DATA_NOTICE
from legality.models import LegalStatus, Source, Substance, ZipTable
from legality.zip_table import zip_table_schema

TITLE = "Kratom Legality Tracker: published legal statuses of kratom and 7-OH"
ATTRIBUTION = "Kratom Legality Tracker contributors"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE = {
    "compilation": {"name": "CC BY 4.0", "url": LICENSE_URL, "attribution": ATTRIBUTION},
    "sources": "Each cited source (statute, ordinance, notice, article) keeps its own terms.",
    "geography": {
        "name": "Open Civic Data division ids",
        "license": "CC0 1.0",
        "url": "https://github.com/opencivicdata/ocd-division-ids",
    },
    "places": {
        "name": "US Census place facts (counties, populations, points)",
        "attribution": list(PLACE_DATA_ATTRIBUTION),
    },
}
# The whole notice in one line, for the JSON export.
LICENSE_LINE = (
    f"License: this compilation is CC BY 4.0 ({LICENSE_URL}) by {ATTRIBUTION}; each cited "
    "source keeps its own terms; jurisdiction ids are from Open Civic Data (CC0 1.0); "
    f"{PLACE_DATA_NOTICE}."
)
NOT_ADVICE = "Not legal advice: confirm with the cited sources and local authorities."

CSV_COLUMNS = [
    "ocd_id",
    "jurisdiction",
    "level",
    "country",
    "substance",
    "status",
    "minimum_age",
    "applies_to",
    "effective_from",
    "effective_from_precision",
    "effective_until",
    "unverified",
    "last_verified_at",
    "summary",
    "details",
    *ACTIVITIES,  # one column per activity: what the entry says of it
    "minimum_age_applies_to",  # activities separated by spaces
    "product_limits",  # "kind: text", separated by " | "
    "penalty",
    "sources",
]


@dataclass(frozen=True)
class PublishedDataset:
    """Every published entry, as of the day of the export."""

    exported_on: date
    entries: list[LegalStatus]


def published_dataset(*, on: date) -> PublishedDataset:
    """The published entries with their jurisdiction, substance and sources, exported on `on`.

    Two queries: the entries (joined to jurisdiction and substance), then their sources. Ordered
    by OCD id, substance and start, an unknown start first on every database. Internal notes are
    not even read.
    """
    entries = (
        LegalStatus.objects.published()
        .select_related("jurisdiction", "substance")
        .defer("internal_notes")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("pk")))
        .order_by(
            "jurisdiction__ocd_id",
            "substance__slug",
            F("effective_from").asc(nulls_first=True),
            "pk",
        )
    )
    return PublishedDataset(exported_on=on, entries=list(entries))


def entry_record(entry: LegalStatus) -> dict[str, Any]:
    """One entry as the JSON export (and, flattened, the CSV) shows it; the API's field names."""
    jurisdiction = entry.jurisdiction
    return {
        "jurisdiction": {
            "ocd_id": jurisdiction.ocd_id,
            "name": jurisdiction.name,
            "level": jurisdiction.level,
            "country": jurisdiction.country_code,
        },
        "substance": entry.substance.slug,
        "status": entry.status,
        "minimum_age": entry.minimum_age,
        "applies_to": entry.applies_to or None,
        "effective_from": _iso(entry.effective_from),
        "effective_from_precision": entry.effective_from_precision or None,
        "effective_until": _iso(last_day_in_force(entry.effective_until)),
        "unverified": entry.unverified,
        "last_verified_at": _iso(entry.last_verified_at),
        "summary": entry.summary,
        "details": entry.details,
        "activities": entry.activity_rules,
        "minimum_age_applies_to": entry.minimum_age_applies_to,
        "product_limits": entry.product_limits,
        "penalty": entry.penalty or None,
        "sources": [
            {
                "title": source.title,
                "url": source.url or None,
                "citation": source.citation or None,
                "publisher": source.publisher or None,
                "kind": source.kind,
                "published_on": _iso(source.published_on),
                "published_precision": source.published_precision or None,
            }
            for source in entry.sources.all()
        ],
    }


def statuses_json(request: HttpRequest) -> HttpResponse:
    """GET the whole published dataset as JSON: the licence and the export date, then entries."""
    dataset = published_dataset(on=timezone.localdate())
    body = {
        "title": TITLE,
        "exported_on": dataset.exported_on.isoformat(),
        "license": LICENSE,
        "attribution": LICENSE_LINE,
        "disclaimer": NOT_ADVICE,
        "conventions": "effective_until is the last day in force; null: still in force. "
        "activities: what each entry says of sale, possession, use, manufacture, distribution "
        "and import: allowed, prohibited, age_limited, conditions, not_addressed or unknown.",
        "entries": [entry_record(entry) for entry in dataset.entries],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    return response


def statuses_csv(request: HttpRequest) -> HttpResponse:
    """GET the whole published dataset as CSV: one header row, then one row per entry.

    Nothing comes before the header, so spreadsheets and pandas read it with their defaults;
    the licence, the day of the export and what each column means are in datapackage.json
    (and in the Link header). Each source is "citation or title <url>", and an entry's sources
    are separated by " | ".
    """
    dataset = published_dataset(on=timezone.localdate())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in dataset.entries:
        writer.writerow(_csv_row(entry_record(entry)))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"kratom-legality-statuses-{dataset.exported_on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = (
        f'<{LICENSE_URL}>; rel="license", '
        f'<{reverse("legality:datapackage")}>; rel="describedby"; type="application/json"'
    )
    return response


# What each CSV column means, for the Data Package's table schema (Frictionless Data).
CSV_FIELDS: dict[str, dict[str, Any]] = {
    "ocd_id": {"type": "string", "description": "Open Civic Data division id of the jurisdiction."},
    "jurisdiction": {"type": "string", "description": "Name of the jurisdiction."},
    "level": {
        "type": "string",
        "description": "Layer of law.",
        "constraints": {"enum": ["country", "state", "county", "place"]},
    },
    "country": {"type": "string", "description": "ISO 3166-1 alpha-2 code of the country."},
    "substance": {
        "type": "string",
        "description": "kratom (leaf and extract products) or 7-oh (7-hydroxymitragynine "
        "concentrated products).",
    },
    "status": {
        "type": "string",
        "description": "legal: no kratom-specific law restricts it; regulated: legal with "
        "conditions; restricted: some activities or products prohibited; banned: sale and "
        "possession prohibited.",
        "constraints": {"enum": ["legal", "regulated", "restricted", "banned"]},
    },
    "minimum_age": {"type": "integer", "description": "Minimum age to buy; empty: none."},
    "applies_to": {
        "type": "string",
        "description": "County entries: whole (the whole county) or unincorporated (outside "
        "city limits only); empty: not a county, or scope unknown.",
    },
    "effective_from": {
        "type": "date",
        "description": "First day in force; a month or year start is its first day (see "
        "effective_from_precision); empty: start unknown.",
    },
    "effective_from_precision": {
        "type": "string",
        "description": "day, month or year: how much of effective_from is known.",
    },
    "effective_until": {
        "type": "date",
        "description": "Last day in force; empty: still in force.",
    },
    "unverified": {
        "type": "boolean",
        "description": "true: not yet confirmed in a primary text.",
        "trueValues": ["true"],
        "falseValues": ["false"],
    },
    "last_verified_at": {"type": "date", "description": "When a curator last verified it."},
    "summary": {"type": "string", "description": "What the entry says, in plain words."},
    "details": {"type": "string", "description": "More detail: activities, limits, penalties."},
    **{
        activity: {
            "type": "string",
            "description": f"What the entry says of {activity}: " + ", ".join(RULES) + ".",
            "constraints": {"enum": list(RULES)},
        }
        for activity in ACTIVITIES
    },
    "minimum_age_applies_to": {
        "type": "string",
        "description": "The activities the minimum age applies to, separated by spaces.",
    },
    "product_limits": {
        "type": "string",
        "description": 'Product limits, each "kind: text", separated by " | ".',
    },
    "penalty": {"type": "string", "description": "The penalty, in words."},
    "sources": {
        "type": "string",
        "description": 'The sources, each "citation or title <url>", separated by " | ".',
    },
}


def datapackage(request: HttpRequest) -> HttpResponse:
    """GET the Frictionless Data Package descriptor of the CSV and JSON exports: the licence,
    the attribution, the day of the export, and what each CSV column means."""
    descriptor = {
        "name": "kratom-legality-statuses",
        "title": TITLE,
        "description": f"{NOT_ADVICE} effective_until is the last day in force.",
        "created": timezone.now().isoformat(timespec="seconds"),
        "homepage": request.build_absolute_uri(reverse("legality:home")),
        "licenses": [
            {"name": "CC-BY-4.0", "path": LICENSE_URL, "title": "Creative Commons Attribution 4.0"}
        ],
        "contributors": [{"title": ATTRIBUTION, "role": "author"}],
        "sources": [
            {"title": "The cited sources of each entry; each keeps its own terms."},
            {
                "title": "Open Civic Data division ids (CC0 1.0)",
                "path": LICENSE["geography"]["url"],
            },
            # Places' counties, populations and points: lines their licences ask us to show.
            *({"title": line} for line in PLACE_DATA_ATTRIBUTION),
        ],
        "resources": [
            {
                "name": "statuses-csv",
                "path": request.build_absolute_uri(reverse("legality:statuses-csv")),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"header": True, "delimiter": ","},
                "schema": {"fields": [{"name": name, **CSV_FIELDS[name]} for name in CSV_COLUMNS]},
            },
            {
                "name": "statuses-json",
                "path": request.build_absolute_uri(reverse("legality:statuses-json")),
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The same entries as JSON, with sources as objects.",
            },
            {
                "name": "zip-codes-csv",
                "path": request.build_absolute_uri(reverse("legality:zip-table-csv")),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"header": True, "delimiter": ","},
                "description": "Every US ZIP code with its answer per substance on as_of, "
                "rebuilt when the data or the day changes.",
                # Query: the substances, whose slugs name the table's columns.
                "schema": {"fields": zip_table_schema(_substance_slugs())},
            },
        ],
    }
    response = JsonResponse(descriptor, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    return response


def _csv_row(record: dict[str, Any]) -> list[str]:
    flat = {
        **record,
        "ocd_id": record["jurisdiction"]["ocd_id"],
        "jurisdiction": record["jurisdiction"]["name"],
        "level": record["jurisdiction"]["level"],
        "country": record["jurisdiction"]["country"],
        "unverified": "true" if record["unverified"] else "false",
        **record["activities"],
        "minimum_age_applies_to": " ".join(record["minimum_age_applies_to"]),
        "product_limits": " | ".join(f"{p['kind']}: {p['text']}" for p in record["product_limits"]),
        "sources": " | ".join(_describe_source(source) for source in record["sources"]),
    }
    return ["" if flat[column] is None else str(flat[column]) for column in CSV_COLUMNS]


def _describe_source(source: dict[str, Any]) -> str:
    name = source["citation"] or source["title"]
    return f"{name} <{source['url']}>" if source["url"] else name


def _substance_slugs() -> list[str]:
    return list(Substance.objects.order_by("id").values_list("slug", flat=True))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _zip_table_etag(request: HttpRequest) -> str | None:
    # Query: the stored table's ETag only (a 304 costs this one query).
    return ZipTable.objects.filter(name="us").values_list("etag", flat=True).first()


@condition(etag_func=_zip_table_etag)
def zip_table_csv(request: HttpRequest) -> HttpResponse:
    """GET the ZIP table (every US ZIP code's answer per substance) as the job stored it.

    With an ETag, so a checkout that polls it downloads it again only after a rebuild. Before
    the first build: 503 with Retry-After (the job runs every few minutes).
    """
    # Query: the stored table.
    table = ZipTable.objects.filter(name="us").only("as_of", "content").first()
    if table is None:
        response = HttpResponse(
            "The ZIP table is being built; try again in a few minutes.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "300"
        return response
    response = HttpResponse(table.content, content_type="text/csv; charset=utf-8")
    filename = f"kratom-legality-zip-codes-{table.as_of.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    response["Cache-Control"] = "public, max-age=300"
    return response

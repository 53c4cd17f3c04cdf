"""The published dataset as files anyone may reuse and check: CSV and JSON, with the licence.

`published_dataset(on=...)` reads every published entry (past, current and future periods) with
its jurisdiction, substance and sources, in two queries; the views write it out with the licence,
the attribution and the day of the export. Unpublished entries and internal notes never pass
through here. Dates follow the public convention of the API: `effective_until` is the last day
in force (empty or null: still in force).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from legality.activities import ACTIVITIES
from legality.dates import last_day_in_force
from legality.gazetteer.attribution import PLACE_DATA_ATTRIBUTION, PLACE_DATA_NOTICE
from legality.models import LegalStatus, Source

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
# The whole notice in one line without commas, so that a CSV reader sees one field.
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
    """GET the whole published dataset as CSV: two lines starting with '#', then a header row.

    The first line names the dataset and the day of the export, the second gives the licence
    (read the file with skiprows=2). Each source is "citation or title <url>", and an entry's
    sources are separated by " | ".
    """
    dataset = published_dataset(on=timezone.localdate())
    out = io.StringIO()
    out.write(
        f"# {TITLE}; exported on {dataset.exported_on.isoformat()}. {NOT_ADVICE} "
        "effective_until is the last day in force (empty: still in force).\r\n"
    )
    out.write(f"# {LICENSE_LINE}\r\n")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in dataset.entries:
        writer.writerow(_csv_row(entry_record(entry)))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"kratom-legality-statuses-{dataset.exported_on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
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


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None

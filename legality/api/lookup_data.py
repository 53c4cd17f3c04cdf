"""The lookup API's answer as plain dicts, in the shape LookupSerializer documents.

DRF's nested serializers deep-copy their fields and walk every source path for each of the
hundreds of values of one answer: a quarter of a cold lookup. This writes the same JSON directly
from the answer's dataclasses; LookupSerializer stays the schema (drf-spectacular reads it) and
tests/api/conftest.py checks that both give the same data for every answer of the API tests.
"""

import datetime
from decimal import Decimal

from rest_framework.fields import DecimalField

from legality.geography import PlaceMatch
from legality.resolution import (
    ActivityAnswer,
    Answer,
    Change,
    Elsewhere,
    Layer,
    Result,
    SourceRef,
)

# As ZipCountySerializer.land_share renders it (a string with four decimals).
_LAND_SHARE = DecimalField(max_digits=5, decimal_places=4)


def lookup_data(answer: Answer, match: PlaceMatch) -> dict:
    zip_code = match.zip_code
    return {
        "as_of": _date(answer.as_of),
        "place": _place(answer.place),
        "matched_by": match.matched_by,
        "approximate": match.approximate,
        "zip_code": None
        if zip_code is None
        else {
            "code": zip_code.code,
            "postal_city": zip_code.postal_city,
            "state": _place(zip_code.state),
            "county": _place(zip_code.county),
            "assumed_place": _place(zip_code.place),
        },
        "zip_counties": [
            {
                "ocd_id": part.county.ocd_id,
                "name": part.county.name,
                "land_share": _land_share(part.land_share),
            }
            for part in answer.zip_counties
        ],
        "alternatives": [_place(place) for place in match.alternatives],
        "city": None
        if match.city is None
        else {"name": match.city.name, "population": match.city.population},
        "results": [_result(result) for result in answer.results],
    }


def _place(place) -> dict | None:
    """A JurisdictionRef or a Jurisdiction, as PlaceRefSerializer shows it."""
    if place is None:
        return None
    return {"ocd_id": place.ocd_id, "name": place.name, "level": place.level}


def _result(result: Result) -> dict:
    return {
        "substance": result.substance.slug,
        "status": result.status,
        "minimum_age": result.minimum_age,
        "minimum_age_set_by": _ocd_id(result.minimum_age_set_by),
        "decided_by": _ocd_id(result.decided_by),
        "last_verified_at": _date(result.last_verified_at),
        "stale": result.stale,
        "unverified": result.unverified,
        "assumptions": list(result.assumptions),
        "activities": [_activity(activity) for activity in result.activities],
        "layers": [_layer(layer) for layer in result.layers],
        "upcoming": [_change(change) for change in result.upcoming],
        "varies": result.varies,
        "strictest": result.strictest,
        "elsewhere": [_elsewhere(other) for other in result.elsewhere],
    }


def _layer(layer: Layer) -> dict:
    entry = layer.entry
    coding = entry.coding if entry is not None else None
    until = entry.effective_until if entry is not None else None
    return {
        "ocd_id": layer.jurisdiction.ocd_id,
        "name": layer.jurisdiction.name,
        "level": layer.jurisdiction.level,
        "status": layer.status,
        "minimum_age": layer.minimum_age,
        "standing": layer.standing,
        "effective_from": _date(entry.effective_from) if entry is not None else None,
        "effective_from_precision": (entry.effective_from_precision or None)
        if entry is not None
        else None,
        # Stored half-open (the first day no longer in force); shown as the last day.
        "effective_until": _date(until - datetime.timedelta(days=1)) if until else None,
        "summary": entry.summary if entry is not None else None,
        "unverified": entry.unverified if entry is not None else False,
        "last_verified_at": _date(entry.last_verified_at) if entry is not None else None,
        "stale": entry.has_open_flag if entry is not None else False,
        "approximate": layer.approximate,
        "applies_to": layer.applies_to or None,
        "notes": list(layer.notes),
        "assumptions": list(layer.assumptions),
        "activities": coding.by_activity if coding is not None else None,
        "minimum_age_applies_to": list(coding.minimum_age_applies_to)
        if coding is not None
        else None,
        "product_limits": [
            {"kind": limit.kind, "text": limit.text} for limit in coding.product_limits
        ]
        if coding is not None
        else None,
        "penalty": (coding.penalty or None) if coding is not None else None,
        "sources": [_source(source) for source in layer.sources],
    }


def _source(source: SourceRef) -> dict:
    return {
        "title": source.title,
        "url": source.url or None,
        "citation": source.citation or None,
        "publisher": source.publisher or None,
        "kind": source.kind,
        "published_on": _date(source.published_on),
    }


def _activity(activity: ActivityAnswer) -> dict:
    return {
        "activity": activity.activity,
        "rule": activity.rule,
        "decided_by": _ocd_id(activity.decided_by),
        "minimum_age": activity.minimum_age,
    }


def _change(change: Change) -> dict:
    return {
        "date": _date(change.date),
        "precision": change.precision,
        "ocd_id": change.jurisdiction.ocd_id,
        "status": change.status,
        "minimum_age": change.minimum_age,
    }


def _elsewhere(other: Elsewhere) -> dict:
    return {
        "where": other.where,
        "status": other.status,
        "decided_by": _ocd_id(other.decided_by),
    }


def _ocd_id(jurisdiction) -> str | None:
    return jurisdiction.ocd_id if jurisdiction is not None else None


def _date(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _land_share(share: Decimal | None) -> str | None:
    return _LAND_SHARE.to_representation(share) if share is not None else None

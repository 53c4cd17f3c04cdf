"""A place's page in words and plain values: what the jurisdiction view hands its template.

The words for scopes, standings and assumptions are said here; statuses, headlines and changes
are legality.wording's. The template gets plain values and strings, written once per request,
rather than doing per-row work itself (a busy page lists dozens of sources).
"""

import datetime
from collections.abc import Callable, Iterable
from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe

from legality.activity_table import activity_table
from legality.changes import StatusChange
from legality.dates import format_date
from legality.models import PlaceKind
from legality.resolution import (
    UNKNOWN,
    Answer,
    Assumption,
    JurisdictionRef,
    Layer,
    Result,
    SourceRef,
    Standing,
)
from legality.wording import (
    STATUS_WORDS,
    describe_change,
    headline,
    period_words,
    status_words,
)

SCOPE_WORDS = {
    "whole": "the whole county",
    "city_county": "the whole city and county",
    "unincorporated": "unincorporated areas only",
    "": "scope unknown: may apply only outside city limits",
}
STANDING_WORDS = {
    Standing.APPLIES: "",
    Standing.NO_ENTRY: "no entry",
    Standing.OUTSIDE_SCOPE: "does not apply here",
    Standing.START_DATE_UNKNOWN: "not yet attested on this date, so it does not decide",
    Standing.OTHER_PART: "applies only in the part of the place in this county",
}
ASSUMPTION_WORDS = {
    Assumption.COUNTY_SCOPE_UNKNOWN: "A county rule counted here may apply only outside city "
    "limits. We count it rather than call the place legal: check whether you are inside a city.",
    Assumption.ZIP_PLACE_APPROXIMATE: "A ZIP code's postal city is not always the town: the "
    "place shown is approximate. Check which side of the city limits the address is on.",
    Assumption.COVERED_BY_KRATOM_BAN: "There is no 7-OH rule of its own here: a ban on kratom "
    "and its alkaloids covers 7-OH products.",
    Assumption.START_DATE_UNKNOWN: "A rule with no known start is not yet attested on this date, "
    "so it does not decide it; it may already have been in force.",
}


def full_place_name(place: JurisdictionRef, layers: tuple[Layer, ...]) -> str:
    """'London, Arkansas', 'Denver County, Colorado', 'Colorado, United States', 'Thailand':
    the name with the state (or, for a state, the country) that tells same-name places apart."""
    wanted = {"country": None, "state": "country", "county": "state", "place": "state"}
    level = wanted[place.level]
    outer = next((la.jurisdiction.name for la in layers if la.jurisdiction.level == level), "")
    return f"{place.name}, {outer}" if outer else place.name


def within_words(layers: tuple[Layer, ...], place_id: int) -> str:
    """'San Diego County, California, United States': the place's other layers, narrowest first."""
    levels = list(dict.fromkeys(la.jurisdiction.level for la in layers))
    names = [  # a place's several counties stay largest first
        la.jurisdiction.name
        for level in reversed(levels)
        for la in layers
        if la.jurisdiction.level == level and la.jurisdiction.id != place_id
    ]
    return ", ".join(names)


def place_notes(answer: Answer) -> list[str]:
    """What kind of place this is where it changes whose law applies, in words.

    "Metairie is an unincorporated community in Jefferson Parish: parish and state law apply."
    """
    place, notes = answer.place, []
    layers = answer.results[0].layers if answer.results else ()
    counties = [la.jurisdiction.name for la in layers if la.jurisdiction.level == "county"]
    if place.place_kind == PlaceKind.CENSUS_DESIGNATED and counties:
        word = counties[0].rsplit(" ", 1)[-1].lower()
        word = word if word in ("parish", "borough", "municipio") else "county"
        notes.append(
            f"{place.name} is an unincorporated community in {_and(counties)}: "
            f"{word} and state law apply."
        )
        if place.is_incorporated is None:
            notes.append(
                "It lies in a town or township that governs itself and may have its own rules; "
                "a county rule for unincorporated areas may not apply there."
            )
    if answer.uninhabited_counties:
        names = _and([county.name for county in answer.uninhabited_counties])
        notes.append(
            f"Part of {place.name} lies in {names}, where it has no residents (2020 Census): "
            "that county's rules are not counted here."
        )
    return notes


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def jurisdiction_urls() -> Callable[[str], str]:
    """A jurisdiction's page address, reversed once per request: a place's page links to the
    same few jurisdictions many times (its layers for each substance, its history's rows)."""
    found: dict[str, str] = {}

    def url(ocd_id: str) -> str:
        if (known := found.get(ocd_id)) is None:
            known = found[ocd_id] = reverse("legality:jurisdiction", args=[ocd_id])
        return known

    return url


def change_rows(
    changes: Iterable[StatusChange], *, today: datetime.date, url: Callable[[str], str]
) -> list[dict]:
    """The changes table's rows: each change in words, with its jurisdiction's address."""
    return [
        {**describe_change(change, today=today), "url": url(change.jurisdiction.ocd_id)}
        for change in changes
    ]


def _layer(
    layer: Layer, decided_by_id: int | None, *, on: datetime.date, url: Callable[[str], str]
) -> dict:
    # Plain values, not the answer's dataclasses: the template reads dict keys at first try.
    entry = layer.entry
    jurisdiction = layer.jurisdiction
    return {
        "url": url(jurisdiction.ocd_id),
        "name": jurisdiction.name,
        "level": jurisdiction.level,
        "approximate": layer.approximate,
        "unverified": entry is not None and entry.unverified,
        "summary": entry.summary if entry is not None else "",
        "notes": layer.notes,
        "sources": [_source_citation(source) for source in layer.sources],
        "is_decider": layer.jurisdiction.id == decided_by_id,
        "status": status_words(layer.status or UNKNOWN, layer.minimum_age)
        if entry is not None
        else None,
        "standing": STANDING_WORDS[layer.standing],
        "period": period_words(entry, on=on) if entry is not None else "",
        "scope": _scope_words(layer),
        "last_verified": format_date(entry.last_verified_at)
        if entry is not None and entry.last_verified_at
        else "",
        "due_since": format_date(entry.flagged_on)
        if entry is not None and entry.flagged_on
        else "",
    }


def _source_citation(source: SourceRef) -> str:
    """A source as the page lists it: the title (linked), citation, publisher and archived copy.

    Written here, not by the template's four conditions per source: a busy page cites dozens.
    Every field is escaped with `html.escape` (quotes included, so safe in an attribute); the
    fields are plain strings from the database rows.
    """
    title = escape(source.title)
    if source.url:
        title = f'<a href="{escape(source.url)}" rel="nofollow noopener">{title}</a>'
    citation = f" — <cite>{escape(source.citation)}</cite>" if source.citation else ""
    publisher = f", {escape(source.publisher)}" if source.publisher else ""
    archived = (
        f' (<a href="{escape(source.archive_url)}" rel="nofollow noopener">archived copy</a>)'
        if source.archive_url
        else ""
    )
    return mark_safe(f"{title}{citation}{publisher}{archived}")  # every field escaped above


def _scope_words(layer: Layer) -> str:
    if layer.applies_to is None:
        return ""
    if layer.jurisdiction.is_city_county and layer.applies_to == "whole":
        return SCOPE_WORDS["city_county"]
    return SCOPE_WORDS[layer.applies_to]


def result_context(result: Result, *, on: datetime.date, url: Callable[[str], str]) -> dict:
    """One substance's answer as the page shows it: headline, layers with their sources, the
    changes to come; `url` gives a jurisdiction's address (see jurisdiction_urls)."""
    decided_by_id = result.decided_by.id if result.decided_by is not None else None
    return {
        "result": result,
        "headline": headline(result, on=on),
        "activity_table": activity_table(result),
        "elsewhere": [
            f"{STATUS_WORDS.get(e.status, e.status).lower()} {e.where}" for e in result.elsewhere
        ],
        "last_verified": format_date(result.last_verified_at) if result.last_verified_at else "",
        "due_since": format_date(result.due_since) if result.due_since else "",
        "assumptions": [ASSUMPTION_WORDS.get(code, code) for code in result.assumptions],
        "layers": [_layer(layer, decided_by_id, on=on, url=url) for layer in result.layers],
        "upcoming": [
            {
                "when": f"From {format_date(change.date, change.precision)}",
                "where": change.jurisdiction,
                "status": status_words(change.status, change.minimum_age),
            }
            for change in result.upcoming
        ],
    }

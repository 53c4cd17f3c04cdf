"""Bulk lookups: up to MAX_ITEMS ZIP codes, OCD ids or place names answered in one request.

Shippers check a whole list of delivery ZIP codes at once. Each item gets its answer or its
own error; one bad item never fails the others. The places are found as sets
(`geography.find_places`) and resolved as a set (`resolution.resolve_many`), so the cost of a
list of ZIP codes and OCD ids does not grow in queries with its length.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from legality.cycle_collection import paused_cycle_collection
from legality.errors import TrackerError
from legality.geography import (
    AmbiguousPlace,
    PlaceMatch,
    UnknownPlace,
    ZipCodeMatch,
    find_places,
)
from legality.resolution import Answer, Result, Target, ZipTarget, resolve_many

MAX_ITEMS = 1000
MAX_ITEM_LENGTH = 200  # longer than any place name, OCD id or ZIP+4

# The columns of a bulk answer as CSV: one row per item and substance (one per failed item).
CSV_COLUMNS = (
    "query",
    "ocd_id",
    "place",
    "zip_code",
    "approximate",
    "substance",
    "status",
    "strictest",
    "varies",
    "minimum_age",
    "minimum_age_set_by",
    "decided_by",
    "due_for_rechecking",
    "unverified",
    "last_verified_at",
    "as_of",
    "error",
)
# Header names a CSV upload may use for the column to read; otherwise its first column is read.
QUERY_HEADERS = ("query", "zip", "zip_code", "zipcode", "postal_code", "ocd_id", "place", "item")


class UnreadableCSV(TrackerError):
    """An upload that is not CSV text (a NUL byte, a binary file)."""

    default_message = "The upload is not a CSV text file: save it as CSV (UTF-8) and try again."


class TooManyItems(TrackerError):
    """More than MAX_ITEMS items in one request (the API answers 413)."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(
            f"A bulk lookup takes at most {MAX_ITEMS:,} items; this one has {count:,}. "
            "Split the list."
        )


@dataclass(frozen=True)
class BulkItem:
    """One item of a bulk lookup: its answer, or the error that is its answer."""

    query: str
    match: PlaceMatch | ZipCodeMatch | None = None
    answer: Answer | None = None
    error: TrackerError | None = None


def lookup_many(
    queries: Sequence[str], *, on: datetime.date, substances: Sequence[str] | None = None
) -> list[BulkItem]:
    """The answer on `on` for each query (ZIP code, OCD id or place name), in order.

    Raises TooManyItems past MAX_ITEMS and UnknownSubstance for a substance we do not track;
    every other problem (an unknown code, an ambiguous name, an empty or overlong item) is that
    item's `error`. ZIP codes and OCD ids cost two queries for all of them (the ZIP codes' with
    the counties of their areas), then resolving them four (five with places among them: their
    counties); each place name costs one or two more (see `find_places`).
    """
    if len(queries) > MAX_ITEMS:
        raise TooManyItems(len(queries))
    # Bounded work (at most MAX_ITEMS items) that makes many short-lived objects.
    with paused_cycle_collection():
        return _lookup_many(queries, on=on, substances=substances)


def _lookup_many(
    queries: Sequence[str], *, on: datetime.date, substances: Sequence[str] | None
) -> list[BulkItem]:
    readable = [q for q in queries if q.strip() and len(q) <= MAX_ITEM_LENGTH]
    matches = dict(zip(readable, find_places(readable), strict=True))
    found = {q: m for q, m in matches.items() if isinstance(m, PlaceMatch | ZipCodeMatch)}
    # Its items show the status and who decides it, not each activity or the changes to come.
    answers = resolve_many(
        [_target(m) for m in found.values()], on=on, substances=substances, summary_only=True
    )
    answered = dict(zip(found, answers, strict=True))
    items = []
    for query in queries:
        if query in answered:
            items.append(BulkItem(query, found[query], answered[query]))
        else:
            items.append(BulkItem(query, error=matches.get(query) or _unreadable(query)))
    return items


def _target(match: PlaceMatch | ZipCodeMatch) -> Target:
    if isinstance(match, PlaceMatch):
        return Target.of(match)
    zip_code = ZipTarget(
        match.zip_code_id,
        match.code,
        match.state_id,
        match.county_id,
        match.place_id,
        counties=match.counties,
    )
    return Target(match.jurisdiction_id, zip_code)


def _unreadable(query: str) -> UnknownPlace:
    if not query.strip():
        return UnknownPlace(query, "The item is empty.")
    return UnknownPlace(query[:40] + "…", f"An item has at most {MAX_ITEM_LENGTH} characters.")


_ZIP_CODES_ONLY = re.compile(r"^[\d\s,;-]+$")


def read_pasted_queries(text: str) -> list[str]:
    """The queries of pasted text: one per line, and a line of only ZIP codes split at commas,
    semicolons and spaces (a place name keeps its comma: "Tupelo, MS")."""
    queries = []
    for line in text.splitlines():
        if _ZIP_CODES_ONLY.match(line):
            queries += [part for part in re.split(r"[\s,;]+", line) if part]
        elif line.strip():
            queries.append(line.strip())
    return queries


def read_csv_queries(text: str) -> list[str]:
    """The queries of an uploaded CSV: the column a header names (see QUERY_HEADERS), or the
    first column of every row. Blank rows are skipped. Raises UnreadableCSV for what the csv
    module cannot read (a binary file)."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error:
        raise UnreadableCSV() from None
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in QUERY_HEADERS if name in header), None)
    if column is None:
        return [row[0].strip() for row in rows]
    return [row[column].strip() if column < len(row) else "" for row in rows[1:]]


def lookup_many_data(
    queries: Sequence[str], *, on: datetime.date, substances: Sequence[str] | None = None
) -> list[dict]:
    """`items_data` of `lookup_many`: the API's JSON items for the queries, in order.

    The collector stays paused until the items are written: the places, layers and answers of
    a thousand items are freed by reference counting before it runs again, and it then finds
    only the items' dicts. Paused around each step alone, it walked every answer when the
    lookup ended, 3-4 ms of a 40 ms request (its full pass over the heap every few requests
    included)."""
    with paused_cycle_collection():
        return items_data(lookup_many(queries, on=on, substances=substances))


def lookup_many_csv(
    queries: Sequence[str], *, on: datetime.date, substances: Sequence[str] | None = None
) -> str:
    """`write_csv` of `lookup_many`, the collector paused as in `lookup_many_data`."""
    with paused_cycle_collection():
        return write_csv(lookup_many(queries, on=on, substances=substances))


def items_data(items: Iterable[BulkItem]) -> list[dict]:
    """The items as the API's JSON shows them (see BulkItemSerializer for the documented shape).

    ZIP codes that read the same law share their results (resolution.summaries), and here the
    same list of result dicts: it is written out once per item, never changed.
    """
    # Bounded work (at most MAX_ITEMS items) that makes many short-lived objects.
    with paused_cycle_collection():
        return _items_data(items)


def _items_data(items: Iterable[BulkItem]) -> list[dict]:
    shown: dict[int, list[dict]] = {}
    data = []
    for item in items:
        if item.error is not None:
            data.append({"query": item.query, "error": error_data(item.error)})
            continue
        answer, match = item.answer, item.match
        if (results := shown.get(id(answer.results))) is None:
            results = shown[id(answer.results)] = [_result_data(r) for r in answer.results]
        data.append(
            {
                "query": item.query,
                "place": {
                    "ocd_id": answer.place.ocd_id,
                    "name": answer.place.name,
                    "level": answer.place.level,
                },
                "matched_by": match.matched_by,
                "zip_code": answer.zip_code,
                "approximate": match.approximate,
                "as_of": answer.as_of.isoformat(),
                "results": results,
            }
        )
    return data


def error_data(error: TrackerError) -> dict:
    data: dict = {"detail": str(error)}
    if isinstance(error, AmbiguousPlace):
        data["matches"] = [
            {"ocd_id": c.jurisdiction.ocd_id, "description": c.description} for c in error.described
        ]
    if isinstance(error, UnknownPlace) and error.suggestions:
        data["suggestions"] = list(error.suggestions)
    return data


def _result_data(result: Result) -> dict:
    setter = result.minimum_age_set_by
    return {
        "substance": result.substance.slug,
        "status": result.status,
        "strictest": result.strictest or result.status,
        "varies": result.varies,
        "minimum_age": result.minimum_age,
        "minimum_age_set_by": setter.ocd_id if setter else None,
        "decided_by": result.decided_by.ocd_id if result.decided_by else None,
        "due_for_rechecking": result.stale,
        "unverified": result.unverified,
        "last_verified_at": result.last_verified_at and result.last_verified_at.isoformat(),
    }


def csv_rows(items: Sequence[BulkItem]) -> list[dict]:
    """The items as CSV rows (CSV_COLUMNS): one per item and substance, one per failed item."""
    rows = []
    for item, data in zip(items, items_data(items), strict=True):
        if item.error is not None:
            rows.append({"query": item.query, "error": data["error"]["detail"]})
            continue
        common = {
            "query": item.query,
            "ocd_id": data["place"]["ocd_id"],
            "place": data["place"]["name"],
            "zip_code": data["zip_code"] or "",
            "approximate": data["approximate"],
            "as_of": data["as_of"],
        }
        rows += [{**common, **result} for result in data["results"]]
    return rows


def write_csv(items: Sequence[BulkItem]) -> str:
    """The items as a CSV document with a header row (CSV_COLUMNS)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    for row in csv_rows(items):
        writer.writerow({k: "" if v is None else _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    # A cell a spreadsheet would run as a formula is quoted (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value

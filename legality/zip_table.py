"""The ZIP table: every US ZIP code with today's answer per substance, for shippers' checkouts.

Built from the same resolver as every lookup (`resolve_many`), a thousand ZIP codes at a time,
and stored as one CSV document in the database (the web and worker containers share no disk).
`refresh_zip_table` rebuilds it when the dataset changed since the last build or the day turned
(a dated change takes effect without an edit); otherwise it does nothing.
"""

import csv
import datetime
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from legality.caching import dataset_last_changed, forget_dataset_version
from legality.models import Substance, ZipCode, ZipTable
from legality.resolution import Answer, Result, Target, ZipTarget, resolve_many

TABLE = "us"
CHUNK = 1000  # ZIP codes resolved together: a few queries each, bounded memory
PER_SUBSTANCE = (
    "status",
    "strictest",
    "varies",
    "approximate",
    "minimum_age",
    "minimum_age_set_by",
    "decided_by",
    "next_change",  # the next dated change in any layer: its date,
    "next_change_by",  # the layer (OCD id)
    "next_change_says",  # and what that layer says from then
)


@dataclass(frozen=True)
class ZipTableRun:
    built: bool
    zip_codes: int = 0
    as_of: datetime.date | None = None

    @property
    def counts(self) -> dict:
        return {"built": self.built, "zip_codes": self.zip_codes, "as_of": str(self.as_of)}


def refresh_zip_table(*, today: datetime.date, force: bool = False) -> ZipTableRun:
    """Rebuild the ZIP table if the dataset changed since it was built or it is not for `today`.

    Idempotent: a second run with nothing changed builds nothing. `force` rebuilds anyway.
    """
    forget_dataset_version()  # read the dataset's version afresh, not a cached one
    version = dataset_last_changed()
    current = ZipTable.objects.filter(name=TABLE).values("as_of", "dataset_changed_at").first()
    if not force and current == {"as_of": today, "dataset_changed_at": version}:
        return ZipTableRun(built=False, as_of=today)
    content, count = build_zip_table_csv(on=today)
    # Two builds at once both write a whole table; the unique name keeps one row.
    ZipTable.objects.update_or_create(
        name=TABLE,
        defaults={
            "as_of": today,
            "dataset_changed_at": version,
            "built_at": timezone.now(),
            "zip_codes": count,
            "etag": hashlib.sha256(content.encode()).hexdigest()[:32],
            "content": content,
        },
    )
    return ZipTableRun(built=True, zip_codes=count, as_of=today)


def zip_table_columns(substances: list[str]) -> list[str]:
    columns = ["zip_code", "state", "county", "assumed_place"]
    columns += [f"{slug}_{field}" for slug in substances for field in PER_SUBSTANCE]
    return [*columns, "as_of"]


_BOOLEAN = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
_STATUS = ["legal", "regulated", "restricted", "banned", "unknown"]
# What each column means, for the Data Package descriptor (legality.exports.datapackage).
FIELDS = {
    "zip_code": {"type": "string", "description": "The 5-digit US ZIP code (ZCTA)."},
    "state": {"type": "string", "description": "Its state's OCD id."},
    "county": {"type": "string", "description": "Its county's OCD id (where most of its land is)."},
    "assumed_place": {
        "type": "string",
        "description": "OCD id of the place of its postal city, assumed: a ZIP code can cross a "
        "town limit; empty: none.",
    },
    "status": {
        "type": "string",
        "description": "The status where the ZIP code's assumed place is.",
        "constraints": {"enum": _STATUS},
    },
    "strictest": {
        "type": "string",
        "description": "The most restrictive status anywhere in the ZIP code.",
        "constraints": {"enum": _STATUS},
    },
    "varies": {**_BOOLEAN, "description": "true: its sides (town limit, county line) differ."},
    "approximate": {**_BOOLEAN, "description": "true: the place is assumed from the postal city."},
    "minimum_age": {"type": "integer", "description": "Minimum age; empty: none."},
    "minimum_age_set_by": {"type": "string", "description": "OCD id of the layer setting it."},
    "decided_by": {"type": "string", "description": "OCD id of the layer deciding the status."},
    "next_change": {"type": "date", "description": "The next dated change in any layer."},
    "next_change_by": {"type": "string", "description": "OCD id of the layer that changes."},
    "next_change_says": {"type": "string", "description": "That layer's status from then."},
    "as_of": {"type": "date", "description": "The day the answers are for."},
}


def zip_table_schema(substances: list[str]) -> list[dict]:
    """The Table Schema fields of `zip_table_columns(substances)`."""
    fields = [{"name": name, **FIELDS[name]} for name in zip_table_columns([])[:-1]]
    for slug in substances:
        for name in PER_SUBSTANCE:
            description = f"{slug}: {FIELDS[name]['description']}"
            fields.append({"name": f"{slug}_{name}", **FIELDS[name], "description": description})
    fields.append({"name": "as_of", **FIELDS["as_of"]})
    return fields


def build_zip_table_csv(*, on: datetime.date) -> tuple[str, int]:
    """The ZIP table as CSV (header: `zip_table_columns`) and how many ZIP codes it has.

    Per substance: the status where the ZIP code's place is (its postal city, approximate),
    the strictest anywhere in it, whether its sides answer differently, the minimum age and the
    layer that sets it (OCD id), the deciding layer (OCD id), and the next dated change.
    """
    # Query: the substances, whose slugs name the columns.
    slugs = list(Substance.objects.order_by("id").values_list("slug", flat=True))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(zip_table_columns(slugs))
    count = 0
    for chunk in _zip_chunks():
        answers = resolve_many([Target(t.place_id, t.zip_code) for t in chunk], on=on)
        for target, answer in zip(chunk, answers, strict=True):
            writer.writerow(_row(target, answer))
            count += 1
    return out.getvalue(), count


@dataclass(frozen=True)
class _ZipRow:
    place_id: int
    zip_code: ZipTarget
    state: str
    county: str
    place: str


def _zip_chunks() -> Iterator[list[_ZipRow]]:
    # Query per chunk: the ZIP codes after the last one read, with their names (keyset paging).
    fields = ("id", "code", "state_id", "county_id", "place_id")
    names = ("state__ocd_id", "county__ocd_id", "place__ocd_id")
    last = ""
    while True:
        rows = list(
            ZipCode.objects.filter(code__gt=last)
            .order_by("code")
            .values_list(*fields, *names)[:CHUNK]
        )
        if not rows:
            return
        yield [
            _ZipRow(
                place_id=place_id or county_id or state_id,
                zip_code=ZipTarget(pk, code, state_id, county_id, place_id),
                state=state or "",
                county=county or "",
                place=place or "",
            )
            for pk, code, state_id, county_id, place_id, state, county, place in rows
        ]
        last = rows[-1][1]


def _row(target: _ZipRow, answer: Answer) -> list:
    row = [target.zip_code.code, target.state, target.county, target.place]
    for result in answer.results:
        row += _result_cells(result, approximate=target.zip_code.place_id is not None)
    return [*row, answer.as_of.isoformat()]


def _result_cells(result: Result, *, approximate: bool) -> list:
    setter = result.minimum_age_set_by
    change = result.upcoming[0] if result.upcoming else None
    return [
        result.status,
        result.strictest or result.status,
        "true" if result.varies else "false",
        "true" if approximate else "false",
        "" if result.minimum_age is None else result.minimum_age,
        setter.ocd_id if setter else "",
        result.decided_by.ocd_id if result.decided_by else "",
        change.date.isoformat() if change else "",
        change.jurisdiction.ocd_id if change else "",
        change.status if change else "",
    ]

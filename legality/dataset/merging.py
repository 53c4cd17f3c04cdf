"""What a load may change in a stored entry: the rule for what counts as a curator's edit.

A load writes an entry in one history record whose change reason starts with "Loaded from".
An entry carries a curator's edit when its current values differ from those of its newest such
record, or when no load ever wrote it (a curator created it): anything a person changed since the
last load (in the admin, the CSV import, the shell) makes the values differ. Verifying an entry
is not an edit: `last_verified_at` and `last_verified_by` are not compared.

- An entry without a curator's edit takes the file's values (a correction is applied); its
  `last_verified_at` never moves back.
- An entry with a curator's edit keeps every value. Where the file now says something else than
  both the last load and the entry, the load holds that correction and says so in a `manual`
  review flag with the new values. One exception: activities no one has coded yet (every field
  still at its default) are filled in, under another change reason, since that overwrites nothing.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from legality.models import LegalStatus

from .activities import DEFAULTS as ACTIVITY_DEFAULTS

LOADED_REASON = "Loaded from"  # how every load's history records start
ACTIVITIES_REASON = "Activities loaded from"
# What a curator's edit may change; "sources" is the set of source ids.
COMPARED_FIELDS = (
    "status",
    "minimum_age",
    "applies_to",
    "summary",
    "details",
    "effective_from",
    "effective_from_precision",
    "effective_until",
    "is_published",
    "unverified",
    "internal_notes",
    *ACTIVITY_DEFAULTS,
)


@dataclass(frozen=True)
class Merge:
    """What to write into one stored entry, and the corrections held for a curator."""

    write: dict[str, Any]  # field values to set ("sources": the set of ids); {}: nothing
    as_load: bool  # written as a load (the newest "Loaded from" record), or only a fill-in
    held: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field: (entry's, file's)


def values_of(entry: LegalStatus, source_ids: set[int]) -> dict[str, Any]:
    """The compared values of a stored entry or of a history record of it."""
    return {name: getattr(entry, name) for name in COMPARED_FIELDS} | {"sources": source_ids}


def last_loaded(ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each entry id a load wrote, its compared values as the newest load wrote them.

    Two queries: the newest load records of the entries, then their snapshot of sources.
    """
    records: dict[int, Any] = {}
    loads = LegalStatus.history.filter(id__in=ids, history_change_reason__startswith=LOADED_REASON)
    for record in loads.order_by("history_date", "history_id"):
        records[record.id] = record  # the newest wins
    # The history of the sources: one row per source of a record (simple-history's m2m_fields).
    snapshot = LegalStatus.history.model.sources.model  # type: ignore[attr-defined]
    sources: dict[int, set[int]] = {record.history_id: set() for record in records.values()}
    for history_id, source_id in snapshot.objects.filter(history_id__in=sources).values_list(
        "history_id", "source_id"
    ):
        sources[history_id].add(source_id)
    return {pk: values_of(record, sources[record.history_id]) for pk, record in records.items()}


def merge(
    current: dict[str, Any],
    loaded: dict[str, Any] | None,
    wanted: dict[str, Any],
    *,
    last_verified_at: date | None,
    verified_by_curator: bool,
) -> Merge:
    """How the file's `wanted` values meet a stored entry's `current` values.

    `loaded`: what the newest load wrote (None: no load ever did). `last_verified_at`: the
    entry's; a load never moves a curator's verification back. `wanted` carries the file's own
    `last_verified_at` (the newest dated source).
    """
    edited = loaded is None or any(current[name] != loaded[name] for name in current)
    if not edited:
        target = dict(wanted)
        if verified_by_curator and last_verified_at is not None:
            target["last_verified_at"] = max(
                last_verified_at, wanted.get("last_verified_at") or date.min
            )
        stored = current | {"last_verified_at": last_verified_at}
        return Merge({n: v for n, v in target.items() if stored.get(n) != v}, as_load=True)
    new = {
        name: value
        for name, value in wanted.items()
        if name in current
        and value != current[name]
        and (loaded is None or value != loaded.get(name))
    }
    fill = {}
    if all(current[name] == default for name, default in ACTIVITY_DEFAULTS.items()):
        fill = {name: new.pop(name) for name in ACTIVITY_DEFAULTS if name in new}
    held = {name: (current[name], value) for name, value in new.items()}
    return Merge(fill, as_load=False, held=held)


def describe_held(held: dict[str, tuple[Any, Any]]) -> str:
    """A review note that lists the corrections a load held back, with the file's values."""
    lines = [
        f"- {name}: {_show(new)} (this entry: {_show(old)})" for name, (old, new) in held.items()
    ]
    return (
        "The seed data now says something else, but a curator has edited this entry, so the "
        "load left it as it is. Apply what is right:\n" + "\n".join(lines)
    )


def _show(value: Any) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set):
        return "sources #" + ", #".join(str(pk) for pk in sorted(value))
    return repr(value)

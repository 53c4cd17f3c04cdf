"""Writing, in the caller's transaction: upserts on natural keys, with history.

Entries are upserted on (jurisdiction, substance, effective_from), or on the start a corrected
record names as its previous one, or on the start the newest load wrote (a curator moved it since),
and sources on (url, citation, title), so writing the same
plan again changes nothing. What a load may change in an entry a curator edited is
merging.py's rule.
"""

from dataclasses import dataclass

from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from legality.alerts import record_answer_changes
from legality.geography import normalize_name
from legality.models import Jurisdiction, LegalStatus, ReviewFlag, Source

from .errors import RecordError
from .merging import ACTIVITIES_REASON, LOADED_REASON, describe_held, last_loaded, merge, values_of
from .planning import Plan, PlannedEntry, SourceKey

_SOURCE_FIELDS = ["publisher", "kind", "published_on", "published_precision"]


@dataclass(frozen=True)
class LoadResult:
    """What a load did, counted in entries; `notes` names facts matched by an alias or a name."""

    created: int
    updated: int
    unchanged: int
    sources_created: int
    sources_updated: int
    flags_created: int
    jurisdictions_created: int
    notes: tuple[str, ...] = ()
    held: int = 0  # entries a curator edited whose corrections wait in a review flag
    warnings: tuple[RecordError, ...] = ()  # codings that disagree with their status word


def write_plan(plan: Plan) -> LoadResult:
    """Write a checked plan in the caller's transaction; say what changed."""
    extra_ids = _create_extras(plan)
    source_ids, sources_created, sources_updated = _upsert_sources(plan)
    flag_notes, (created, updated, held), changed_places = _upsert_entries(
        plan, extra_ids, source_ids
    )
    record_answer_changes(changed_places, reason=plan.history_reason)
    return LoadResult(
        created=created,
        updated=updated,
        unchanged=len(plan.entries) - created - updated - held,
        sources_created=sources_created,
        sources_updated=sources_updated,
        flags_created=_raise_flags(flag_notes, reason=plan.history_reason),
        jurisdictions_created=len(extra_ids),
        notes=tuple(plan.notes),
        held=held,
        warnings=tuple(plan.warnings),
    )


def _create_extras(plan: Plan) -> dict[str, int]:
    """Jurisdictions the OCD lists lack (a town incorporated after them), ids by OCD id."""
    wanted = {o for values in plan.extras.values() for o in [values["parent"], *values["counties"]]}
    ids = dict(Jurisdiction.objects.filter(ocd_id__in=wanted).values_list("ocd_id", "id"))
    for ocd_id, values in plan.extras.items():
        jurisdiction = Jurisdiction(
            ocd_id=ocd_id,
            name=values["name"],
            search_name=normalize_name(values["name"]),
            level=values["level"],
            division_type=values.get("division_type") or values["level"],
            parent_id=ids[values["parent"]],
            country_code=values.get("country_code") or "",
            is_incorporated=values.get("is_incorporated"),
            is_official_ocd_id=values.get("is_official_ocd_id", True),
        )
        jurisdiction._change_reason = plan.history_reason
        jurisdiction.save()
        jurisdiction.counties.set([ids[county] for county in values["counties"]])
        ids[ocd_id] = jurisdiction.pk
    return {ocd_id: ids[ocd_id] for ocd_id in plan.extras}


def _upsert_sources(plan: Plan) -> tuple[dict[SourceKey, int], int, int]:
    """Source ids by (url, citation, title): stored ones brought up to date, missing ones added."""
    urls = {url for url, _, _ in plan.sources}
    citations = {citation for url, citation, _ in plan.sources if not url}
    stored = Source.objects.filter(Q(url__in=urls) | Q(url="", citation__in=citations))
    by_key: dict[SourceKey, Source] = {}
    for source in stored.order_by("pk"):
        by_key.setdefault((source.url, source.citation, source.title), source)
    changed = []
    for key, source in by_key.items():
        wanted = plan.sources.get(key)
        if wanted and any(getattr(source, name) != wanted[name] for name in _SOURCE_FIELDS):
            for name in _SOURCE_FIELDS:
                setattr(source, name, wanted[name])
            changed.append(source)
    reason = plan.history_reason
    bulk_update_with_history(changed, Source, _SOURCE_FIELDS, default_change_reason=reason)
    new = [Source(**values) for key, values in plan.sources.items() if key not in by_key]
    for source in bulk_create_with_history(new, Source, default_change_reason=reason):
        by_key[source.url, source.citation, source.title] = source
    return {key: by_key[key].pk for key in plan.sources}, len(new), len(changed)


def _upsert_entries(
    plan: Plan, extra_ids: dict[str, int], source_ids: dict[SourceKey, int]
) -> tuple[dict[int, list[str]], tuple[int, int, int], set[int]]:
    """Create or merge every planned entry: the review notes each entry's flag should carry, how
    many entries were created, updated and held (a curator's, with corrections waiting), and
    the jurisdictions of the entries written.

    Saved one by one, so history records each with its sources.
    """
    for entry in plan.entries:
        if isinstance(entry.jurisdiction, str):
            entry.jurisdiction = extra_ids[entry.jurisdiction]
    stored = LegalStatus.objects.filter(
        jurisdiction_id__in={entry.jurisdiction for entry in plan.entries}
    ).prefetch_related("sources")
    by_key = {(s.jurisdiction_id, s.substance_id, s.effective_from): s for s in stored}
    loaded = last_loaded([status.pk for status in by_key.values()])
    # An entry whose start a curator moved is still named by the start the newest load wrote.
    for status in list(by_key.values()):
        if (values := loaded.get(status.pk)) is not None:
            key = (status.jurisdiction_id, status.substance_id, values["effective_from"])
            by_key.setdefault(key, status)
    notes: dict[int, list[str]] = {}
    created = updated = held = 0
    changed_places: set[int] = set()
    for entry in plan.entries:
        wanted = entry.values | {
            "effective_from": entry.effective_from,
            "sources": {source_ids[key] for key in entry.source_keys},
        }
        status = _stored_entry(entry, by_key)
        if status is None:
            status = LegalStatus(
                jurisdiction_id=entry.jurisdiction, substance_id=entry.substance_id
            )
            _write(status, wanted, reason=plan.history_reason)
            created += 1
            changed_places.add(status.jurisdiction_id)
            notes[status.pk] = list(entry.flag_notes)
            continue
        current = values_of(status, {source.pk for source in status.sources.all()})
        merged = merge(
            current,
            loaded.get(status.pk),
            wanted,
            last_verified_at=status.last_verified_at,
            verified_by_curator=status.last_verified_by_id is not None,
        )
        if merged.write:
            reason = plan.history_reason
            if not merged.as_load:
                reason = reason.replace(LOADED_REASON, ACTIVITIES_REASON, 1)[:100]
            _write(status, merged.write, reason=reason)
            updated += 1
            changed_places.add(status.jurisdiction_id)
        # The seed data's own notes belong to what it wrote; a held correction asks a curator.
        notes[status.pk] = list(entry.flag_notes) if merged.as_load else []
        if merged.held:
            notes[status.pk].append(describe_held(merged.held))
            held += 1
    return notes, (created, updated, held), changed_places


def _stored_entry(entry: PlannedEntry, by_key: dict[tuple, LegalStatus]) -> LegalStatus | None:
    """The stored entry a record writes: the one with its start, or the one it corrects."""
    found = by_key.get((entry.jurisdiction, entry.substance_id, entry.effective_from))
    if found is None and entry.corrects_start:
        return by_key.get((entry.jurisdiction, entry.substance_id, entry.previous_effective_from))
    return found


def _write(status: LegalStatus, values: dict, *, reason: str) -> None:
    sources = values.pop("sources", None)
    for name, value in values.items():
        setattr(status, name, value)
    status._change_reason = reason
    status.save()
    if sources is not None:
        status.sources.set(sources)  # history records the new set (m2m_fields)


def _raise_flags(notes: dict[int, list[str]], *, reason: str) -> int:
    """Raise each note once, in a `manual` review flag; return how many flags were raised or added
    to.

    A note already in one of the entry's manual flags, open or resolved, is not raised again (a
    curator who resolved it has answered it). New notes go into the entry's open manual flag
    (one open flag per reason), or into a new one.
    """
    wanted = {pk: parts for pk, parts in notes.items() if parts}
    raised: dict[int, list[ReviewFlag]] = {pk: [] for pk in wanted}
    for flag in ReviewFlag.objects.filter(
        legal_status_id__in=wanted, reason=ReviewFlag.Reason.MANUAL
    ).order_by("pk"):
        raised[flag.legal_status_id].append(flag)
    new_flags, grown = [], []
    for pk, parts in wanted.items():
        missing = [part for part in parts if not any(part in f.note for f in raised[pk])]
        if not missing:
            continue
        if open_flag := next((f for f in raised[pk] if f.resolved_at is None), None):
            open_flag.note = "\n\n".join([open_flag.note, *missing]).strip()
            grown.append(open_flag)
        else:
            note = "\n\n".join(missing)
            new_flags.append(
                ReviewFlag(legal_status_id=pk, reason=ReviewFlag.Reason.MANUAL, note=note)
            )
    bulk_create_with_history(new_flags, ReviewFlag, default_change_reason=reason)
    bulk_update_with_history(grown, ReviewFlag, ["note"], default_change_reason=reason)
    return len(new_flags) + len(grown)

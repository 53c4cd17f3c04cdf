"""Writing, in the caller's transaction: upserts on natural keys, with history.

Entries are upserted on (jurisdiction, substance, effective_from) and sources on (url,
citation, title), so writing the same plan again changes nothing.
"""

from dataclasses import dataclass

from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from legality.alerts import record_answer_changes
from legality.geography import normalize_name
from legality.models import Jurisdiction, LegalStatus, ReviewFlag, Source

from .planning import Plan, SourceKey

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


def write_plan(plan: Plan) -> LoadResult:
    """Write a checked plan in the caller's transaction; say what changed."""
    extra_ids = _create_extras(plan)
    source_ids, sources_created, sources_updated = _upsert_sources(plan)
    entry_ids, created, updated, changed_places = _upsert_entries(plan, extra_ids, source_ids)
    record_answer_changes(changed_places, reason=plan.history_reason)
    return LoadResult(
        created=created,
        updated=updated,
        unchanged=len(plan.entries) - created - updated,
        sources_created=sources_created,
        sources_updated=sources_updated,
        flags_created=_raise_flags(plan, entry_ids),
        jurisdictions_created=len(extra_ids),
        notes=tuple(plan.notes),
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
) -> tuple[list[int], int, int, set[int]]:
    """Entry ids in plan order, counts created and updated, and the jurisdictions of the entries
    written. Saved one by one: history then records them with their sources."""
    for entry in plan.entries:
        if isinstance(entry.jurisdiction, str):
            entry.jurisdiction = extra_ids[entry.jurisdiction]
    stored = LegalStatus.objects.filter(
        jurisdiction_id__in={entry.jurisdiction for entry in plan.entries}
    ).prefetch_related("sources")
    by_key = {(s.jurisdiction_id, s.substance_id, s.effective_from): s for s in stored}
    ids, created, updated, changed_places = [], 0, 0, set()
    for entry in plan.entries:
        wanted_sources = {source_ids[key] for key in entry.source_keys}
        status = by_key.get((entry.jurisdiction, entry.substance_id, entry.effective_from))
        if status is None:
            status = LegalStatus(
                jurisdiction_id=entry.jurisdiction,
                substance_id=entry.substance_id,
                effective_from=entry.effective_from,
            )
            created += 1
        elif all(getattr(status, k) == v for k, v in entry.values.items()) and wanted_sources == {
            source.pk for source in status.sources.all()
        }:
            ids.append(status.pk)
            continue
        else:
            updated += 1
        for name, value in entry.values.items():
            setattr(status, name, value)
        status._change_reason = plan.history_reason
        status.save()
        status.sources.set(wanted_sources)  # history records the new set (m2m_fields)
        ids.append(status.pk)
        changed_places.add(status.jurisdiction_id)
    return ids, created, updated, changed_places


def _raise_flags(plan: Plan, entry_ids: list[int]) -> int:
    """A `manual` review flag where a record asks for one and none was raised before."""
    notes = zip(entry_ids, [entry.flag_note for entry in plan.entries], strict=True)
    wanted = {pk: note for pk, note in notes if note}
    raised = ReviewFlag.objects.filter(legal_status_id__in=wanted, reason=ReviewFlag.Reason.MANUAL)
    # Not beside an open manual flag (one per reason), nor again once a curator resolved it.
    skip = {
        pk
        for pk, note, resolved_at in raised.values_list("legal_status_id", "note", "resolved_at")
        if resolved_at is None or note == wanted[pk]
    }
    flags = [
        ReviewFlag(legal_status_id=pk, reason=ReviewFlag.Reason.MANUAL, note=note)
        for pk, note in wanted.items()
        if pk not in skip
    ]
    bulk_create_with_history(flags, ReviewFlag, default_change_reason=plan.history_reason)
    return len(flags)

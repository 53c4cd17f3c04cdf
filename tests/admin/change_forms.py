"""POST data for the legal status change form, as a browser sends it (fields and inlines)."""

from collections.abc import Iterable

from legality.activities import ACTIVITIES, field_name
from legality.models import LegalStatus, Source

SOURCES = "LegalStatus_sources"  # the prefix of the sources inline (the M2M's through model)
FLAGS = "review_flags"  # the read-only flags inline still posts its management form


def legal_status_form_data(
    entry: LegalStatus, *, sources: Iterable[Source] | None = None, **changes
) -> dict[str, str | list[str]]:
    """The change form of `entry` with `changes` to its fields and `sources` as its new sources.

    `entry` may be unsaved (the add form). `sources=None` keeps the current ones; existing links
    to sources not in `sources` are posted as deleted, new ones as extra inline rows.
    """
    fields = {
        "jurisdiction": entry.jurisdiction_id,
        "substance": entry.substance_id,
        "status": entry.status,
        "minimum_age": entry.minimum_age,
        "applies_to": entry.applies_to,
        "effective_from": entry.effective_from,
        "effective_from_precision": entry.effective_from_precision,
        "effective_until": entry.last_day_in_force,  # the form takes the last day in force
        "summary": entry.summary,
        "details": entry.details,
        "is_published": entry.is_published,
        "unverified": entry.unverified,
        "review_interval_days": entry.review_interval_days,
        "internal_notes": entry.internal_notes,
        **{field_name(activity): getattr(entry, field_name(activity)) for activity in ACTIVITIES},
        "minimum_age_applies_to": entry.minimum_age_applies_to,
        "product_limits": "\n".join(f"{p['kind']}: {p['text']}" for p in entry.product_limits),
        "penalty": entry.penalty,
        # The hidden version the form was opened at.
        "seen_version": entry.version if entry.pk else None,
    } | changes
    data = {}
    for name, value in fields.items():
        if isinstance(value, list):  # ticked checkboxes: one value per box
            data[name] = [str(item) for item in value]
        elif value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = str(value)
        elif value is None:
            data[name] = ""
    links = list(LegalStatus.sources.through.objects.filter(legalstatus=entry)) if entry.pk else []
    wanted = [source.pk for source in sources] if sources is not None else None
    rows = [
        {"id": link.pk, "legalstatus": entry.pk, "source": link.source_id}
        | ({"DELETE": "on"} if wanted is not None and link.source_id not in wanted else {})
        for link in links
    ]
    kept = {link.source_id for link in links}
    rows += [{"source": pk} for pk in (wanted or []) if pk not in kept]
    data |= _inline(SOURCES, rows, initial=len(links))
    flags = list(entry.review_flags.all()) if entry.pk else []
    data |= _inline(
        FLAGS, [{"id": flag.pk, "legal_status": entry.pk} for flag in flags], initial=len(flags)
    )
    return data


def _inline(prefix: str, rows: list[dict], *, initial: int) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{name}": str(value) for name, value in row.items()}
    return data

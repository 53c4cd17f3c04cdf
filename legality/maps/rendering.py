"""Rendered maps, cached by dataset version and by the latest change on or before the date asked.

A map can only change on a day some entry starts, ends or is first attested (its earliest dated
evidence, for an entry with no known start): between two such days every date draws the same
picture. So a render is kept under (map, substance, dataset version, latest change day on or
before `as_of`), not under every date asked; "today" reuses yesterday's render until something
changes. The rendered fragment names no date: the page around it does.
"""

import bisect
import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from legality.caching import dataset_last_changed
from legality.models import Jurisdiction
from legality.resolution.loading import load_entries

from .pictures import Picture, state_picture, us_picture, world_picture

TEMPLATE = "legality/maps/_map.html"


def change_days() -> tuple[datetime.date, ...]:
    """Every day on which some published entry starts, ends or is first attested, sorted.

    Two queries (the entries and their sources) once per dataset version; cached in between.
    """
    key = f"legality:map-change-days:{dataset_last_changed().isoformat()}"
    if (days := cache.get(key)) is not None:
        return days
    found: set[datetime.date] = set()
    for entries in load_entries(None, None).values():
        for entry in entries:
            found.update(d for d in (entry.start, entry.effective_until) if d is not None)
            if entry.effective_from is None and (known_by := entry.known_by) is not None:
                found.add(known_by[0])
    days = tuple(sorted(found))
    cache.set(key, days, settings.MAP_CACHE_SECONDS)
    return days


def last_change_on_or_before(on: datetime.date) -> datetime.date | None:
    """The latest change day on or before `on`; None when `on` is before every change."""
    days = change_days()
    index = bisect.bisect_right(days, on)
    return days[index - 1] if index else None


def render_us_map(*, substance: str, on: datetime.date, table_open: bool = True) -> SafeString:
    """The US map; `table_open=False` folds its table (the home page, which has its own)."""
    return _render(
        ("us", substance),
        lambda: us_picture(substance=substance, on=on),
        on=on,
        table_open=table_open,
    )


def render_state_map(state: Jurisdiction, *, substance: str, on: datetime.date) -> SafeString:
    return _render(
        ("state", state.ocd_id, substance),
        lambda: state_picture(state, substance=substance, on=on),
        on=on,
    )


def render_world_map(*, substance: str, on: datetime.date) -> SafeString:
    return _render(("world", substance), lambda: world_picture(substance=substance, on=on), on=on)


def _render(
    name: tuple[str, ...],
    draw: Callable[[], Picture],
    *,
    on: datetime.date,
    table_open: bool = True,
) -> SafeString:
    version = dataset_last_changed().isoformat()
    name = (*name, "table" if table_open else "folded")
    key = f"legality:map:{'|'.join(name)}:{version}:{last_change_on_or_before(on)}"
    if (fragment := cache.get(key)) is None:
        context = {"picture": draw(), "table_open": table_open}
        fragment = str(render_to_string(TEMPLATE, context))
        cache.set(key, fragment, settings.MAP_CACHE_SECONDS)
    # Rendered by our own template, which escaped every name in it.
    return mark_safe(fragment)

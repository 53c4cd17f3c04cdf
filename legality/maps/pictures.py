"""What a map shows: shapes, dots, a legend with counts and the table beside it, as plain data.

Three maps: the United States by state (with every county and city that has its own entry), one
state by county (with its cities), and the world by country. Each shape and dot carries its
status, the patterns that qualify it (unknown, varies within, outside city limits only), the
page it links to and its title; the table lists the same jurisdictions, and those the map cannot
draw (Puerto Rico and the other territories, places without a point, the smallest countries).
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from legality.models import Jurisdiction
from legality.resolution import UNKNOWN

from . import boundaries
from .shading import Shade, Shading, shade, with_own_entries

Level = Jurisdiction.Level
STATUS_ORDER = ("banned", "restricted", "regulated", "legal", UNKNOWN)
STATUS_LABELS = {
    "banned": "Banned",
    "restricted": "Restricted",
    "regulated": "Regulated",
    "legal": "Legal",
    UNKNOWN: "No entry: we don't know",
}
VARIES_WITHIN = "varies within: a county or city inside answers differently"
OUTSIDE_CITY_LIMITS = "outside city limits only"
US_DOT_RADIUS = 3.5
STATE_MARGIN = 0.03  # of the state's size, around its shape


@dataclass(frozen=True)
class Mark:
    """One jurisdiction on the map (a shape or a dot) and in the table."""

    ocd_id: str
    name: str
    level: str
    status: str
    status_label: str
    minimum_age: int | None
    unverified: bool
    varies_within: bool
    is_unincorporated_only: bool
    last_verified_at: datetime.date | None  # of the deciding entry
    path: str = ""  # SVG path data of a shape; empty for a dot or a row the map cannot draw
    x: float | None = None  # a dot's point
    y: float | None = None

    @property
    def css_class(self) -> str:
        classes = [f"s-{self.status}"]
        if self.varies_within:
            classes.append("varies")
        if self.is_unincorporated_only:
            classes.append("hatched")
        return " ".join(classes)

    @property
    def notes(self) -> tuple[str, ...]:
        notes = []
        if self.minimum_age is not None and self.status != "banned":
            notes.append(f"{self.minimum_age} and over")
        if self.is_unincorporated_only:
            notes.append(OUTSIDE_CITY_LIMITS)
        if self.varies_within:
            notes.append(VARIES_WITHIN)
        if self.unverified:
            notes.append("unverified")
        return tuple(notes)

    @property
    def title(self) -> str:
        """'Lee County: Banned (outside city limits only)', the shape's tooltip and name."""
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        return f"{self.name}: {self.status_label}{notes}"

    @property
    def is_drawn(self) -> bool:
        return bool(self.path) or self.x is not None


@dataclass(frozen=True)
class LegendRow:
    key: str  # a status, "varies" or "hatched"
    label: str
    count: int


@dataclass(frozen=True)
class Picture:
    kind: str  # "us", "state" or "world"
    title: str
    substance: str  # slug
    substance_name: str
    as_of: datetime.date
    width: int
    height: int
    shapes: tuple[Mark, ...]
    overlays: tuple[Mark, ...]  # county shapes drawn over the states (the US map)
    dots: tuple[Mark, ...]
    undrawn: tuple[Mark, ...]  # in the table only
    legend: tuple[LegendRow, ...]
    above: tuple[Mark, ...] = ()  # the layers above the map's parts: federal law, state law
    view_box: str = ""  # "left top width height" of the SVG; the whole picture when empty
    dot_radius: float = 4
    pattern_size: float = 6  # of the patterns' tiles, in the SVG's units (about 6 px on screen)

    @property
    def pattern(self) -> dict[str, str]:
        """The patterns' geometry at this map's scale, for the template's <defs>."""
        size = self.pattern_size
        half = f"{size / 2:g}"
        return {
            "size": f"{size:g}",
            "half": half,
            "dot": f"{size * 0.18:g}",
            "cross": f"M0,{half}H{size:g}M{half},0V{size:g}",
            "stripe": f"{size * 0.58:g}",
        }

    @property
    def statuses(self) -> tuple[str, ...]:
        return STATUS_ORDER

    @property
    def svg_view_box(self) -> str:
        return self.view_box or f"0 0 {self.width} {self.height}"

    @property
    def marks(self) -> tuple[Mark, ...]:
        return (*self.shapes, *self.overlays, *self.dots, *self.undrawn)


def _mark(shade_: Shade, **drawing) -> Mark:
    result = shade_.result
    return Mark(
        ocd_id=shade_.jurisdiction.ocd_id,
        name=shade_.jurisdiction.name,
        level=shade_.jurisdiction.level,
        status=result.status,
        status_label=STATUS_LABELS[result.status],
        minimum_age=result.minimum_age,
        unverified=result.unverified,
        varies_within=shade_.varies_within,
        is_unincorporated_only=shade_.is_unincorporated_only,
        last_verified_at=result.last_verified_at,
        **drawing,
    )


def _dot(shade_: Shade) -> Mark:
    point = boundaries.place_point(shade_.jurisdiction.ocd_id, shade_.census_geoid)
    return _mark(shade_, x=point[0], y=point[1]) if point else _mark(shade_)


def _legend(marks: Iterable[Mark]) -> tuple[LegendRow, ...]:
    marks = list(marks)
    counts = Counter(mark.status for mark in marks)
    rows = [LegendRow(status, STATUS_LABELS[status], counts[status]) for status in STATUS_ORDER]
    rows.append(LegendRow("varies", VARIES_WITHIN, sum(m.varies_within for m in marks)))
    hatched = sum(m.is_unincorporated_only for m in marks)
    if hatched:
        rows.append(LegendRow("hatched", f"county entry, {OUTSIDE_CITY_LIMITS}", hatched))
    return tuple(rows)


def _by_name(marks: Iterable[Mark]) -> tuple[Mark, ...]:
    return tuple(sorted(marks, key=lambda mark: (mark.name, mark.ocd_id)))


US = "ocd-division/country:us"


def us_picture(*, substance: str, on: datetime.date) -> Picture:
    """The United States by state, with every county and city that has its own entry."""
    shading = shade(
        Q(ocd_id=US)
        | Q(level=Level.STATE, country_code="US")
        | (Q(country_code="US", level__in=[Level.COUNTY, Level.PLACE]) & with_own_entries()),
        on=on,
        substance=substance,
    )
    shapes, undrawn, overlays, dots = [], [], [], []
    states = boundaries.us_states()
    for shade_ in shading.shades.values():
        level, geoid = shade_.jurisdiction.level, shade_.census_geoid
        if level == Level.STATE:
            feature = states.get(geoid)
            (shapes if feature else undrawn).append(
                _mark(shade_, path=feature.path) if feature else _mark(shade_)
            )
        elif not shade_.has_own_entry:
            continue
        elif level == Level.COUNTY:
            shape_id = boundaries.county_shape_id(geoid)
            path = boundaries.us_counties()[shape_id].path if shape_id else ""
            (overlays if path else undrawn).append(_mark(shade_, path=path))
        elif level == Level.PLACE:
            dot = _dot(shade_)
            (dots if dot.is_drawn else undrawn).append(dot)
    return _picture(
        "us",
        "The United States",
        shading,
        shapes,
        overlays,
        dots,
        undrawn,
        above=[US],
        size=(boundaries.US_WIDTH, boundaries.US_HEIGHT),
        dot_radius=US_DOT_RADIUS,
    )


def state_picture(state: Jurisdiction, *, substance: str, on: datetime.date) -> Picture:
    """One US state (or DC, or a territory) by county, with every city that has its own entry.

    A territory the Albers boundaries leave out (Puerto Rico, Guam, ...) has a table only.
    """
    targets = boundaries.county_shape_targets(state) if state.census_geoid else {}
    shading = shade(
        Q(ocd_id=US)
        | Q(pk=state.pk)
        | Q(parent=state, level=Level.COUNTY)
        | Q(pk__in=list(targets.values()))
        # Townships' ids run through their county (state:pa/county:adams/place:liberty).
        | (Q(ocd_id__startswith=f"{state.ocd_id}/", level=Level.PLACE) & with_own_entries()),
        on=on,
        substance=substance,
    )
    counties = boundaries.us_counties()
    shape_of = {pk: fips for fips, pk in targets.items()}
    shapes, dots, undrawn = [], [], []
    for pk, shade_ in shading.shades.items():
        if pk in shape_of:
            shapes.append(_mark(shade_, path=counties[shape_of[pk]].path))
        elif shade_.jurisdiction.level == Level.COUNTY:
            undrawn.append(_mark(shade_))
        elif shade_.jurisdiction.level == Level.PLACE and shade_.has_own_entry:
            dot = _dot(shade_)
            (dots if dot.is_drawn else undrawn).append(dot)
    feature = boundaries.us_states().get(state.census_geoid)
    left, top, right, bottom = feature.bounds if feature else (0, 0, 0, 0)
    margin = max(right - left, bottom - top) * STATE_MARGIN
    width, height = right - left + 2 * margin, bottom - top + 2 * margin
    return _picture(
        "state",
        state.name,
        shading,
        shapes,
        [],
        dots,
        undrawn,
        above=[US, state.ocd_id],
        size=(round(width), round(height)),
        view_box=f"{left - margin:.1f} {top - margin:.1f} {width:.1f} {height:.1f}",
        dot_radius=round(max(width, height) / 110, 2),
        pattern_size=round(max(width, height) / 160, 2),
    )


def world_picture(*, substance: str, on: datetime.date) -> Picture:
    """The world by country; a country whose regions or cities answer differently "varies"."""
    shading = shade(Q(level=Level.COUNTRY) | with_own_entries(), on=on, substance=substance)
    countries = boundaries.world().countries
    shapes, undrawn = [], []
    for shade_ in shading.shades.values():
        if shade_.jurisdiction.level != Level.COUNTRY:
            continue
        shape_id = boundaries.country_shape_id(shade_.iso_code)
        if shape_id:
            shapes.append(_mark(shade_, path=countries[shape_id].path))
        else:
            undrawn.append(_mark(shade_))
    size = (boundaries.world().width, boundaries.world().height)
    return _picture("world", "The world", shading, shapes, [], [], undrawn, size=size)


def _picture(
    kind: str,
    title: str,
    shading: Shading,
    shapes: list[Mark],
    overlays: list[Mark],
    dots: list[Mark],
    undrawn: list[Mark],
    *,
    size: tuple[int, int],
    above: Iterable[str] = (),
    view_box: str = "",
    dot_radius: float = 4,
    pattern_size: float = 6,
) -> Picture:
    return Picture(
        kind=kind,
        title=title,
        substance=shading.substance.slug,
        substance_name=shading.substance.name,
        as_of=shading.as_of,
        width=size[0],
        height=size[1],
        shapes=_by_name(shapes),
        overlays=_by_name(overlays),
        dots=_by_name(dots),
        undrawn=_by_name(undrawn),
        legend=_legend([*shapes, *overlays, *dots, *undrawn]),
        above=tuple(_mark(found) for ocd_id in above if (found := shading.find(ocd_id))),
        view_box=view_box,
        dot_radius=dot_radius,
        pattern_size=pattern_size,
    )

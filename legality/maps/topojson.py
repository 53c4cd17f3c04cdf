"""SVG paths from a pre-projected TopoJSON topology (us-atlas's Albers files), with no projection.

A TopoJSON topology stores each shared border once, as an arc; a polygon is a list of rings and
a ring a list of arc indices (a negative index ~i is arc i reversed). A quantized topology's arcs
are delta-encoded integers that its `transform` scales back. See the TopoJSON specification.
"""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Point = tuple[float, float]


@dataclass(frozen=True)
class Feature:
    """One geometry of a topology object: its id (a FIPS code in us-atlas), name and SVG path."""

    id: str
    name: str
    path: str
    bounds: tuple[float, float, float, float] = (0, 0, 0, 0)  # left, top, right, bottom


def decode_arcs(topology: Mapping[str, Any]) -> list[list[Point]]:
    """The topology's arcs as absolute coordinates (undoing quantization and delta encoding)."""
    transform = topology.get("transform")
    if transform is None:
        return [[(float(x), float(y)) for x, y, *_ in arc] for arc in topology["arcs"]]
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(ring: Sequence[int], arcs: Sequence[Sequence[Point]]) -> list[Point]:
    """A ring's points in order: its arcs joined, each reversed arc (~i) read backwards.

    Consecutive arcs share their joining point, so it is kept once.
    """
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def bounds(polygons: Sequence[Sequence[Sequence[int]]], arcs: Sequence[Sequence[Point]]):
    """(left, top, right, bottom) of polygons' outer rings."""
    points = [p for polygon in polygons for p in ring_points(polygon[0], arcs)]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return (min(xs), min(ys), max(xs), max(ys))


def svg_path(polygons: Sequence[Sequence[Sequence[int]]], arcs: Sequence[Sequence[Point]]) -> str:
    """The SVG path data of polygons (lists of rings of arc indices), to 0.1 unit.

    Each ring is an absolute move and then relative lines between the rounded points (about
    half the bytes of absolute ones; rounding first keeps the sums exact), repeated points
    dropped. Holes need no special handling: the rings of a TopoJSON polygon wind in opposite
    directions, so SVG's default non-zero fill rule leaves them empty.
    """
    parts = []
    for polygon in polygons:
        for ring in polygon:
            # Tenths as integers, so the relative steps add up to the exact rounded points.
            tenths = [(round(x * 10), round(y * 10)) for x, y in ring_points(ring, arcs)]
            steps = [(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in itertools.pairwise(tenths)]
            steps = [step for step in steps if step != (0, 0)]
            if len(steps) < 2:
                continue
            # A ring ends where it starts; Z closes it, so the last step is left to Z.
            x, y = tenths[0]
            lines = _numbers([_tenths(value) for step in steps[:-1] for value in step])
            parts.append(f"M{_numbers([_tenths(x), _tenths(y)])}l{lines}Z")
    return "".join(parts)


def _tenths(value: int) -> str:
    """12.3 from 123, -.5 from -5, 4 from 40: the shortest SVG number for a count of tenths."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _numbers(numbers: Sequence[str]) -> str:
    """Numbers joined as SVG reads them: a comma between two, none before a minus sign."""
    return "".join(n if i == 0 or n.startswith("-") else f",{n}" for i, n in enumerate(numbers))


def features(topology: Mapping[str, Any], object_name: str) -> dict[str, Feature]:
    """Every polygon geometry of `topology.objects[object_name]` as a Feature, by id.

    Geometries without an id or without area (null geometries) are left out.
    """
    arcs = decode_arcs(topology)
    found: dict[str, Feature] = {}
    for geometry in topology["objects"][object_name]["geometries"]:
        if "id" not in geometry:
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        name = geometry.get("properties", {}).get("name", "")
        found[str(geometry["id"])] = Feature(
            str(geometry["id"]), name, svg_path(polygons, arcs), bounds(polygons, arcs)
        )
    return found

"""The rows the gazetteer reads, before any of them touches the database.

Every row names jurisdictions by OCD id, never by primary key, so reading needs no database and
the writer (`legality.gazetteer.store`) turns ids into keys in one query per level.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from legality.geography import normalize_name
from legality.models import Jurisdiction

Level = Jurisdiction.Level


class GazetteerDataError(Exception):
    """A data file says something the loader cannot use; names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line  # None when the problem is the file as a whole, or several rows
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class JurisdictionRow:
    """One Jurisdiction as the data describes it; `parent_ocd_id` is None for countries only."""

    ocd_id: str
    name: str
    level: str
    division_type: str
    country_code: str
    parent_ocd_id: str | None
    official_name: str = ""
    iso_code: str = ""
    census_geoid: str = ""
    is_incorporated: bool | None = None
    is_official_ocd_id: bool = True
    place_kind: str = ""
    population: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    search_name: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "search_name", normalize_name(self.name))


@dataclass(frozen=True, slots=True)
class PlaceCountyRow:
    """A county a place lies in: `position` 0 holds most of its people."""

    place_ocd_id: str
    county_ocd_id: str
    position: int = 0
    has_residents: bool = True


@dataclass(frozen=True, slots=True)
class AlternateNameRow:
    """Another name or code that finds `ocd_id`: 'PR' and 'PRI' for Puerto Rico. With a
    `population`, the name of a city abroad that lies in `ocd_id` ('Munich' in Bavaria);
    `needs_qualifier`: one that finds it only with its country or division named (see
    JurisdictionName)."""

    ocd_id: str
    name: str
    population: int | None = None
    needs_qualifier: bool = False
    search_name: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "search_name", normalize_name(self.name))


@dataclass(frozen=True, slots=True)
class AliasRow:
    """A non-canonical OCD id and the canonical division it stands for."""

    alias_ocd_id: str
    ocd_id: str
    note: str


@dataclass(frozen=True, slots=True)
class ZipRow:
    """A ZIP code with its state, its county-level division and its (approximate) place."""

    code: str
    postal_city: str
    state_ocd_id: str
    county_ocd_id: str | None
    place_ocd_id: str | None


@dataclass(frozen=True, slots=True)
class ZipCountyRow:
    """A county a ZIP code's area lies in, with its share of the area's land."""

    code: str
    county_ocd_id: str
    land_share: Decimal
    is_primary: bool = False
    position: int = 0


@dataclass(frozen=True)
class MatchReport:
    """How well the sources matched each other (`load_jurisdictions -v 2` prints it).

    Each mapping counts rows by outcome, e.g. zip_counties["county by name"] = 41,139.
    """

    subdivisions: dict[str, int] = field(default_factory=dict)
    zip_counties: dict[str, int] = field(default_factory=dict)
    zip_places: dict[str, int] = field(default_factory=dict)
    zips_skipped: dict[str, int] = field(default_factory=dict)
    world_cities: dict[str, int] = field(default_factory=dict)  # whose page a city's name opens


@dataclass(frozen=True)
class Gazetteer:
    """Everything one run loads."""

    jurisdictions: tuple[JurisdictionRow, ...]
    alternate_names: tuple[AlternateNameRow, ...]
    aliases: tuple[AliasRow, ...]
    zip_codes: tuple[ZipRow, ...]
    place_counties: tuple[PlaceCountyRow, ...]
    zip_counties: tuple[ZipCountyRow, ...]
    report: MatchReport


def read_csv(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a UTF-8 CSV whose header has `columns`.

    Each row holds only `columns`, stripped. Blank lines are skipped; a row with more fields
    than the header, or too few to reach one of `columns`, is an error.
    """
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise GazetteerDataError(path, None, f"cannot read it ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, [])
            missing = [c for c in columns if c not in header]
            if missing:
                raise GazetteerDataError(
                    path, 1, f"the header lacks the column(s) {', '.join(missing)}"
                )
            index = {name: i for i, name in enumerate(header)}  # the last of a repeated name
            wanted = [(c, index[c]) for c in columns]
            needed = max((i for _, i in wanted), default=-1) + 1
            for fields in reader:
                if not fields:
                    continue
                if not needed <= len(fields) <= len(header):
                    raise GazetteerDataError(path, reader.line_num, "wrong number of fields")
                yield reader.line_num, {c: fields[i].strip() for c, i in wanted}
        except (UnicodeDecodeError, csv.Error) as error:
            raise GazetteerDataError(path, reader.line_num + 1, str(error)) from None

"""The United States from the Open Civic Data extract in legality/data/ocd/ (see its README).

States, DC and the territories come from us_country_states.csv, county-level divisions from
us_counties.csv, places from us_places.csv and non-canonical ids from us_aliases.csv. Rows are
checked as they are read; a bad row raises GazetteerDataError with its file and line.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import us

from .rows import AliasRow, AlternateNameRow, GazetteerDataError, JurisdictionRow, Level, read_csv

US = "ocd-division/country:us"
STATES_FILE = "us_country_states.csv"
COUNTIES_FILE = "us_counties.csv"
PLACES_FILE = "us_places.csv"
ALIASES_FILE = "us_aliases.csv"

_OCD_ID = re.compile(r"^ocd-division/country:[a-z]{2}(?:/[a-z_]+:[^/:\s]+)*$")
_STATE_TYPES = ("state", "district", "territory")
# County-level types by the type of the first-level division above them.
_COUNTY_TYPES = {
    "state": ("county", "parish", "borough", "census_area"),
    "territory": ("municipio", "county", "municipality"),
}
_PLACE_TYPE_PATHS = ("state/place", "state/county/place", "territory/place")
_GEOID = re.compile(r"^place-(\d{5}|\d{7}|\d{10})$")

# Census descriptors after a place's name ("San Diego city"). Census writes them in lower case,
# so "Jefferson City city" loses only its last word. Longest first.
_CENSUS_DESCRIPTORS = (
    "unincorporated fishing community",
    "unified government",
    "metro township",
    "charter township",
    "municipality",
    "corporation",
    "plantation",
    "township",
    "borough",
    "village",
    "city",
    "town",
)
_LEADING = ("City of ", "Town of ", "Village of ")
# Local-government lists capitalise them ("Benson Town"); those go only when the id agrees
# ("place:benson"), so "Indian Township" (place:indian_township) and "Carson City" stay whole.
_TITLE_DESCRIPTORS = ("Township", "Village", "City", "Town")


@dataclass(frozen=True)
class UsDivisions:
    """The US rows of the extract. `nested_counties` pairs a township with the county in its id."""

    listed_countries: dict[str, str]  # {"ocd-division/country:us": "United States"}
    states: tuple[JurisdictionRow, ...]
    counties: tuple[JurisdictionRow, ...]
    places: tuple[JurisdictionRow, ...]
    nested_counties: tuple[tuple[str, str], ...]


def place_name(official_name: str, *, ocd_id: str, postal_code: str) -> str:
    """The name people write for a place: 'San Diego' for 'San Diego city'.

    Drops one trailing Census descriptor, a trailing state postal code ('Cambridge Township
    NH'), and a capitalised descriptor when the id has no such word. A row without a name (the
    OCD whitelist rows carry only a note) gets its name from the id: place:st_anthony -> 'St
    Anthony'.
    """
    slug = ocd_id.rsplit(":", 1)[1]
    if not official_name:
        return " ".join(word[:1].upper() + word[1:] for word in slug.replace("~", "'").split("_"))
    name = official_name.removesuffix(f" {postal_code.upper()}")
    for leading in _LEADING:  # "City of Creede town" is Creede
        if name.startswith(leading) and " " in name.removeprefix(leading):
            name = name.removeprefix(leading)
            break
    for descriptor in _CENSUS_DESCRIPTORS:
        if name.endswith(f" {descriptor}"):
            return name.removesuffix(f" {descriptor}")
    for descriptor in _TITLE_DESCRIPTORS:
        shorter = name.removesuffix(f" {descriptor}")
        if shorter != name and _slug(shorter) == slug:
            return shorter
    return name


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace("'", "~")


def type_path(ocd_id: str) -> str:
    """'state/county/place' for ocd-division/country:us/state:pa/county:adams/place:liberty."""
    return "/".join(segment.split(":", 1)[0] for segment in ocd_id.split("/")[2:])


def check_ocd_id(ocd_id: str, path: Path, line: int) -> None:
    if not _OCD_ID.match(ocd_id):
        raise GazetteerDataError(path, line, f"“{ocd_id}” is not an OCD division id")


def read_us(ocd_dir: Path) -> UsDivisions:
    """Read and check the four US files of the extract in `ocd_dir`."""
    listed, states = _read_states(ocd_dir / STATES_FILE)
    by_id = {row.ocd_id: row for row in states}
    counties = _read_counties(ocd_dir / COUNTIES_FILE, by_id)
    places, nested = _read_places(ocd_dir / PLACES_FILE, by_id, {c.ocd_id for c in counties})
    return UsDivisions(listed, states, counties, places, nested)


def _read_states(path: Path) -> tuple[dict[str, str], tuple[JurisdictionRow, ...]]:
    listed: dict[str, str] = {}
    rows: list[JurisdictionRow] = []
    for line, row in read_csv(path, ("id", "name")):
        ocd_id, name = row["id"], row["name"]
        check_ocd_id(ocd_id, path, line)
        if ocd_id == US:
            listed[ocd_id] = name
            continue
        division_type = type_path(ocd_id)
        if not ocd_id.startswith(f"{US}/") or division_type not in _STATE_TYPES or not name:
            raise GazetteerDataError(path, line, "expected a named US state, district or territory")
        postal_code = ocd_id.rsplit(":", 1)[1].upper()
        state = us.states.lookup(postal_code, field="abbr")
        if state is None:
            raise GazetteerDataError(
                path, line, f"the `us` package has no FIPS code for {postal_code}"
            )
        rows.append(
            JurisdictionRow(
                ocd_id=ocd_id,
                name=name,
                official_name=name,
                level=Level.STATE,
                division_type=division_type,
                country_code="US",
                parent_ocd_id=US,
                iso_code=f"US-{postal_code}",
                census_geoid=state.fips,
            )
        )
    return listed, tuple(rows)


def _geoid(value: str, lengths: tuple[int, ...], path: Path, line: int) -> str:
    """The digits of 'place-06073'; '' when the column is empty."""
    if not value:
        return ""
    match = _GEOID.match(value)
    if not match or len(match[1]) not in lengths:
        expected = " or ".join(f"{n} digits" for n in lengths)
        raise GazetteerDataError(path, line, f"census_geoid “{value}” is not place-<{expected}>")
    return match[1]


def _read_counties(path: Path, states: dict[str, JurisdictionRow]) -> tuple[JurisdictionRow, ...]:
    rows: list[JurisdictionRow] = []
    for line, row in read_csv(path, ("id", "name", "census_geoid")):
        ocd_id, name = row["id"], row["name"]
        check_ocd_id(ocd_id, path, line)
        parent_id, _, last = ocd_id.rpartition("/")
        parent = states.get(parent_id)
        division_type = last.split(":", 1)[0]
        if parent is None or division_type not in _COUNTY_TYPES.get(parent.division_type, ()):
            raise GazetteerDataError(path, line, f"{ocd_id} is not a county-level division")
        if not name:
            raise GazetteerDataError(path, line, "the name is empty")
        rows.append(
            JurisdictionRow(
                ocd_id=ocd_id,
                name=name,
                official_name=name,
                level=Level.COUNTY,
                division_type=division_type,
                country_code="US",
                parent_ocd_id=parent_id,
                census_geoid=_geoid(row["census_geoid"], (5,), path, line),
            )
        )
    return tuple(rows)


def _read_places(
    path: Path, states: dict[str, JurisdictionRow], county_ids: set[str]
) -> tuple[tuple[JurisdictionRow, ...], tuple[tuple[str, str], ...]]:
    rows: list[JurisdictionRow] = []
    nested: list[tuple[str, str]] = []
    for line, row in read_csv(path, ("id", "name", "census_geoid", "note")):
        ocd_id = row["id"]
        check_ocd_id(ocd_id, path, line)
        # A place's parent is its state even when its id runs through a county (townships).
        state_id, kind = "/".join(ocd_id.split("/")[:3]), type_path(ocd_id)
        if kind not in _PLACE_TYPE_PATHS or state_id not in states:
            raise GazetteerDataError(path, line, f"{ocd_id} is not a US place")
        if kind == "state/county/place":
            county_id = ocd_id.rpartition("/")[0]
            if county_id not in county_ids:
                raise GazetteerDataError(path, line, f"{county_id} is not in {COUNTIES_FILE}")
            nested.append((ocd_id, county_id))
        if not row["name"] and not row["note"]:
            raise GazetteerDataError(path, line, "a place needs a name or a note")
        geoid = _geoid(row["census_geoid"], (7, 10), path, line)
        postal_code = states[state_id].iso_code.removeprefix("US-")
        rows.append(
            JurisdictionRow(
                ocd_id=ocd_id,
                name=place_name(row["name"], ocd_id=ocd_id, postal_code=postal_code),
                official_name=row["name"],
                level=Level.PLACE,
                division_type="place",
                country_code="US",
                parent_ocd_id=state_id,
                census_geoid=geoid,
                # A 7-digit Census place code is an incorporated place; a 10-digit county
                # subdivision code (a township) or no code says nothing either way.
                is_incorporated=True if len(geoid) == 7 else None,
            )
        )
    return tuple(rows), tuple(nested)


# Names people search for that no OCD row carries as its name.
_EXTRA_US_NAMES = {
    "ocd-division/country:us/district:dc": ("Washington, DC", "Washington, D.C.", "Washington DC"),
}


def city_names_of_counties(path: Path) -> tuple[AlternateNameRow, ...]:
    """The city names of consolidated city-counties, as alternate names of their county.

    OCD files San Francisco, Denver or Anchorage under their county id only, with the city's id
    as an alias; without its city name, "San Francisco" would find only a township of that name
    in Minnesota, a confident wrong answer. With it, the search lists both.
    """
    names = [
        AlternateNameRow(ocd_id, name)
        for ocd_id, extra in _EXTRA_US_NAMES.items()
        for name in extra
    ]
    for _, row in read_csv(path, ("id", "sameAs")):
        alias, target = row["id"], row["sameAs"]
        if type_path(alias).endswith("/place") and not type_path(target).endswith("/place"):
            # From the id: the census names them 'Juneau city and borough' and the like.
            names.append(AlternateNameRow(target, place_name("", ocd_id=alias, postal_code="")))
    return tuple(names)


def read_us_aliases(path: Path, known_ids: set[str]) -> tuple[AliasRow, ...]:
    """The OCD alias rows: each non-canonical id and the canonical division it stands for."""
    rows: list[AliasRow] = []
    for line, row in read_csv(path, ("id", "sameAs", "sameAsNote")):
        alias, target = row["id"], row["sameAs"]
        check_ocd_id(alias, path, line)
        if alias in known_ids:
            raise GazetteerDataError(path, line, f"{alias} is a canonical id, not an alias")
        if target not in known_ids:
            raise GazetteerDataError(path, line, f"sameAs {target or '(empty)'} is not a division")
        rows.append(AliasRow(alias, target, row["sameAsNote"][:255]))
    return tuple(rows)

"""Countries (ISO 3166-1) and their first-level subdivisions (ISO 3166-2), named by OCD id.

pycountry lists what exists; the OCD extract (world_countries.csv, world_first_level.csv) says
which ids are official. A subdivision takes the OCD id whose division has its name, else the one
whose code is its ISO code; without either, we build an id of the same shape from its ISO type
and code and mark it unofficial.
"""

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import countryinfo
import pycountry

from legality.geography import normalize_name

from .ocd import US, check_ocd_id
from .rows import AliasRow, AlternateNameRow, GazetteerDataError, JurisdictionRow, Level, read_csv

COUNTRIES_FILE = "world_countries.csv"
FIRST_LEVEL_FILE = "world_first_level.csv"

# ISO 3166-1 lists these as countries; OCD files them under the United States, and so do we:
# each exists once, as a territory under country:us, and its ISO codes find it (alternate names,
# and an alias for the country-style id). The US Minor Outlying Islands have no OCD division,
# so their id is built like the others.
US_TERRITORIES: Final = {
    "AS": "ocd-division/country:us/territory:as",
    "GU": "ocd-division/country:us/territory:gu",
    "MP": "ocd-division/country:us/territory:mp",
    "PR": "ocd-division/country:us/territory:pr",
    "VI": "ocd-division/country:us/territory:vi",
    "UM": "ocd-division/country:us/territory:um",
}
_UM_FIPS = "74"  # FIPS 5-2 code of the US Minor Outlying Islands (not in the `us` package)
# OCD ids of countries that ISO 3166-1 spells differently.
_COUNTRY_ALIASES: Final = {"ocd-division/country:uk": "ocd-division/country:gb"}
_FIRST_LEVEL_ID = re.compile(r"^ocd-division/country:([a-z]{2})/([a-z_]+):([^/:\s]+)$")
_BRACKETS = re.compile(r"\s*\[[^\]]*\]")


@dataclass(frozen=True, slots=True)
class OcdDivision:
    """A first-level division of world_first_level.csv: ar/province:b is 'province', 'b'."""

    ocd_id: str
    division_type: str
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class IsoSubdivision:
    code: str  # 'AR-B'
    name: str
    type: str  # 'Province'

    @property
    def suffix(self) -> str:
        return self.code.split("-", 1)[1].lower()


@functools.cache
def name_key(name: str) -> str:
    """Names compared loosely: 'Provence-Alpes-Côte-d’Azur' == "Provence-Alpes-Côte d'Azur"."""
    return "".join(ch for ch in normalize_name(name) if ch.isalnum())


def read_country_names(path: Path) -> dict[str, str]:
    """OCD id -> name for every country of world_countries.csv."""
    names: dict[str, str] = {}
    for line, row in read_csv(path, ("id", "name")):
        check_ocd_id(row["id"], path, line)
        if row["id"].count("/") != 1 or not row["name"]:
            raise GazetteerDataError(path, line, "expected a named ocd-division/country:xx")
        names[row["id"]] = row["name"]
    return names


def read_first_level(path: Path) -> dict[str, list[OcdDivision]]:
    """Upper-case ISO alpha-2 -> that country's OCD first-level divisions."""
    divisions: dict[str, list[OcdDivision]] = defaultdict(list)
    for line, row in read_csv(path, ("id", "name")):
        match = _FIRST_LEVEL_ID.match(row["id"])
        if not match or not row["name"]:
            raise GazetteerDataError(
                path, line, "expected a named ocd-division/country:xx/type:code"
            )
        country, division_type, code = match.groups()
        divisions[country.upper()].append(OcdDivision(row["id"], division_type, code, row["name"]))
    return divisions


def match_subdivisions(
    subdivisions: Sequence[IsoSubdivision],
    divisions: Sequence[OcdDivision],
    iso_names: Mapping[str, str],
) -> dict[str, tuple[OcdDivision, str]]:
    """ISO code -> (OCD division, 'name' or 'code') for the subdivisions OCD has.

    A name match wins, unless the division's code and name are those of another ISO
    subdivision (OCD's id/province:ma 'Maluku' is the province ID-MA, not the region ID-ML of
    the same name); among several name matches the one with the ISO code wins (Peru's two
    'Lima'). Then the remaining subdivisions take the remaining division whose code is their
    ISO code: OCD kept Nord-Pas-de-Calais's code fr/region:nc for Hauts-de-France, so New
    Caledonia (FR-NC) must be matched by name first. `iso_names` maps the lower-case suffix of
    every ISO 3166-2 code of the country, at any level, to its `name_key`.
    """
    by_name: dict[str, list[OcdDivision]] = defaultdict(list)
    for division in divisions:
        by_name[name_key(division.name)].append(division)
    matches: dict[str, tuple[OcdDivision, str]] = {}
    taken: set[str] = set()
    for sub in subdivisions:
        found = [
            d
            for d in by_name[name_key(sub.name)]
            if d.code == sub.suffix or iso_names.get(d.code) != name_key(sub.name)
        ]
        if len(found) > 1:
            found = [d for d in found if d.code == sub.suffix]
        if len(found) == 1 and found[0].ocd_id not in taken:
            matches[sub.code] = (found[0], "name")
            taken.add(found[0].ocd_id)
    by_code = {d.code: d for d in divisions if d.ocd_id not in taken}
    for sub in subdivisions:
        division = by_code.get(sub.suffix)
        if sub.code not in matches and division and division.ocd_id not in taken:
            matches[sub.code] = (division, "code")
            taken.add(division.ocd_id)
    return matches


def type_slug(iso_type: str) -> str:
    """'metropolitan_region' for the ISO type 'Metropolitan region': an OCD-safe type."""
    return re.sub(r"[^a-z0-9]+", "_", normalize_name(iso_type)).strip("_")


def built_ocd_id(sub: IsoSubdivision) -> str:
    """ocd-division/country:fr/metropolitan_region:ara for FR-ARA, a 'Metropolitan region'."""
    return f"ocd-division/country:{sub.code[:2].lower()}/{type_slug(sub.type)}:{sub.suffix}"


# A short name two countries share, which no list here gives: "Korea" is both Koreas (a reader
# typing it is asked which).
_SHARED_SHORT_NAMES: Final = {"Korea": ("KP", "KR")}


def country_common_names() -> dict[str, tuple[str, ...]]:
    """Alpha-2 -> the names people use for a country beyond ISO's: 'Russia', 'UK', 'Great
    Britain', 'Holland', 'UAE', 'Ivory Coast', 'Czech Republic', 'Burma' (the countryinfo
    package's names and alternative spellings, its codes left out)."""
    names: dict[str, list[str]] = defaultdict(list)
    for country in countryinfo.all_countries():
        iso = country.iso()
        if not isinstance(iso, dict) or not iso.get("alpha2"):
            continue
        codes = {iso.get("alpha2"), iso.get("alpha3")}
        spellings = [country.name(), *(country.alt_spellings() or [])]
        names[iso["alpha2"]] += [name for name in spellings if name and name not in codes]
    for name, codes in _SHARED_SHORT_NAMES.items():
        for code in codes:
            names[code].append(name)
    return {code: tuple(found) for code, found in names.items()}


def country_rows(ocd_names: dict[str, str]) -> tuple[list[JurisdictionRow], list[AlternateNameRow]]:
    """Every ISO 3166-1 country but the US territories, with its other names and codes."""
    common_names = country_common_names()
    rows: list[JurisdictionRow] = []
    names: list[AlternateNameRow] = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        if country.alpha_2 in US_TERRITORIES:
            continue
        ocd_id = f"ocd-division/country:{country.alpha_2.lower()}"
        official = getattr(country, "official_name", None) or country.name
        rows.append(
            JurisdictionRow(
                ocd_id=ocd_id,
                name=getattr(country, "common_name", None) or country.name,
                official_name=official,
                level=Level.COUNTRY,
                division_type="country",
                country_code=country.alpha_2,
                parent_ocd_id=None,
                iso_code=country.alpha_2,
                is_official_ocd_id=ocd_id in ocd_names,
            )
        )
        others = (country.name, official, country.alpha_3, ocd_names.get(ocd_id, ""))
        others += common_names.get(country.alpha_2, ())
        names += [AlternateNameRow(ocd_id, other) for other in others if other]
    return rows, names


def territory_names_and_aliases() -> tuple[list[AlternateNameRow], list[AliasRow]]:
    """What finds a US territory by its ISO 3166-1 identity: 'PR', 'PRI', country:pr."""
    names: list[AlternateNameRow] = []
    aliases: list[AliasRow] = []
    for code, ocd_id in US_TERRITORIES.items():
        country = pycountry.countries.get(alpha_2=code)
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            if value := getattr(country, attribute, None):
                names.append(AlternateNameRow(ocd_id, value))
        note = f"ISO 3166-1 lists {country.name} as a country; OCD files it under the US."
        aliases.append(AliasRow(f"ocd-division/country:{code.lower()}", ocd_id, note))
    for alias, ocd_id in _COUNTRY_ALIASES.items():
        aliases.append(AliasRow(alias, ocd_id, "OCD lists both ids; ISO 3166-1 has GB."))
    return names, aliases


def minor_outlying_islands() -> JurisdictionRow:
    """The one US territory OCD lacks; ISO 3166-2 codes it US-UM."""
    return JurisdictionRow(
        ocd_id=US_TERRITORIES["UM"],
        name=pycountry.countries.get(alpha_2="UM").name,
        level=Level.STATE,
        division_type="territory",
        country_code="US",
        parent_ocd_id=US,
        iso_code="US-UM",
        census_geoid=_UM_FIPS,
        is_official_ocd_id=False,
    )


def iso_subdivisions() -> dict[str, tuple[list[IsoSubdivision], dict[str, str]]]:
    """Alpha-2 -> (first-level subdivisions, {ISO code suffix: name_key} at every level)."""
    countries: dict[str, tuple[list[IsoSubdivision], dict[str, str]]] = {}
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if sub.country_code == "US" or sub.country_code in US_TERRITORIES:
            continue
        first_level, names = countries.setdefault(sub.country_code, ([], {}))
        names[sub.code.split("-", 1)[1].lower()] = name_key(sub.name)
        if sub.parent_code is None:
            first_level.append(IsoSubdivision(sub.code, sub.name, sub.type))
    return countries


def subdivision_rows(
    first_level: dict[str, list[OcdDivision]],
) -> tuple[list[JurisdictionRow], list[AlternateNameRow], Counter[str]]:
    """Every first-level ISO 3166-2 subdivision outside the US, with how its id was found."""
    rows: list[JurisdictionRow] = []
    names: list[AlternateNameRow] = []
    outcomes: Counter[str] = Counter()
    for country, (subs, iso_names) in sorted(iso_subdivisions().items()):
        divisions = first_level.get(country, [])
        matches = match_subdivisions(subs, divisions, iso_names)
        for sub in subs:
            division, how = matches.get(sub.code, (None, ""))
            if division:
                outcomes[f"official OCD id, matched by {how}"] += 1
                names.append(AlternateNameRow(division.ocd_id, division.name))
            elif divisions:
                outcomes["built id (OCD lists other divisions of the country)"] += 1
            else:
                outcomes["built id (OCD lists no divisions of the country)"] += 1
            rows.append(_subdivision_row(sub, division))
        used = {division.ocd_id for division, _ in matches.values()}
        outcomes["OCD divisions left unmatched"] += len({d.ocd_id for d in divisions} - used)
    return rows, names, outcomes


def _subdivision_row(sub: IsoSubdivision, division: OcdDivision | None) -> JurisdictionRow:
    return JurisdictionRow(
        ocd_id=division.ocd_id if division else built_ocd_id(sub),
        # 'Wales [Cymru GB-CYM]' -> 'Wales': the bracket lists other names, not part of this one.
        name=_BRACKETS.sub("", sub.name).strip(),
        official_name=sub.name,
        level=Level.STATE,
        division_type=division.division_type if division else type_slug(sub.type),
        country_code=sub.code[:2],
        parent_ocd_id=f"ocd-division/country:{sub.code[:2].lower()}",
        iso_code=sub.code,
        is_official_ocd_id=division is not None,
    )


def unique_names(
    names: Iterable[AlternateNameRow], own: dict[str, str]
) -> tuple[AlternateNameRow, ...]:
    """One row per (id, search name), leaving out each jurisdiction's own name (`own`) and a name
    that a division inside it has as its own: 'Wales' is a name of the United Kingdom in the
    country lists, and the name of its part Wales, which a reader means."""
    owners: dict[str, list[str]] = {}
    for ocd_id, search_name in own.items():
        owners.setdefault(search_name, []).append(ocd_id)
    seen: set[tuple[str, str]] = set()
    kept: list[AlternateNameRow] = []
    for row in names:
        key = (row.ocd_id, row.search_name)
        inside = f"{row.ocd_id}/"
        if (
            row.search_name
            and row.search_name != own.get(row.ocd_id)
            and key not in seen
            and not any(owner.startswith(inside) for owner in owners.get(row.search_name, ()))
        ):
            seen.add(key)
            kept.append(row)
    return tuple(kept)

"""The geography seed's rules, without the database: names, matching, the ZIP exception table."""

import shutil
from pathlib import Path

import pycountry
import pytest

from legality.gazetteer import (
    DEFAULT_CENSUS_DIR,
    DEFAULT_OCD_DIR,
    GazetteerDataError,
    read_gazetteer,
)
from legality.gazetteer.cdp import read_census_places
from legality.gazetteer.census import is_incorporated, read_place_facts
from legality.gazetteer.ocd import UsDivisions, place_name, read_us
from legality.gazetteer.world import (
    US_TERRITORIES,
    IsoSubdivision,
    OcdDivision,
    built_ocd_id,
    country_rows,
    match_subdivisions,
    name_key,
    territory_names_and_aliases,
)
from legality.gazetteer.zips import (
    FIPS_VINTAGE,
    NO_COUNTY_LEVEL,
    UsLookups,
    build_lookups,
    place_key,
    resolve_county,
    resolve_place,
    resolve_zip_codes,
)

US = "ocd-division/country:us"


@pytest.fixture(scope="module")
def us_divisions() -> UsDivisions:
    return read_us(DEFAULT_OCD_DIR)


@pytest.fixture(scope="module")
def lookups(us_divisions: UsDivisions) -> UsLookups:
    return build_lookups(us_divisions)


# Place names


@pytest.mark.parametrize(
    ("official_name", "ocd_id", "expected"),
    [
        ("San Diego city", f"{US}/state:ca/place:san_diego", "San Diego"),
        # Only the Census descriptor goes, not a "City" that is part of the name.
        ("Jefferson City city", f"{US}/state:mo/place:jefferson_city", "Jefferson City"),
        ("Carson City", f"{US}/state:nv/place:carson_city", "Carson City"),
        (
            "Hastings charter township",
            f"{US}/state:mi/county:barry/place:hastings_charter",
            "Hastings",
        ),
        ("Beverly township", f"{US}/state:il/county:adams/place:beverly", "Beverly"),
        # Local-government names: a capitalised descriptor goes only when the id lacks it.
        ("Benson Town", f"{US}/state:nc/county:johnston/place:benson", "Benson"),
        ("Indian Township", f"{US}/state:me/place:indian_township", "Indian Township"),
        ("Hale's Location Township NH", f"{US}/state:nh/place:hale~s_location", "Hale's Location"),
        # Whitelist rows have no name, only a note: the name comes from the id.
        ("", f"{US}/state:tn/place:nashville", "Nashville"),
        ("", f"{US}/state:mn/place:st_anthony", "St Anthony"),
    ],
)
def test_place_names_drop_the_census_descriptor_only(official_name, ocd_id, expected):
    postal_code = ocd_id.split("/")[2].split(":")[1]
    assert place_name(official_name, ocd_id=ocd_id, postal_code=postal_code) == expected


def test_every_shipped_place_has_a_name_and_keeps_its_census_name(us_divisions):
    places = us_divisions.places
    assert len(places) == 36_096
    assert all(place.name and place.search_name for place in places)
    san_diego = next(p for p in places if p.ocd_id == f"{US}/state:ca/place:san_diego")
    assert (san_diego.name, san_diego.official_name) == ("San Diego", "San Diego city")
    assert (san_diego.census_geoid, san_diego.is_incorporated) == ("0666000", True)
    township = next(p for p in places if p.ocd_id == f"{US}/state:pa/county:adams/place:liberty")
    assert (township.parent_ocd_id, township.is_incorporated) == (f"{US}/state:pa", None)


# World: countries and first-level subdivisions


def test_us_territories_are_not_countries_but_their_iso_codes_find_them():
    countries, _ = country_rows({})
    codes = {row.iso_code for row in countries}
    assert len(countries) == len(pycountry.countries) - len(US_TERRITORIES) == 243
    assert codes.isdisjoint(US_TERRITORIES) and "US" in codes
    names, aliases = territory_names_and_aliases()
    puerto_rico = {n.search_name for n in names if n.ocd_id == f"{US}/territory:pr"}
    assert {"pr", "pri", "puerto rico"} <= puerto_rico
    assert ("ocd-division/country:pr", f"{US}/territory:pr") in {
        (a.alias_ocd_id, a.ocd_id) for a in aliases
    }


def test_a_name_match_wins_over_a_code_that_means_something_else():
    # OCD kept Nord-Pas-de-Calais's code "nc" for Hauts-de-France; FR-NC is New Caledonia.
    divisions = [
        OcdDivision("ocd-division/country:fr/region:nc", "region", "nc", "Hauts-de-France"),
        OcdDivision(
            "ocd-division/country:fr/sui_generis_collectivity:nc",
            "sui_generis_collectivity",
            "nc",
            "Nouvelle-Calédonie",
        ),
        OcdDivision("ocd-division/country:fr/region:ar", "region", "ar", "Auvergne-Rhône-Alpes"),
    ]
    subs = [
        IsoSubdivision("FR-NC", "Nouvelle-Calédonie", "Overseas collectivity"),
        IsoSubdivision("FR-HDF", "Hauts-de-France", "Metropolitan region"),
        IsoSubdivision("FR-ARA", "Auvergne-Rhône-Alpes", "Metropolitan region"),
        IsoSubdivision("FR-PAC", "Provence-Alpes-Côte-d’Azur", "Metropolitan region"),
    ]
    iso_names = {sub.suffix: name_key(sub.name) for sub in subs}
    matches = match_subdivisions(subs, divisions, iso_names)
    assert {code: (d.ocd_id, how) for code, (d, how) in matches.items()} == {
        "FR-NC": ("ocd-division/country:fr/sui_generis_collectivity:nc", "name"),
        "FR-HDF": ("ocd-division/country:fr/region:nc", "name"),
        "FR-ARA": ("ocd-division/country:fr/region:ar", "name"),
    }
    assert built_ocd_id(subs[3]) == "ocd-division/country:fr/metropolitan_region:pac"


def test_a_name_match_is_refused_when_the_code_is_another_subdivisions():
    # ISO ID-ML is the region Maluku; OCD's province:ma "Maluku" is the province ID-MA below it.
    maluku = OcdDivision("ocd-division/country:id/province:ma", "province", "ma", "Maluku")
    region = IsoSubdivision("ID-ML", "Maluku", "Geographical unit")
    iso_names = {"ml": name_key("Maluku"), "ma": name_key("Maluku")}
    assert match_subdivisions([region], [maluku], iso_names) == {}
    # Where OCD's code is the ISO code, the code decides between two divisions of one name.
    lima = [
        OcdDivision("ocd-division/country:pe/province:lma", "province", "lma", "Lima"),
        OcdDivision("ocd-division/country:pe/region:lim", "region", "lim", "Lima"),
    ]
    subs = [IsoSubdivision("PE-LIM", "Lima", "Region"), IsoSubdivision("PE-LMA", "Lima", "x")]
    matches = match_subdivisions(subs, lima, {"lim": "lima", "lma": "lima"})
    assert matches["PE-LIM"][0].code == "lim" and matches["PE-LMA"][0].code == "lma"


# ZIP codes: the county exception table


@pytest.mark.parametrize(
    ("postal_code", "county_name", "county", "outcome"),
    [
        ("CA", "San Diego County", "state:ca/county:san_diego", "county by name"),
        ("IL", "Dupage County", "state:il/county:dupage", "county by name"),
        ("MN", "St Louis County", "state:mn/county:st_louis", "county by name"),
        ("NM", "Dona Ana County", "state:nm/county:doña_ana", "county by name"),
        ("VA", "James City", "state:va/county:james_city", "county by name"),
        ("VA", "Richmond County", "state:va/county:richmond", "county by name"),
        ("PR", "San Juan", "territory:pr/municipio:san_juan", "county by name"),
        ("AK", "Municipality of Anchorage", "state:ak/borough:anchorage", "county by name"),
        ("AK", "Petersburg Borough", "state:ak/census_area:petersburg", "county by name"),
        ("AK", "Kusilvak Census Area", "state:ak/census_area:wade_hampton", "older FIPS"),
        ("AK", "Chugach Census Area", "state:ak/census_area:valdez-cordova", "older FIPS"),
        ("AK", "Copper River Census Area", "state:ak/census_area:valdez-cordova", "older FIPS"),
        ("SD", "Oglala Lakota County", "state:sd/county:oglala_lakota", "older FIPS"),
    ],
)
def test_zip_county_names_find_the_ocd_county(postal_code, county_name, county, outcome, lookups):
    found = resolve_county(postal_code, county_name, lookups)
    assert found.ocd_id == f"{US}/{county}"
    assert found.independent_city is None
    assert outcome in found.outcome


@pytest.mark.parametrize(
    ("postal_code", "county_name", "city"),
    [
        ("VA", "Richmond city", "state:va/place:richmond"),
        ("VA", "Roanoke City", "state:va/place:roanoke"),
        ("MD", "Baltimore city", "state:md/place:baltimore"),
        ("MO", "St. Louis city", "state:mo/place:st_louis"),
        ("NV", "Carson City", "state:nv/place:carson_city"),
    ],
)
def test_an_independent_city_has_no_county_and_is_its_own_place(
    postal_code, county_name, city, lookups
):
    found = resolve_county(postal_code, county_name, lookups)
    assert (found.ocd_id, found.independent_city) == (None, f"{US}/{city}")


def test_every_independent_city_is_found_and_no_county_is_mistaken_for_one(lookups):
    # 38 in Virginia (Bedford became a town in 2013), Baltimore, St. Louis and Carson City.
    cities = lookups.independent_cities
    assert len(cities) == 41
    assert sum(fips.startswith("51") for fips in cities) == 38
    assert not set(cities) & set(lookups.county_by_fips)
    assert not set(cities) & set(FIPS_VINTAGE)


def test_dc_and_unknown_county_names_get_no_county(lookups):
    dc = resolve_county("DC", "District of Columbia", lookups)
    assert (dc.ocd_id, dc.independent_city) == (None, None)
    assert dc.outcome == NO_COUNTY_LEVEL
    # ZIP 15439 (Gans, PA) names a West Virginia county: no guessing across a state line.
    assert resolve_county("PA", "Monongalia County", lookups).ocd_id is None


# ZIP codes: records to rows


def record(code: str, state: str, county: str, city: str) -> dict[str, str]:
    return {"zip_code": code, "state": state, "county": county, "city": city}


def test_zip_records_without_a_county_borrow_it_or_stay_honestly_empty(lookups):
    records = [
        record("92101", "CA", "San Diego County", "San Diego"),
        record("92199", "CA", "", "San Diego"),  # county from the other San Diego ZIPs
        record("96950", "MP", "", "Saipan"),  # county:saipan, named like the postal city
        record("96910", "GU", "", "Hagatna"),  # Guam has no county level in OCD
        record("09001", "AE", "", "Apo"),  # military: not loaded
        record("96941", "FM", "", "Pohnpei"),  # Micronesia is a country: not loaded
    ]
    rows, report = resolve_zip_codes(records, lookups)
    assert [(r.code, r.county_ocd_id) for r in rows] == [
        ("92101", f"{US}/state:ca/county:san_diego"),
        ("92199", f"{US}/state:ca/county:san_diego"),
        ("96950", f"{US}/territory:mp/county:saipan"),
        ("96910", None),
    ]
    assert rows[0].place_ocd_id == f"{US}/state:ca/place:san_diego"
    assert report["skipped"] == {
        "military post office (APO/FPO)": 1,
        "freely associated state (Micronesia)": 1,
    }
    assert report["county"][NO_COUNTY_LEVEL] == 1


def test_a_zip_place_is_linked_only_when_one_place_fits(lookups):
    il, will = f"{US}/state:il", f"{US}/state:il/county:will"
    # Three Illinois townships are called Wheatland; one of them runs through Will County.
    assert resolve_place(il, will, "Wheatland", lookups) == (
        f"{will}/place:wheatland",
        "only place of that name that can lie in its county",
    )
    assert resolve_place(il, None, "Wheatland", lookups) == (
        None,
        "none: several places of that name",
    )
    # Pennsylvania has eight Liberty townships and two Liberty boroughs, whose county OCD does
    # not say: any of the boroughs may be the one, so no link.
    pa, adams = f"{US}/state:pa", f"{US}/state:pa/county:adams"
    assert resolve_place(pa, adams, "Liberty", lookups)[0] is None
    # "Saint Louis" is how the ZIP data spells St. Louis.
    assert place_key("Saint Louis") == place_key("St. Louis")
    mo = f"{US}/state:mo"
    assert resolve_place(mo, None, "Saint Louis", lookups)[0] == f"{mo}/place:st_louis"
    assert resolve_place(mo, None, "Nowhere In Particular", lookups) == (
        None,
        "none: no place of that name",
    )


# Errors in the data files


@pytest.fixture
def ocd_copy(tmp_path: Path) -> Path:
    for path in DEFAULT_OCD_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "line", "text", "message"),
    [
        (
            "us_counties.csv",
            7,
            f"{US}/state:ak/borough:haines,Haines Borough,place-21",
            "census_geoid",
        ),
        (
            "us_counties.csv",
            9,
            f"{US}/state:zz/county:nowhere,Nowhere County,",
            "not a county-level",
        ),
        ("us_places.csv", 3, f"{US}/state:ak/place:akhiok,,,", "a place needs a name or a note"),
        ("us_aliases.csv", 4, f"{US}/state:ak/place:x,X,,{US}/state:ak/place:y,note", "sameAs"),
        ("world_first_level.csv", 2, "ocd-division/country:ar,Argentina", "expected a named"),
    ],
)
def test_a_bad_row_is_reported_with_its_file_and_line(ocd_copy, file, line, text, message):
    replace_line(ocd_copy / file, line, text)
    with pytest.raises(GazetteerDataError) as raised:
        read_gazetteer(ocd_copy, zip_records=[])
    assert (raised.value.path, raised.value.line) == (ocd_copy / file, line)
    assert str(raised.value).startswith(f"{ocd_copy / file}, line {line}: ")
    assert message in str(raised.value)


@pytest.fixture
def census_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "gazetteer"
    folder.mkdir()
    for path in DEFAULT_CENSUS_DIR.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


ADAK = f"{US}/state:ak/place:adak,0200065,Adak city,incorporated_place,true"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{ADAK},2016,51.88150,-176.62950,171,county=geocorr2022", "not a 5-digit county FIPS"),
        (f"{ADAK},02016,91.0,-176.62950,171,county=geocorr2022", "is not on Earth"),
        (f"{ADAK},02016,51.88150,-176.62950,many,county=geocorr2022", "not a whole number"),
        (f"{US}/state:ak/place:atlantis,,Atlantis,incorporated_place,true,,,,,", "not a place"),
        (f"{US}/state:ak/place:adak,0200065,Adak,metropolis,true,02016,,,,", "unknown kind"),
    ],
)
def test_a_bad_census_row_is_reported_with_its_file_and_line(census_copy, text, message):
    facts = census_copy / "us_place_facts.csv"
    replace_line(facts, 2, text)
    with pytest.raises(GazetteerDataError) as raised:
        read_gazetteer(DEFAULT_OCD_DIR, census_copy, zip_records=[])
    assert (raised.value.path, raised.value.line) == (facts, 2)
    assert message in str(raised.value)


def test_census_facts_order_counties_and_set_apart_parts_without_residents():
    facts = read_place_facts(
        DEFAULT_CENSUS_DIR / "us_place_facts.csv",
        {row.ocd_id for row in read_us(DEFAULT_OCD_DIR).places},
    )
    carbondale = facts[f"{US}/state:il/place:carbondale"]
    assert (carbondale.county_fips, carbondale.uninhabited_county_fips) == (("17077",), ("17199",))
    okc = facts[f"{US}/state:ok/place:oklahoma_city"]
    assert okc.county_fips == ("40109", "40027", "40017", "40125")
    # Matched through a successor code: the place is known by its 2020 code.
    assert facts[f"{US}/state:in/place:indianapolis"].census_code == "1836003"
    assert f"{US}/state:mn/place:st_anthony" not in facts  # ambiguous in the census: no facts


@pytest.mark.parametrize(
    ("kind", "incorporated", "state", "expected"),
    [
        ("incorporated_place", True, "IL", True),
        ("county_subdivision", True, "MN", True),  # coextensive with a city (Rice Lake)
        ("county_subdivision", False, "IL", None),
        ("census_designated_place", False, "LA", False),
        ("census_designated_place", False, "NY", None),  # inside a town that governs
        ("former_incorporated_place", False, "OK", False),
    ],
)
def test_whether_a_place_is_inside_a_municipality(kind, incorporated, state, expected):
    assert is_incorporated(kind, incorporated, state) is expected


def test_census_places_get_ids_of_their_own_and_gluckstadt_keeps_the_project_one(lookups):
    found = read_census_places(
        DEFAULT_CENSUS_DIR / "us_cdp_facts.csv",
        lookups.state_by_postal_code,
        lookups.county_by_fips,
    )
    places = {row.census_geoid: row for row in found.places}
    assert len(places) == 11_575
    metairie = places["2250115"]
    assert (metairie.ocd_id, metairie.name, metairie.place_kind) == (
        f"{US}/state:la/census_place:2250115",
        "Metairie",
        "census_designated_place",
    )
    assert (metairie.is_incorporated, metairie.is_official_ocd_id) == (False, False)
    assert places["3642081"].is_incorporated is None  # Levittown NY lies in a governing town
    tucker = places["1377652"]  # incorporated in 2016: a municipality with its own law
    assert (tucker.name, tucker.place_kind, tucker.is_incorporated) == (
        "Tucker",
        "incorporated_place",
        True,
    )
    assert places["4940470"].name == "Kearns"  # "Kearns metro township"
    gluckstadt = places["2827900"]
    assert (gluckstadt.ocd_id, gluckstadt.is_incorporated) == (
        f"{US}/state:ms/place:gluckstadt",
        True,
    )
    woodlands = [link.county_ocd_id for link in found.counties if "4872656" in link.place_ocd_id]
    assert woodlands == [f"{US}/state:tx/county:montgomery", f"{US}/state:tx/county:harris"]
    # No census place id can be an OCD id: OCD has no census_place type.
    ocd_ids = {row.ocd_id for row in read_us(DEFAULT_OCD_DIR).places}
    assert not ocd_ids & {row.ocd_id for row in found.places}


def test_a_bad_census_place_row_is_reported_with_its_file_and_line(census_copy, lookups):
    path = census_copy / "us_cdp_facts.csv"
    replace_line(path, 3, "01011,Alexandria CDP,AL,census_designated_place,01015,,,4032,")
    with pytest.raises(GazetteerDataError, match=r"line 3: census_id “01011”"):
        read_census_places(path, lookups.state_by_postal_code, lookups.county_by_fips)


def test_city_names_of_consolidated_city_counties_come_from_the_alias_ids():
    from legality.gazetteer.ocd import city_names_of_counties

    names = {
        (row.ocd_id, row.name) for row in city_names_of_counties(DEFAULT_OCD_DIR / "us_aliases.csv")
    }
    assert ("ocd-division/country:us/state:ak/borough:juneau", "Juneau") in names
    assert ("ocd-division/country:us/state:ca/county:san_francisco", "San Francisco") in names
    assert ("ocd-division/country:us/district:dc", "Washington, DC") in names
    # Independent cities are places already: their county-style aliases add no name.
    assert not any(ocd_id.endswith("/place:richmond") for ocd_id, _ in names)

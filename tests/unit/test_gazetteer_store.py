"""Writing a small gazetteer: what it stores, and statements that do not grow with the rows."""

from dataclasses import replace
from decimal import Decimal

import pytest

from legality.gazetteer import Gazetteer, MatchReport, write_gazetteer
from legality.gazetteer.rows import (
    AliasRow,
    AlternateNameRow,
    JurisdictionRow,
    PlaceCountyRow,
    ZipCountyRow,
    ZipRow,
)
from legality.models import (
    Jurisdiction,
    JurisdictionName,
    OcdAlias,
    PlaceCounty,
    ZipCode,
    ZipCodeCounty,
)

US = "ocd-division/country:us"
STATE = f"{US}/state:il"
COUNTIES = (f"{STATE}/county:madison", f"{STATE}/county:jersey")


def small_gazetteer(places: int) -> Gazetteer:
    """The US, Illinois, two counties and `places` places, each with a ZIP code in both counties."""
    jurisdictions = [
        JurisdictionRow(ocd_id=US, name="United States", level="country", division_type="country",
                        country_code="US", parent_ocd_id=None, iso_code="US"),
        JurisdictionRow(ocd_id=STATE, name="Illinois", level="state", division_type="state",
                        country_code="US", parent_ocd_id=US, iso_code="US-IL", census_geoid="17"),
        JurisdictionRow(ocd_id=COUNTIES[0], name="Madison County", level="county",
                        division_type="county", country_code="US", parent_ocd_id=STATE,
                        census_geoid="17119"),
        JurisdictionRow(ocd_id=COUNTIES[1], name="Jersey County", level="county",
                        division_type="county", country_code="US", parent_ocd_id=STATE,
                        census_geoid="17083"),
    ]  # fmt: skip
    place_ids = [f"{STATE}/place:town_{n}" for n in range(places)]
    jurisdictions += [
        JurisdictionRow(ocd_id=ocd_id, name=f"Town {n}", official_name=f"Town {n} city",
                        level="place", division_type="place", country_code="US",
                        parent_ocd_id=STATE, census_geoid=f"17{n:05}", is_incorporated=True,
                        place_kind="incorporated_place", population=1000 + n, latitude=38.9,
                        longitude=-90.2)
        for n, ocd_id in enumerate(place_ids)
    ]  # fmt: skip
    codes = [f"62{n:03}" for n in range(places)]
    return Gazetteer(
        jurisdictions=tuple(jurisdictions),
        alternate_names=tuple(
            AlternateNameRow(ocd_id, f"Old Town {n}") for n, ocd_id in enumerate(place_ids)
        ),
        aliases=tuple(AliasRow(f"{ocd_id}_alias", ocd_id, "renamed") for ocd_id in place_ids),
        zip_codes=tuple(
            ZipRow(code, f"Town {n}", STATE, COUNTIES[0], place_ids[n])
            for n, code in enumerate(codes)
        ),
        place_counties=tuple(
            PlaceCountyRow(ocd_id, county, position)
            for ocd_id in place_ids
            for position, county in enumerate(COUNTIES)
        ),
        zip_counties=tuple(
            ZipCountyRow(code, county, Decimal(share), position == 0, position)
            for code in codes
            for position, (county, share) in enumerate(zip(COUNTIES, ("0.7", "0.3"), strict=True))
        ),
        report=MatchReport(),
    )


def kinds(summary) -> dict[str, tuple[int, int, int, int]]:
    return {k.kind: (k.created, k.updated, k.unchanged, k.deleted) for k in summary.kinds}


@pytest.mark.django_db
def test_a_small_gazetteer_is_written_whole_and_a_second_write_changes_nothing():
    gazetteer = small_gazetteer(3)

    first = kinds(write_gazetteer(gazetteer))
    second = write_gazetteer(gazetteer)

    assert first == {
        "countries": (1, 0, 0, 0),
        "first-level divisions": (1, 0, 0, 0),
        "counties": (2, 0, 0, 0),
        "places": (3, 0, 0, 0),
        "alternate names": (3, 0, 0, 0),
        "OCD aliases": (3, 0, 0, 0),
        "ZIP codes": (3, 0, 0, 0),
        "place counties": (6, 0, 0, 0),
        "ZIP code counties": (6, 0, 0, 0),
    }
    assert not second.has_changes
    assert {kind: c[2] for kind, c in kinds(second).items()} == {k: c[0] for k, c in first.items()}
    town = Jurisdiction.objects.get(ocd_id=f"{STATE}/place:town_2")
    assert (town.name, town.search_name, town.parent.ocd_id, town.population) == (
        "Town 2",
        "town 2",
        STATE,
        1002,
    )
    assert (town.is_incorporated, town.place_kind, town.latitude) == (
        True,
        "incorporated_place",
        38.9,
    )
    links = town.county_links.values_list("county__ocd_id", "position", "has_residents")
    assert list(links) == [(COUNTIES[0], 0, True), (COUNTIES[1], 1, True)]
    assert JurisdictionName.objects.get(jurisdiction=town).search_name == "old town 2"
    assert OcdAlias.objects.get(ocd_id=f"{town.ocd_id}_alias").jurisdiction == town
    zip_code = ZipCode.objects.get(code="62002")
    assert (zip_code.state.ocd_id, zip_code.county.ocd_id, zip_code.place) == (
        STATE,
        COUNTIES[0],
        town,
    )
    assert list(
        ZipCodeCounty.objects.filter(zip_code=zip_code).values_list("county__ocd_id", "land_share")
    ) == [(COUNTIES[0], Decimal("0.7")), (COUNTIES[1], Decimal("0.3"))]
    history = town.history.get()
    assert (history.history_type, history.history_change_reason, history.name) == (
        "+",
        "load_jurisdictions",
        "Town 2",
    )
    assert (history.parent_id, history.history_user) == (town.parent_id, None)


@pytest.mark.django_db
def test_a_rewrite_updates_what_differs_and_drops_links_the_data_stopped_giving():
    gazetteer = small_gazetteer(3)
    write_gazetteer(gazetteer)
    town = Jurisdiction.objects.get(ocd_id=f"{STATE}/place:town_1")
    changed = replace(
        gazetteer,
        jurisdictions=tuple(
            replace(row, population=5000) if row.ocd_id == town.ocd_id else row
            for row in gazetteer.jurisdictions
        ),
        aliases=tuple(replace(alias, note="merged") for alias in gazetteer.aliases[:1]),
        zip_codes=(
            replace(gazetteer.zip_codes[0], postal_city="Elsewhere"),
            *gazetteer.zip_codes[1:],
        ),
        place_counties=tuple(link for link in gazetteer.place_counties if link.position == 0),
        zip_counties=tuple(replace(z, land_share=Decimal("0.5")) for z in gazetteer.zip_counties),
    )

    result = kinds(write_gazetteer(changed))

    assert result["places"] == (0, 1, 2, 0)
    assert result["OCD aliases"] == (0, 1, 0, 0)  # the others stay, though no longer listed
    assert result["ZIP codes"] == (0, 1, 2, 0)
    assert result["place counties"] == (0, 0, 3, 3)
    assert result["ZIP code counties"] == (0, 6, 0, 0)
    town.refresh_from_db()
    assert town.population == 5000
    assert list(town.county_links.values_list("county__ocd_id", flat=True)) == [COUNTIES[0]]
    assert list(town.history.values_list("history_type", "population")) == [
        ("~", 5000),
        ("+", 1001),
    ]
    assert OcdAlias.objects.filter(note="merged").count() == 1
    assert ZipCode.objects.get(code="62000").postal_city == "Elsewhere"
    assert set(ZipCodeCounty.objects.values_list("land_share", flat=True)) == {Decimal("0.5")}
    assert PlaceCounty.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("places", [3, 40])
def test_the_statements_of_a_write_do_not_grow_with_the_rows(places, django_assert_num_queries):
    # One INSERT holds as many rows as 999 parameters allow (SQLite): 40 places and their
    # history rows (20 columns) still fit in one.
    gazetteer = small_gazetteer(places)
    # A fresh write: SAVEPOINT; read each table once (jurisdictions, names, aliases, ZIP codes,
    # place counties, ZIP code ids, ZIP code counties); per level an INSERT, a read of the new
    # keys and an INSERT of history (4 x 3); an INSERT per other kind (5); RELEASE.
    with django_assert_num_queries(1 + 7 + 12 + 5 + 1):
        write_gazetteer(gazetteer)
    # A second, unchanged write only reads.
    with django_assert_num_queries(1 + 7 + 1):
        summary = write_gazetteer(gazetteer)
    assert not summary.has_changes

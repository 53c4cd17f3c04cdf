"""A lookup costs the same few queries however many layers, sources and periods a place has."""

from datetime import date, timedelta
from decimal import Decimal

import factory
import pytest

from legality.geography import find_place
from legality.models import PlaceCounty, ZipCode, ZipCodeCounty
from legality.resolution import Target, resolve, resolve_many
from tests.factories import (
    ZipCodeFactory,
    create_period_history,
)
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 1)


def test_one_layer_with_one_source(django_assert_num_queries, kratom):
    state = UsStateFactory()
    create_period_history(state, kratom, periods=1, sources=1)

    # 1 the substances
    # 2 the counties the state lies in (none)
    # 3 the state with its parent chain
    # 4 the published statuses of the state and the country, with their review state (subqueries)
    # 5 the sources of those statuses (through the link table)
    with django_assert_num_queries(5):
        answer = resolve(state, on=ON)

    assert answer.result_for("kratom").status == "regulated"


def test_many_layers_sources_and_periods(django_assert_num_queries, kratom, seven_oh):
    state = UsStateFactory()
    counties = NamedCountyFactory.create_batch(
        3, parent=state, name=factory.Sequence(lambda n: f"County {n}")
    )
    town = NamedPlaceFactory(parent=state, counties=counties)
    for jurisdiction in (state.parent, state, *counties, town):
        create_period_history(jurisdiction, kratom, periods=5, sources=4)
        create_period_history(jurisdiction, seven_oh, periods=3, sources=2)

    # 1 the substances
    # 2 the three counties the town lies in
    # 3 the town and the counties, with their parent chains
    # 4 the published statuses of all six layers, every period, with their review state (subqueries)
    # 5 the sources of those statuses (through the link table)
    with django_assert_num_queries(5):
        answer = resolve(town, on=ON)

    assert len(answer.result_for("kratom").layers) == 6
    assert answer.result_for("kratom").stale


def test_a_county_part_without_residents_is_not_a_layer(kratom):
    state = UsStateFactory()
    jackson, williamson = NamedCountyFactory.create_batch(
        2, parent=state, name=factory.Iterator(["Jackson County", "Williamson County"])
    )
    town = NamedPlaceFactory(parent=state, name="Carbondale", counties=[jackson])
    PlaceCounty.objects.create(place=town, county=williamson, position=1, has_residents=False)
    create_period_history(williamson, kratom, periods=1, sources=1)

    layers = resolve(town, on=ON).result_for("kratom").layers

    assert [
        layer.jurisdiction.name for layer in layers if layer.jurisdiction.level == "county"
    ] == ["Jackson County"]


def test_zip_code_lookup(django_assert_num_queries, kratom):
    state = UsStateFactory()
    county = NamedCountyFactory(parent=state)
    town = NamedPlaceFactory(parent=state, counties=[county])
    ZipCodeFactory(code="92101", state=state, county=county, place=town)
    for jurisdiction in (state, county, town):
        create_period_history(jurisdiction, kratom, periods=3, sources=3)

    # 1 the ZIP code with its place, county and state
    # 2 the substances
    # 3 the counties of the ZIP code's area, with their land shares
    # 4 the ZIP's state, county and place with their parent chains
    # 5 the published statuses of those layers, with their review state (subqueries)
    # 6 their sources (through the link table)
    with django_assert_num_queries(6):
        answer = resolve(find_place("92101"), on=ON)

    assert answer.zip_code == "92101"


def test_place_no_layer_knows_skips_the_sources_query(django_assert_num_queries, kratom):
    town = NamedPlaceFactory()

    # 1 the substances, 2 the town's counties (none), 3 the town and its chain,
    # 4 no published status: no sources to prefetch
    with django_assert_num_queries(4):
        answer = resolve(town, on=ON + timedelta(days=1))

    assert answer.result_for("kratom").status == "unknown"


@pytest.mark.parametrize("count", [1, 40])
def test_many_zip_codes_and_places_resolve_in_the_same_queries(
    django_assert_num_queries, kratom, seven_oh, count
):
    state = UsStateFactory()
    counties = NamedCountyFactory.create_batch(
        2, parent=state, name=factory.Iterator(["Lee County", "Pontotoc County"])
    )
    towns = NamedPlaceFactory.create_batch(
        2, parent=state, counties=counties[:1], name=factory.Iterator(["Tupelo", "Verona"])
    )
    for jurisdiction in (state, *counties, *towns):
        create_period_history(jurisdiction, kratom, periods=2, sources=2)
    targets = []
    for n in range(count):
        zip_code = ZipCodeFactory(state=state, county=counties[0], place=towns[n % 2])
        for position, county in enumerate(counties):
            ZipCodeCounty.objects.create(
                zip_code=zip_code, county=county, land_share=Decimal("0.5"), position=position
            )
        targets += [Target.of(towns[n % 2], zip_code), Target.of(towns[n % 2])]

    # 1 the substances
    # 2 the counties the places lie in
    # 3 the counties of the ZIP codes' areas, with their land shares
    # 4 every jurisdiction involved, with its parent chain
    # 5 the published statuses of every layer, with their review state (subqueries)
    # 6 their sources (through the link table)
    with django_assert_num_queries(6):
        answers = resolve_many(targets, on=ON)

    assert len(answers) == 2 * count
    # The same answers, one by one: resolve() is resolve_many() with one target.
    first_zip = ZipCode.objects.get(pk=targets[0].zip_code.id)
    assert answers[0] == resolve(towns[0], zip_code=first_zip, on=ON)
    assert answers[1] == resolve(towns[0], on=ON)
    assert answers[0].zip_counties and answers[0].result_for("kratom").strictest

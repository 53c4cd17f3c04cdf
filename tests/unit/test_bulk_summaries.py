"""A bulk lookup's summaries (resolve_many(summary_only=True)) are computed once per group of ZIP
codes that read the same law; each must say what resolving the ZIP code alone says."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from legality.models import ZipCode, ZipCodeCounty
from legality.resolution import Target, resolve, resolve_many
from tests.factories import LegalStatusFactory, ReviewFlagFactory, ZipCodeFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 1)


@pytest.fixture
def zip_codes(kratom, seven_oh):
    state = UsStateFactory()
    lee, pontotoc, union = (
        NamedCountyFactory(parent=state, name=name)
        for name in ("Lee County", "Pontotoc County", "Union County")
    )
    LegalStatusFactory(jurisdiction=state, substance=kratom, status="regulated", minimum_age=21)
    flagged = LegalStatusFactory(jurisdiction=state, substance=seven_oh, status="restricted")
    ReviewFlagFactory(legal_status=flagged)
    LegalStatusFactory(
        jurisdiction=lee, substance=kratom, status="banned", applies_to="unincorporated"
    )
    silent_town, other_silent_town, banning_town = (
        NamedPlaceFactory(parent=state, name=name, counties=[county])
        for name, county in (("Tupelo", lee), ("Pontotoc", pontotoc), ("Verona", union))
    )
    LegalStatusFactory(jurisdiction=banning_town, substance=kratom, status="banned")
    unincorporated = NamedPlaceFactory(
        parent=state, name="Belden", is_incorporated=False, counties=[lee]
    )
    layouts = [
        (silent_town, lee, []),
        (silent_town, lee, [(pontotoc, "0.3")]),
        (other_silent_town, pontotoc, []),
        (other_silent_town, union, []),
        (banning_town, union, [(pontotoc, "0.4")]),
        (banning_town, union, [(pontotoc, "0.25")]),
        (unincorporated, lee, []),
        (unincorporated, union, [(lee, "0.5")]),
        (None, pontotoc, []),
        (None, pontotoc, [(union, "0.1")]),
        (other_silent_town, union, [(pontotoc, "0.25")]),
        (other_silent_town, union, [(lee, "0.25")]),
        # No county or town of these says anything: the state's answer, whatever the sides.
        (unincorporated, pontotoc, [(union, "0.2")]),
        (other_silent_town, pontotoc, [(union, "0.2")]),
        (None, union, []),
    ]
    found = []
    for n, (place, county, others) in enumerate(layouts):
        zip_code = ZipCodeFactory(code=f"388{n:02}", state=state, county=county, place=place)
        own_share = Decimal(1) - sum(Decimal(share) for _, share in others)
        for position, (other, share) in enumerate([(county, own_share), *others]):
            ZipCodeCounty.objects.create(
                zip_code=zip_code, county=other, land_share=Decimal(share), position=position
            )
        found.append(zip_code)
    return found


@pytest.mark.parametrize("on", [ON, date(2015, 1, 1)])
def test_each_summary_says_what_resolving_its_zip_code_alone_says(zip_codes, on):
    places = [z.place or z.county for z in zip_codes]
    summaries = resolve_many(
        [Target.of(p, z) for p, z in zip(places, zip_codes, strict=True)],
        on=on,
        summary_only=True,
    )

    varies = set()
    for zip_code, place, summary in zip(zip_codes, places, summaries, strict=True):
        alone = resolve(place, zip_code=ZipCode.objects.get(pk=zip_code.pk), on=on)
        assert (summary.place, summary.zip_code) == (alone.place, alone.zip_code)
        assert summary.zip_counties == ()  # a bulk lookup does not show them
        for mine, full in zip(summary.results, alone.results, strict=True):
            # A summary leaves out the activities, the changes to come and the silent layers.
            expected = replace(
                full,
                layers=tuple(layer for layer in full.layers if layer.entry is not None),
                activities=(),
                upcoming=(),
            )
            assert mine == expected, zip_code.code
            if mine.varies:
                varies.add(zip_code.code)
    if on == ON:  # the scenes the groups must tell apart are there
        assert {"38800", "38801", "38804", "38807"} <= varies
        assert {"38802", "38803", "38808"}.isdisjoint(varies)

"""Resolution rules (issues #3 and #6), on plain layers first, then through the database."""

import itertools
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from legality.dates import describe_start
from legality.geography import find_place
from legality.models import LegalStatus
from legality.resolution import (
    UNKNOWN,
    Assumption,
    Change,
    Enclosure,
    Entry,
    JurisdictionRef,
    SourceRef,
    Standing,
    SubstanceRef,
    UnknownSubstance,
    resolve,
    resolve_layers,
)
from tests.factories import (
    LegalStatusFactory,
    ReviewFlagFactory,
    SourceFactory,
    ZipCodeFactory,
)
from tests.geo_factories import (
    NamedCountyFactory,
    NamedPlaceFactory,
    OcdAliasFactory,
    UsStateFactory,
)

ON = date(2026, 6, 1)
US = JurisdictionRef(1, "ocd-division/country:us", "United States", "country")
MS = JurisdictionRef(2, "ocd-division/country:us/state:ms", "Mississippi", "state")
LEE = JurisdictionRef(3, "ocd-division/country:us/state:ms/county:lee", "Lee County", "county")
TUPELO = JurisdictionRef(
    4, "ocd-division/country:us/state:ms/place:tupelo", "Tupelo", "place", is_incorporated=True
)
KRATOM = SubstanceRef(1, "kratom", "Kratom")
SEVEN_OH = SubstanceRef(2, "7-oh", "7-OH products")
LAYERS = {US: [US], MS: [US, MS], LEE: [US, MS, LEE], TUPELO: [US, MS, LEE, TUPELO]}
_ids = itertools.count(1)


def entry(where: JurisdictionRef, status: str, **fields) -> Entry:
    fields.setdefault("substance", "kratom")
    return Entry(id=next(_ids), jurisdiction_id=where.id, status=status, **fields)


def answer(place, *entries, on=ON, substance=KRATOM, zip_code=None, layers=None, approximate=()):
    """The result for one substance, with the entries grouped into the place's layers."""
    enclosures = [
        Enclosure(j, tuple(e for e in entries if e.jurisdiction_id == j.id), j in approximate)
        for j in (layers or LAYERS[place])
    ]
    return resolve_layers(place, enclosures, on=on, substances=[substance], zip_code=zip_code)


def result(place, *entries, **kwargs):
    return answer(place, *entries, **kwargs).results[0]


def layer(result, jurisdiction):
    return next(la for la in result.layers if la.jurisdiction == jurisdiction)


# The most restrictive layer decides


def test_place_no_layer_knows_is_unknown():
    found = result(TUPELO)

    assert (found.status, found.decided_by, found.minimum_age) == (UNKNOWN, None, None)
    assert [la.standing for la in found.layers] == [Standing.NO_ENTRY] * 4


def test_city_ban_overrides_state_regulation():
    found = result(TUPELO, entry(MS, "regulated", minimum_age=21), entry(TUPELO, "banned"))

    assert (found.status, found.decided_by) == ("banned", TUPELO)


def test_on_a_tie_the_broadest_layer_decides():
    state_ban = entry(MS, "banned")

    found = result(TUPELO, entry(TUPELO, "banned"), state_ban, entry(LEE, "banned"))

    assert (found.decided_by, found.entry) == (MS, state_ban)


def test_minimum_age_is_the_highest_that_applies():
    found = result(
        MS, entry(US, "regulated", minimum_age=18), entry(MS, "regulated", minimum_age=21)
    )

    assert (found.status, found.decided_by, found.minimum_age) == ("regulated", US, 21)


def test_layers_are_shown_broadest_first_whatever_order_they_come_in():
    enclosures = [Enclosure(TUPELO), Enclosure(LEE), Enclosure(US), Enclosure(MS)]

    found = resolve_layers(TUPELO, enclosures, on=ON, substances=[KRATOM]).results[0]

    assert [la.jurisdiction for la in found.layers] == [US, MS, LEE, TUPELO]


def test_result_shows_the_deciding_entrys_verification_and_every_layers_sources():
    source = SourceRef(1, "Tupelo Ordinance 2016-12", citation="Ord. 2016-12")
    ban = entry(
        TUPELO, "banned", last_verified_at=date(2026, 3, 1), unverified=True, sources=(source,)
    )

    found = result(TUPELO, entry(MS, "legal"), ban)

    assert (found.last_verified_at, found.unverified) == (date(2026, 3, 1), True)
    assert layer(found, TUPELO).sources == (source,)


def test_open_flag_on_the_deciding_entry_makes_the_answer_stale():
    assert result(TUPELO, entry(MS, "legal"), entry(TUPELO, "banned", has_open_flag=True)).stale
    assert not result(TUPELO, entry(MS, "legal", has_open_flag=True), entry(TUPELO, "banned")).stale


def test_open_flag_on_the_entry_that_sets_the_minimum_age_makes_the_answer_stale():
    found = result(
        MS, entry(US, "regulated"), entry(MS, "regulated", minimum_age=21, has_open_flag=True)
    )

    assert (found.decided_by, found.stale) == (US, True)


def test_period_is_half_open():
    ban = entry(
        MS,
        "banned",
        effective_from=date(2020, 1, 1),
        effective_from_precision="day",
        effective_until=date(2026, 6, 1),
    )

    assert result(MS, ban, on=date(2026, 5, 31)).status == "banned"
    assert result(MS, ban, on=date(2026, 6, 1)).status == UNKNOWN


# 7-OH under a kratom ban


def test_kratom_ban_covers_7oh_where_the_layer_has_no_7oh_entry_and_says_so():
    ban = entry(TUPELO, "banned")

    found = result(TUPELO, entry(MS, "legal", substance="7-oh"), ban, substance=SEVEN_OH)

    assert (found.status, found.decided_by, found.entry) == ("banned", TUPELO, ban)
    assert found.assumptions == (Assumption.COVERED_BY_KRATOM_BAN,)
    assert "covers 7-OH" in layer(found, TUPELO).notes[0]


def test_layers_own_7oh_entry_is_not_replaced_by_its_kratom_ban():
    found = result(
        MS, entry(MS, "banned"), entry(MS, "restricted", substance="7-oh"), substance=SEVEN_OH
    )

    assert found.status == "restricted"
    assert Assumption.COVERED_BY_KRATOM_BAN not in found.assumptions


def test_kratom_regulation_does_not_cover_7oh():
    assert result(MS, entry(MS, "regulated"), substance=SEVEN_OH).status == UNKNOWN


# Changes still to come


def test_future_start_is_upcoming_with_its_precision():
    future = entry(
        TUPELO, "banned", effective_from=date(2026, 7, 1), effective_from_precision="month"
    )

    found = result(TUPELO, entry(MS, "legal"), future)

    assert found.status == "legal"
    assert found.upcoming == (Change(date(2026, 7, 1), TUPELO, "banned", None, "month"),)


def test_end_of_an_entry_is_upcoming_with_what_follows():
    until = {"effective_until": date(2027, 1, 1)}
    after = {"effective_from": date(2027, 1, 1), "effective_from_precision": "day"}

    found = result(
        MS, entry(MS, "regulated", minimum_age=21, **until), entry(MS, "banned", **after)
    )

    assert found.upcoming == (Change(date(2027, 1, 1), MS, "banned"),)


def test_end_with_nothing_after_is_upcoming_as_unknown():
    found = result(MS, entry(MS, "banned", effective_until=date(2027, 1, 1)))

    assert found.upcoming == (Change(date(2027, 1, 1), MS, UNKNOWN),)


def test_past_changes_are_not_upcoming():
    start = {"effective_from": date(2020, 1, 1), "effective_from_precision": "day"}

    assert result(MS, entry(MS, "banned", **start)).upcoming == ()


def test_upcoming_kratom_ban_is_a_7oh_change_too():
    start = {"effective_from": date(2026, 9, 1), "effective_from_precision": "day"}

    found = result(MS, entry(MS, "banned", **start), substance=SEVEN_OH)

    assert found.upcoming == (Change(date(2026, 9, 1), MS, "banned"),)


# County scope (issue #6)


def test_town_inside_a_county_with_an_unincorporated_only_ban_is_not_banned_by_it():
    found = result(TUPELO, entry(MS, "legal"), entry(LEE, "banned", applies_to="unincorporated"))

    assert (found.status, found.decided_by) == ("legal", MS)
    county = layer(found, LEE)
    assert (county.standing, county.status, county.applies_to) == (
        Standing.OUTSIDE_SCOPE,
        "banned",
        "unincorporated",
    )
    assert "outside city limits" in county.notes[0]


def test_county_itself_is_banned_by_its_unincorporated_only_ban():
    found = result(LEE, entry(MS, "legal"), entry(LEE, "banned", applies_to="unincorporated"))

    assert (found.status, found.decided_by, found.assumptions) == ("banned", LEE, ())


def test_zip_code_outside_any_municipality_is_banned_by_an_unincorporated_only_ban():
    # The ZIP's postal city names no place: the answer is about the ZIP's county.
    found = result(LEE, entry(LEE, "banned", applies_to="unincorporated"), zip_code="38801")

    assert (found.status, found.decided_by) == ("banned", LEE)


def test_zip_code_whose_place_is_not_a_municipality_is_banned_by_an_unincorporated_only_ban():
    village = JurisdictionRef(
        5, f"{MS.ocd_id}/place:belden", "Belden", "place", is_incorporated=False
    )
    ban = entry(LEE, "banned", applies_to="unincorporated")

    found = result(
        village, ban, zip_code="38826", layers=[US, MS, LEE, village], approximate=[village]
    )

    assert (found.status, found.decided_by) == ("banned", LEE)
    assert found.assumptions == (Assumption.ZIP_PLACE_APPROXIMATE,)


def test_zip_code_of_an_assumed_town_answers_for_the_town_and_says_the_other_side():
    ban = entry(LEE, "banned", applies_to="unincorporated")

    found = result(TUPELO, entry(MS, "legal"), ban, zip_code="38804", approximate=[TUPELO])

    # The answer is the town's; outside its limits the unincorporated-only ban decides.
    assert (found.status, found.decided_by) == ("legal", MS)
    assert found.varies and found.strictest == "banned"
    assert [(e.where, e.status, e.decided_by) for e in found.elsewhere] == [
        ("outside the town limits, in unincorporated Lee County", "banned", LEE)
    ]
    assert found.assumptions == (Assumption.ZIP_PLACE_APPROXIMATE,)
    assert layer(found, TUPELO).approximate


def test_a_zip_code_over_a_county_line_names_the_other_county_when_it_answers_otherwise():
    pontotoc = JurisdictionRef(90, f"{MS.ocd_id}/county:pontotoc", "Pontotoc County", "county")
    other = Enclosure(
        pontotoc, (entry(pontotoc, "banned"),), zip_share=Decimal("0.1545"), beside=True
    )
    found = resolve_layers(
        LEE,
        [Enclosure(US), Enclosure(MS, (entry(MS, "regulated"),)), Enclosure(LEE), other],
        on=ON,
        substances=[KRATOM],
        zip_code="38868",
    ).results[0]

    assert (found.status, found.strictest) == ("regulated", "banned")
    assert [(e.where, e.status) for e in found.elsewhere] == [
        ("in Pontotoc County (15% of the ZIP code's land)", "banned")
    ]
    assert "Pontotoc County" not in [la.jurisdiction.name for la in found.layers]


def test_unknown_scope_still_counts_and_shows_the_caveat():
    found = result(TUPELO, entry(MS, "legal"), entry(LEE, "banned", applies_to=""))

    assert (found.status, found.decided_by) == ("banned", LEE)
    assert found.assumptions == (Assumption.COUNTY_SCOPE_UNKNOWN,)
    assert layer(found, LEE).notes == ("may apply only outside city limits",)
    assert layer(found, LEE).applies_to == ""


def test_unknown_scope_needs_no_caveat_for_the_county_itself():
    found = result(LEE, entry(LEE, "banned", applies_to=""))

    assert (found.status, found.assumptions) == ("banned", ())


def test_whole_county_entry_applies_to_its_towns_without_caveat():
    found = result(TUPELO, entry(MS, "legal"), entry(LEE, "banned", applies_to="whole"))

    assert (found.status, found.decided_by, found.assumptions) == ("banned", LEE, ())


def test_place_not_known_to_be_incorporated_counts_an_unincorporated_only_ban_with_the_caveat():
    township = JurisdictionRef(
        6, f"{LEE.ocd_id}/place:union", "Union", "place", is_incorporated=None
    )

    found = result(
        township, entry(LEE, "banned", applies_to="unincorporated"), layers=[US, MS, LEE, township]
    )

    assert (found.status, found.assumptions) == ("banned", (Assumption.COUNTY_SCOPE_UNKNOWN,))


# Dates known roughly (issue #6)


@pytest.mark.parametrize(
    ("stored", "precision", "first_day"),
    [
        (date(2026, 2, 1), "month", date(2026, 2, 1)),
        (date(2026, 2, 15), "month", date(2026, 2, 1)),  # written by hand mid-month
        (date(2014, 1, 1), "year", date(2014, 1, 1)),
        (date(2014, 8, 1), "year", date(2014, 1, 1)),
    ],
)
def test_month_and_year_starts_are_in_force_from_their_first_day(stored, precision, first_day):
    ban = entry(MS, "banned", effective_from=stored, effective_from_precision=precision)

    assert result(MS, ban, on=first_day).status == "banned"
    assert result(MS, ban, on=date.fromordinal(first_day.toordinal() - 1)).status == UNKNOWN


def test_restrictive_entry_with_an_unknown_start_does_not_decide_before_its_earliest_source():
    sources = (
        SourceRef(
            1, "News, March 2021", published_on=date(2021, 3, 1), published_precision="month"
        ),
        SourceRef(2, "Ordinance", published_on=date(2023, 5, 4), published_precision="day"),
    )
    ban = entry(TUPELO, "banned", sources=sources, last_verified_at=date(2026, 1, 1))

    before = result(TUPELO, entry(MS, "legal"), ban, on=date(2020, 12, 31))
    after = result(TUPELO, entry(MS, "legal"), ban, on=date(2021, 3, 1))

    assert (before.status, before.decided_by) == ("legal", MS)
    assert before.assumptions == (Assumption.START_DATE_UNKNOWN,)
    town = layer(before, TUPELO)
    assert (town.standing, town.entry) == (Standing.START_DATE_UNKNOWN, ban)
    assert town.notes == ("start date unknown; in force by March 2021",)
    assert (after.status, after.decided_by, after.assumptions) == ("banned", TUPELO, ())


def test_unknown_start_is_known_from_the_verification_when_no_source_is_dated():
    ban = entry(
        MS, "banned", sources=(SourceRef(1, "Undated map"),), last_verified_at=date(2025, 1, 1)
    )

    assert result(MS, ban, on=date(2024, 12, 31)).status == UNKNOWN
    assert result(MS, ban, on=date(2025, 1, 1)).status == "banned"


def test_verifying_again_does_not_move_the_day_an_unknown_start_was_known_by():
    undated = (SourceRef(1, "Undated map"),)
    ban = entry(MS, "banned", sources=undated, recorded_on=date(2025, 1, 1))
    verified_again = replace(ban, last_verified_at=date(2026, 5, 1))

    assert result(MS, verified_again, on=date(2025, 1, 1)).status == "banned"
    assert result(MS, verified_again, on=date(2024, 12, 31)).status == UNKNOWN


def test_legal_entry_with_an_unknown_start_is_in_force_from_the_beginning():
    legal = entry(MS, "legal", last_verified_at=date(2025, 1, 1))

    assert result(MS, legal, on=date(1990, 1, 1)).status == "legal"


# Through the database


@pytest.fixture
def mississippi(db):
    return UsStateFactory(name="Mississippi", postal_code="MS")


@pytest.fixture
def lee(mississippi):
    return NamedCountyFactory(parent=mississippi, name="Lee County")


@pytest.fixture
def tupelo(mississippi, lee):
    return NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])


def test_tupelo_is_not_banned_by_lee_countys_ban_outside_city_limits(
    kratom, mississippi, lee, tupelo
):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status="legal")
    LegalStatusFactory(
        jurisdiction=lee, substance=kratom, status="banned", applies_to="unincorporated"
    )

    in_tupelo = resolve(tupelo, on=ON, substances=["kratom"]).results[0]
    in_lee = resolve(lee, on=ON, substances=["kratom"]).results[0]

    assert (in_tupelo.status, in_tupelo.decided_by.ocd_id) == ("legal", mississippi.ocd_id)
    assert (in_lee.status, in_lee.decided_by.ocd_id) == ("banned", lee.ocd_id)


def test_zip_code_with_no_town_is_banned_by_lee_countys_ban(kratom, mississippi, lee):
    LegalStatusFactory(
        jurisdiction=lee, substance=kratom, status="banned", applies_to="unincorporated"
    )
    ZipCodeFactory(code="38826", state=mississippi, county=lee, place=None)

    answer = resolve(find_place("38826"), on=ON, substances=["kratom"])

    assert (answer.place.name, answer.zip_code) == ("Lee County", "38826")
    assert (answer.results[0].status, answer.results[0].decided_by.name) == ("banned", "Lee County")


def test_month_start_resolves_and_reads_in_words(kratom, tupelo):
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status="banned",
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
    )

    found = resolve(tupelo, on=date(2026, 2, 1)).result_for("kratom")

    assert found.status == "banned"
    assert describe_start(found.entry.effective_from, found.entry.effective_from_precision) == (
        "since February 2026"
    )
    assert resolve(tupelo, on=date(2026, 1, 31)).result_for("kratom").status == UNKNOWN


def test_only_published_entries_count(kratom, mississippi, tupelo):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status="legal")
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status="banned", is_published=False)

    found = resolve(tupelo, on=ON, substances=["kratom"]).results[0]

    assert found.status == "legal"
    assert all(la.entry is None for la in found.layers if la.jurisdiction.id == tupelo.pk)


def test_a_resolved_flag_is_not_stale(kratom, tupelo):
    ban = LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status="banned")
    ReviewFlagFactory(legal_status=ban, reason="overdue", resolved_at="2026-01-01T00:00Z")

    assert not resolve(tupelo, on=ON).result_for("kratom").stale

    ReviewFlagFactory(legal_status=ban, reason="manual")
    assert resolve(tupelo, on=ON).result_for("kratom").stale


def test_zip_lookup_takes_the_zip_codes_county_not_the_places(kratom, mississippi, lee, tupelo):
    itawamba = NamedCountyFactory(parent=mississippi, name="Itawamba County")
    LegalStatusFactory(jurisdiction=lee, substance=kratom, status="banned", applies_to="whole")
    ZipCodeFactory(code="38843", state=mississippi, county=itawamba, place=tupelo)

    answer = resolve(find_place("38843"), on=ON)

    found = answer.result_for("kratom")
    assert [la.jurisdiction.name for la in found.layers] == [
        "United States",
        "Mississippi",
        "Itawamba County",
        "Tupelo",
    ]
    assert (answer.zip_code, answer.place.name, found.status) == ("38843", "Tupelo", UNKNOWN)
    assert found.layers[-1].approximate


def test_7oh_alone_still_reads_the_kratom_ban(seven_oh, kratom, tupelo):
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status="banned")

    answer = resolve(tupelo, on=ON, substances=["7-oh"])

    assert [(r.substance.slug, r.status) for r in answer.results] == [("7-oh", "banned")]


def test_every_substance_is_answered_by_default(kratom, seven_oh, tupelo):
    answer = resolve(tupelo, on=ON)

    assert [(r.substance.slug, r.status) for r in answer.results] == [
        ("kratom", UNKNOWN),
        ("7-oh", UNKNOWN),
    ]


def test_unknown_substance_is_refused(tupelo):
    with pytest.raises(UnknownSubstance, match="kava"):
        resolve(tupelo, on=ON, substances=["kratom", "kava"])


def test_unknown_start_reads_its_earliest_source_from_the_database(kratom, tupelo):
    source = SourceFactory(published_on=date(2021, 3, 1), published_precision="month")
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=LegalStatus.Status.BANNED,
        sources=[source, SourceFactory(published_on=None, published_precision="")],
    )

    assert resolve(tupelo, on=date(2021, 2, 28)).result_for("kratom").status == UNKNOWN
    assert resolve(tupelo, on=date(2021, 3, 1)).result_for("kratom").status == "banned"


def test_the_minimum_age_is_set_by_its_own_layer_not_the_decider():
    result = answer(
        TUPELO,
        entry(MS, "regulated", minimum_age=21),
        entry(TUPELO, "restricted"),
    ).results[0]

    assert (result.status, result.decided_by, result.minimum_age) == ("restricted", TUPELO, 21)
    assert result.minimum_age_set_by == MS


def test_review_state_comes_from_the_deciding_entries():
    result = answer(
        TUPELO,
        entry(MS, "regulated", minimum_age=21, flagged_on=date(2026, 5, 2)),
        entry(TUPELO, "restricted", flagged_on=date(2026, 5, 9), is_being_checked=True),
    ).results[0]

    assert (result.due_since, result.is_being_checked) == (date(2026, 5, 2), True)
    calm = answer(TUPELO, entry(TUPELO, "banned")).results[0]
    assert (calm.due_since, calm.is_being_checked) == (None, False)


def test_a_city_countys_entry_of_unknown_scope_covers_the_whole_city():
    denver = JurisdictionRef(
        5,
        "ocd-division/country:us/state:co/county:denver",
        "Denver County",
        "county",
        is_city_county=True,
    )
    result = answer(
        denver, entry(denver, "restricted", applies_to=""), layers=[US, denver]
    ).results[0]

    (_, county) = result.layers
    assert (county.applies_to, county.notes, result.assumptions) == ("whole", (), ())


@pytest.mark.django_db
def test_a_city_county_is_known_by_its_place_alias(kratom):
    state = UsStateFactory(name="Colorado", postal_code="CO")
    denver = NamedCountyFactory(parent=state, name="Denver County")
    OcdAliasFactory(jurisdiction=denver, ocd_id=f"{state.ocd_id}/place:denver")
    LegalStatusFactory(jurisdiction=denver, substance=kratom, status="restricted", applies_to="")

    (county,) = [la for la in resolve(denver, on=ON).results[0].layers if la.entry]

    assert county.jurisdiction.is_city_county
    assert county.applies_to == "whole"


def test_a_ban_is_not_due_for_re_checking_because_of_an_age_it_does_not_show():
    result = answer(
        TUPELO,
        entry(MS, "regulated", minimum_age=21, flagged_on=date(2026, 5, 2), has_open_flag=True),
        entry(TUPELO, "banned"),
    ).results[0]

    assert result.stale  # the API's "a deciding entry is flagged" still counts the age's entry
    assert result.due_since is None


def test_a_place_in_two_counties_answers_for_the_part_holding_most_residents():
    hinds = JurisdictionRef(91, f"{MS.ocd_id}/county:hinds", "Hinds County", "county")
    rankin = JurisdictionRef(92, f"{MS.ocd_id}/county:rankin", "Rankin County", "county")
    jackson = JurisdictionRef(
        93, f"{MS.ocd_id}/place:jackson", "Jackson", "place", is_incorporated=True
    )
    # Loaded in census order: the place's chain and its largest county, then the smaller part.
    enclosures = [
        Enclosure(jackson),
        Enclosure(MS, (entry(MS, "regulated", minimum_age=21),)),
        Enclosure(US, (entry(US, "legal"),)),
        Enclosure(hinds),
        Enclosure(rankin, (entry(rankin, "banned", applies_to="whole"),), part=True),
    ]
    found = resolve_layers(jackson, enclosures, on=ON, substances=[KRATOM]).results[0]

    assert (found.status, found.decided_by, found.minimum_age) == ("regulated", MS, 21)
    assert (found.varies, found.strictest) == (True, "banned")
    assert [(e.where, e.status, e.decided_by) for e in found.elsewhere] == [
        ("in the part of Jackson in Rankin County", "banned", rankin)
    ]
    # Both counties are shown, the larger part first; the smaller one answers for its part.
    assert [(la.jurisdiction, la.standing) for la in found.layers] == [
        (US, Standing.APPLIES),
        (MS, Standing.APPLIES),
        (hinds, Standing.NO_ENTRY),
        (rankin, Standing.OTHER_PART),
        (jackson, Standing.NO_ENTRY),
    ]


def test_a_town_ban_covers_every_part_of_a_town_in_several_counties():
    hinds = JurisdictionRef(91, f"{MS.ocd_id}/county:hinds", "Hinds County", "county")
    rankin = JurisdictionRef(92, f"{MS.ocd_id}/county:rankin", "Rankin County", "county")
    town = JurisdictionRef(94, f"{MS.ocd_id}/place:pearl", "Pearl", "place", is_incorporated=True)
    enclosures = [
        Enclosure(town, (entry(town, "banned"),)),
        Enclosure(MS, (entry(MS, "regulated"),)),
        Enclosure(US),
        Enclosure(hinds, (entry(hinds, "restricted", applies_to="whole"),)),
        Enclosure(rankin, (entry(rankin, "legal", applies_to="whole"),), part=True),
    ]
    found = resolve_layers(town, enclosures, on=ON, substances=[KRATOM]).results[0]

    assert (found.status, found.decided_by) == ("banned", town)
    assert not found.varies and found.strictest == "banned"


def test_a_smaller_parts_county_rule_that_stops_at_city_limits_is_no_other_side():
    hinds = JurisdictionRef(91, f"{MS.ocd_id}/county:hinds", "Hinds County", "county")
    rankin = JurisdictionRef(92, f"{MS.ocd_id}/county:rankin", "Rankin County", "county")
    town = JurisdictionRef(94, f"{MS.ocd_id}/place:pearl", "Pearl", "place", is_incorporated=True)
    enclosures = [
        Enclosure(town),
        Enclosure(MS, (entry(MS, "regulated"),)),
        Enclosure(US),
        Enclosure(hinds),
        Enclosure(rankin, (entry(rankin, "banned", applies_to="unincorporated"),), part=True),
    ]
    found = resolve_layers(town, enclosures, on=ON, substances=[KRATOM]).results[0]

    assert (found.status, found.varies) == ("regulated", False)
    assert layer(found, rankin).standing == Standing.OUTSIDE_SCOPE
    assert found.assumptions == ()

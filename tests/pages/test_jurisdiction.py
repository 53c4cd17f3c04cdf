"""The jurisdiction page: the answer in plain words, why, what comes next, and its history."""

from datetime import date

import factory
import pytest
from django.utils import timezone

from legality.curation import claim_flags
from legality.dates import format_date
from legality.models import LegalStatus, ReviewFlag
from tests.factories import (
    LegalStatusFactory,
    ReviewFlagFactory,
    SourceFactory,
    UserFactory,
    ZipCodeFactory,
    create_period_history,
)
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, OcdAliasFactory

from .conftest import NOTICE, text

pytestmark = pytest.mark.django_db

BANNED = LegalStatus.Status.BANNED
REGULATED = LegalStatus.Status.REGULATED


def page(client, jurisdiction, **params):
    return client.get(f"/j/{jurisdiction.ocd_id}/", params)


def test_status_in_plain_words_with_the_age_where_it_matters(client, kratom, mississippi, tupelo):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        minimum_age=21,
        effective_from=date(2025, 7, 1),
        last_verified_at=date(2025, 8, 1),
        summary="No sales to anyone under 21.",
        sources=[
            SourceFactory(
                title="House Bill 1077",
                url="https://legislature.ms.example/hb1077",
                citation="Miss. HB 1077 (2025)",
            )
        ],
    )

    state = page(client, mississippi, as_of="2026-06-01")

    assert state.status_code == 200
    words = text(state)
    assert "Regulated · 21 and over" in words
    assert "Decided by Mississippi (state)" in words
    assert "Last verified on 1 August 2025." in words
    assert "No sales to anyone under 21." in words
    assert "In force: since 1 July 2025." in words
    assert "House Bill 1077 — Miss. HB 1077 (2025), State legislature" in words
    assert b'href="https://legislature.ms.example/hb1077"' in state.content
    assert NOTICE in words

    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
        sources=[SourceFactory(kind="ordinance")],
    )
    city = page(client, tupelo, as_of="2026-06-01")
    # The state's age limit does not matter where the city bans kratom outright.
    assert b'<strong class="status status-banned">Banned</strong>\n' in city.content
    assert "Kratom: Banned since February 2026 — Tupelo ordinance" in text(city)
    assert "Regulated 21 and over" in text(city)  # the state's layer still says its own


def test_an_age_is_its_own_layers_condition_never_glued_to_a_stricter_status(
    client, kratom, mississippi, tupelo
):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status=REGULATED, minimum_age=21)
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=LegalStatus.Status.RESTRICTED,
        effective_from=date(2017, 11, 1),
        effective_from_precision="month",
    )

    words = text(page(client, tupelo))

    assert (
        "Kratom: Restricted since November 2017 — Tupelo law Mississippi: 21 and over to buy"
        in words
    )
    assert "Restricted · 21" not in words


def test_no_entry_is_never_shown_as_legal(client, kratom, seven_oh, tupelo):
    response = page(client, tupelo)
    words = text(response)
    assert "No entry: we don't know" in words
    assert "check with the local authorities" in words
    assert b"status-unknown" in response.content
    assert b"status-legal" not in response.content
    assert b"badge-legal" not in response.content


def test_month_precision_start_and_last_day_in_force(client, kratom, tupelo):
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
        effective_until=date(2026, 7, 1),
    )
    words = text(page(client, tupelo, as_of="2026-03-15"))
    assert "In force: since February 2026, until 30 June 2026." in words
    assert "2026-02-01" not in words


def test_unknown_start_says_when_it_is_known_in_force(client, kratom, tupelo):
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=None,
        last_verified_at=date(2026, 5, 1),
        sources=[SourceFactory(published_on=date(2021, 3, 1), published_precision="month")],
    )
    today = text(page(client, tupelo, as_of="2026-06-01"))
    assert "In force: start date unknown; in force by March 2021." in today

    # Before its earliest evidence the entry does not claim to have been in force.
    before = text(page(client, tupelo, as_of="2019-01-01"))
    assert "No entry: we don't know" in before
    assert "not yet attested on this date, so it does not decide" in before


@pytest.mark.parametrize(
    ("applies_to", "words"),
    [
        ("whole", "Applies to: the whole county."),
        ("unincorporated", "Applies to: unincorporated areas only."),
        ("", "Applies to: scope unknown: may apply only outside city limits."),
    ],
)
def test_county_scope_in_words(client, kratom, lee, tupelo, applies_to, words):
    LegalStatusFactory(jurisdiction=lee, substance=kratom, status=BANNED, applies_to=applies_to)
    assert words in text(page(client, tupelo))


def test_unincorporated_only_county_ban_does_not_decide_for_a_town(client, kratom, lee, tupelo):
    LegalStatusFactory(
        jurisdiction=lee, substance=kratom, status=BANNED, applies_to="unincorporated"
    )
    town = text(page(client, tupelo))
    assert "does not apply here" in town
    assert "No entry: we don't know" in town
    assert "Decided by Lee County (county)" in text(page(client, lee))


def test_unknown_scope_states_the_assumption(client, kratom, lee, tupelo):
    LegalStatusFactory(jurisdiction=lee, substance=kratom, status=BANNED, applies_to="")
    words = text(page(client, tupelo))
    assert "Decided by Lee County (county)" in words
    assert "A county rule counted here may apply only outside city limits." in words


def test_stale_entry_shows_a_warning_and_unverified_says_so(client, kratom, mississippi):
    entry = LegalStatusFactory(
        jurisdiction=mississippi, substance=kratom, status=BANNED, unverified=True
    )
    fresh = text(page(client, mississippi))
    assert "Flagged for review" not in fresh
    assert "unverified" in fresh

    flag = ReviewFlagFactory(legal_status=entry)
    from legality.caching import forget_dataset_version

    forget_dataset_version()
    response = page(client, mississippi)
    words = text(response)
    # Neutral: a date to re-check by, not an alarm, and no one claimed to be checking it.
    flagged_on = format_date(timezone.localdate(flag.created_at))
    assert f"Due for re-checking since {flagged_on}" in words
    assert b'role="alert"' not in response.content
    assert "curator is checking" not in words
    assert "The deciding entry is unverified" in words

    claim_flags(ReviewFlag.objects.all(), by=UserFactory())
    forget_dataset_version()
    assert "A curator is checking it now." in text(page(client, mississippi))


def test_seven_oh_covered_by_a_kratom_ban(client, kratom, seven_oh, tupelo):
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=BANNED)
    words = text(page(client, tupelo))
    assert "a ban on kratom and its alkaloids covers 7-OH products" in words
    assert "Note: the kratom ban here covers 7-OH products." in words


def test_upcoming_changes_and_as_of(client, kratom, mississippi):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=LegalStatus.Status.LEGAL,
        effective_until=date(2026, 7, 1),
    )
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        minimum_age=21,
        effective_from=date(2026, 7, 1),
    )

    before = text(page(client, mississippi, as_of="2026-06-30"))
    assert "The status on 30 June 2026" in before
    assert "Legal" in before
    assert "From 1 July 2026: Mississippi says Regulated 21 and over" in before

    after = text(page(client, mississippi, as_of="2026-07-01"))
    assert "Regulated · 21 and over" in after
    assert "No dated change is recorded after 1 July 2026." in after


def test_zip_code_page_uses_its_county_and_says_the_place_is_approximate(
    client, kratom, mississippi, lee, tupelo
):
    itawamba = NamedCountyFactory(parent=mississippi, name="Itawamba County")
    tupelo.counties.add(itawamba)
    ZipCodeFactory(code="38804", postal_city="Tupelo", state=mississippi, county=lee, place=tupelo)
    LegalStatusFactory(jurisdiction=itawamba, substance=kratom, status=BANNED)

    response = page(client, tupelo, zip="38804")

    words = text(response)
    assert "You looked up ZIP code 38804 (postal city Tupelo)." in words
    assert "We assumed the place Tupelo: this is approximate" in words
    assert "Lee County" in words
    assert "Itawamba County" not in words  # the ZIP's own county, not the place's others
    # Without the ZIP the page is the town's, with both its counties.
    assert "Itawamba County" in text(page(client, tupelo))


def test_zip_code_of_another_place_redirects_to_its_page(client, kratom, mississippi, lee, tupelo):
    other = NamedPlaceFactory(parent=mississippi, name="Verona", counties=[lee])
    ZipCodeFactory(code="38879", state=mississippi, county=lee, place=other)
    response = page(client, tupelo, zip="38879")
    assert response.status_code == 302
    assert response["Location"] == f"/j/{other.ocd_id}/?zip=38879"


def test_ocd_alias_redirects_to_the_canonical_id(client, kratom):
    alias = OcdAliasFactory()
    response = client.get(f"/j/{alias.ocd_id}/", {"as_of": "2026-01-01"})
    assert response.status_code == 301
    assert response["Location"] == f"/j/{alias.jurisdiction.ocd_id}/?as_of=2026-01-01"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"as_of": "2026-02-30"}, "Give the date as YYYY-MM-DD"),
        ({"as_of": "yesterday"}, "Give the date as YYYY-MM-DD"),
        ({"zip": "1234"}, "A ZIP code is five digits"),
    ],
)
def test_bad_input_is_a_400_page_with_the_reason(client, kratom, mississippi, params, reason):
    response = page(client, mississippi, **params)
    assert response.status_code == 400
    assert reason in text(response)
    assert NOTICE in text(response)


def test_unknown_place_is_the_helpful_404(client, kratom, mississippi):
    response = client.get("/j/ocd-division/country:us/state:zz/")
    assert response.status_code == 404
    words = text(response)
    assert "No division has that OCD id." in words
    assert "Try a five-digit US ZIP code" in words
    assert client.get("/j/Mississippi/").status_code == 404  # not an OCD id: no name search here


def test_history_lists_the_changes_of_every_layer(client, kratom, mississippi, tupelo):
    state = LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        effective_from=date(2020, 1, 1),
    )
    state.status = BANNED
    state.save()
    state.summary = "Reworded; same law."
    state.save()  # not a status change
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
    )
    elsewhere = NamedPlaceFactory(parent=mississippi, name="Oxford")
    LegalStatusFactory(jurisdiction=elsewhere, substance=kratom, status=BANNED)

    response = page(client, tupelo, as_of="2026-06-01")

    history = text(response).split("History", 1)[1]
    # Dated by the law, whatever was edited when: the state's entry as it reads now.
    assert history.index("February 2026 Tupelo Kratom no rule of its own → banned") < (
        history.index("1 January 2020 Mississippi Kratom no rule of its own → banned")
    )
    assert "regulated" not in history
    assert "Oxford" not in history


@pytest.mark.parametrize("size", ["one layer", "many layers"])
def test_page_runs_a_constant_number_of_queries(
    client, kratom, seven_oh, mississippi, size, django_assert_num_queries
):
    if size == "one layer":
        town = NamedPlaceFactory(parent=mississippi, name="Tupelo")
        create_period_history(town, kratom, periods=1, sources=1, status_changes=True)
    else:
        counties = NamedCountyFactory.create_batch(
            3, parent=mississippi, name=factory.Sequence(lambda n: f"County {n}")
        )
        town = NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=counties)
        for where in (mississippi.parent, mississippi, *counties, town):
            create_period_history(where, kratom, periods=5, sources=4, status_changes=True)
            create_period_history(where, seven_oh, periods=3, sources=2, status_changes=True)

    # 1-4 the dataset's last change (entries, entry history, source history, flags)
    # 5 find_place: the division by OCD id or alias
    # 6 the substances
    # 7 the counties the town lies in
    # 8 the town and its counties with their parent chains
    # 9 the published statuses of every layer, with their review state (subqueries)
    # 10 their sources (through the link table)
    # 11 the newest status changes of the layers (history, with jurisdiction and substance)
    # (the timelines draw the entries and sources that 9 and 10 read: no query of their own)
    with django_assert_num_queries(11):
        response = page(client, town, as_of="2026-06-01")
    assert response.status_code == 200

    # Warm: the dataset version and the page come from the cache.
    with django_assert_num_queries(0):
        assert page(client, town, as_of="2026-06-01").content == response.content


def test_zip_page_runs_the_same_number_of_queries(
    client, kratom, mississippi, lee, tupelo, django_assert_num_queries
):
    ZipCodeFactory(code="38804", state=mississippi, county=lee, place=tupelo)
    create_period_history(lee, kratom, periods=3, sources=2, status_changes=True)
    # 1-4 the dataset's last change, 5 the ZIP code with its state, county and place,
    # 6 the substances, 7 the counties of the ZIP's area with their land shares, 8 the ZIP's
    # state, counties and place with their parent chains, 9 the statuses, 10 their sources,
    # 11 the newest status changes of the layers (the timelines reuse 9 and 10)
    with django_assert_num_queries(11):
        assert page(client, tupelo, zip="38804").status_code == 200


def test_page_is_cacheable(client, kratom, mississippi):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom)
    first = page(client, mississippi)
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Last-Modified"]
    again = client.get(f"/j/{mississippi.ocd_id}/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_each_source_is_cited_with_its_link_citation_publisher_and_archived_copy(
    client, kratom, mississippi
):
    linked = SourceFactory(
        title="Act <1> & more",
        url="https://example.org/act?a=1&b=2",
        citation="Code § 1 <b>",
        publisher="A & B",
        archive_url="https://web.archive.org/web/2024/https://example.org/act",
        published_on=date(2020, 1, 1),
    )
    bare = SourceFactory(title="A notice", url="", citation="No. 12", publisher="", archive_url="")
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, sources=[linked, bare])
    html = page(client, mississippi).content.decode()
    assert (
        '<li><a href="https://example.org/act?a=1&amp;b=2" rel="nofollow noopener">'
        "Act &lt;1&gt; &amp; more</a> — <cite>Code § 1 &lt;b&gt;</cite>, A &amp; B "
        '(<a href="https://web.archive.org/web/2024/https://example.org/act" '
        'rel="nofollow noopener">archived copy</a>)</li>'
    ) in html
    assert "<li>A notice — <cite>No. 12</cite></li>" in html

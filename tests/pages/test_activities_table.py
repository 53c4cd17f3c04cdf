"""The jurisdiction page's table of activities, and the limits and penalties under each layer."""

from datetime import date

import pytest

from tests.factories import LegalStatusFactory
from tests.pages.conftest import text

pytestmark = pytest.mark.django_db


def page(client, place) -> str:
    return text(client.get(f"/j/{place.ocd_id}/", {"as_of": "2026-06-01"}))


def test_each_activity_with_the_layer_that_decides_it(client, kratom, mississippi, tupelo):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status="regulated",
        minimum_age=21,
        effective_from=date(2025, 7, 1),
        sale_rule="age_limited",
        possession_rule="allowed",
        use_rule="allowed",
        manufacture_rule="conditions",
        distribution_rule="conditions",
        import_rule="not_addressed",
        minimum_age_applies_to=["sale"],
        product_limits=[{"kind": "7oh_share_of_alkaloids", "text": "7-OH at most 1%."}],
    )
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status="banned",
        effective_from=date(2026, 2, 1),
        sale_rule="prohibited",
        possession_rule="unknown",
        use_rule="not_addressed",
        manufacture_rule="not_addressed",
        distribution_rule="not_addressed",
        import_rule="not_addressed",
        penalty="A $1,000 fine.",
    )

    words = page(client, tupelo)

    assert (
        "What you may do Activity Here Decided by "
        "Buy (buying it here) Prohibited Tupelo "
        "Carry (having it on you) Not known Tupelo "
        "Use (using it) Allowed Mississippi "
        "Sell (selling or supplying it) Prohibited Tupelo "
        "Make (making or processing it) Under conditions Mississippi "
        "Import (bringing it in) No law addresses it no layer "
    ) in words
    assert (
        "Product limits and penalties Mississippi (state) 7-OH share of alkaloids: 7-OH at "
        "most 1%. Tupelo (place) Penalty: A $1,000 fine."
    ) in words


def test_the_age_shows_where_an_activity_is_age_limited(client, kratom, mississippi):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status="regulated",
        minimum_age=21,
        sale_rule="age_limited",
        minimum_age_applies_to=["sale"],
    )

    words = page(client, mississippi)

    assert "Buy (buying it here) Age-limited: 21 and over Mississippi" in words
    assert "Sell (selling or supplying it) Not known Mississippi" in words  # distribution unknown


def test_a_place_no_layer_knows_is_not_known_for_every_activity(client, kratom, tupelo):
    words = page(client, tupelo)

    for word in ("Buy", "Carry", "Use", "Sell", "Make", "Import"):
        assert f"{word} (" in words
    assert words.count("Not known no layer") == 12  # six activities of each substance
    assert "Allowed" not in words

"""A reader types a place into the search box and reads the answer, in a real browser.

Drives Debian's chromium with Playwright against pytest-django's live server. The server runs in
another thread, so the data must be committed: a transactional test, and serialized_rollback puts
the migrations' rows (the substances) back afterwards.
"""

from datetime import date

import pytest

from legality.models import LegalStatus, Substance
from tests.factories import LegalStatusFactory, SourceFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_box_leads_to_the_answer_page(live_server, chromium):
    kratom = Substance.objects.get(slug="kratom")
    mississippi = UsStateFactory(name="Mississippi", postal_code="MS")
    lee = NamedCountyFactory(parent=mississippi, name="Lee County")
    NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=LegalStatus.Status.REGULATED,
        minimum_age=21,
        effective_from=date(2025, 7, 1),
        last_verified_at=date(2025, 8, 1),
        sources=[SourceFactory(title="House Bill 1077", citation="Miss. HB 1077 (2025)")],
    )

    page = chromium.new_page()
    try:
        page.goto(live_server.url)
        page.get_by_label("ZIP code, city, county, state or country").fill("Tupelo, MS")
        page.get_by_role("button", name="Look up").click()
        page.wait_for_url("**/j/ocd-division/country:us/state:ms/place:tupelo/")

        assert page.get_by_role("heading", level=1).inner_text() == "Tupelo"
        kratom_answer = page.locator("section#kratom")
        status = kratom_answer.locator(".status").text_content().strip()
        assert status == "Regulated · 21 and over"
        assert "Last verified on 1 August 2025." in kratom_answer.inner_text()
        assert "House Bill 1077" in kratom_answer.inner_text()
        assert "Not legal advice." in page.get_by_role("note").inner_text()
    finally:
        page.close()

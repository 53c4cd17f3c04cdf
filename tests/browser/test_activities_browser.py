"""The table of activities on a phone: 360 px wide, no sideways scrolling, in a real browser."""

from datetime import date

import pytest

from legality.models import LegalStatus, Substance
from tests.factories import LegalStatusFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_activity_table_fits_a_phone(live_server):
    from playwright.sync_api import sync_playwright

    kratom = Substance.objects.get(slug="kratom")
    mississippi = UsStateFactory(name="Mississippi", postal_code="MS")
    lee = NamedCountyFactory(parent=mississippi, name="Lee County")
    tupelo = NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=LegalStatus.Status.BANNED,
        effective_from=date(2019, 3, 1),
        sale_rule="prohibited",
        possession_rule="prohibited",
        product_limits=[{"kind": "synthetic_alkaloids_banned", "text": "No synthetic alkaloids."}],
        penalty="A misdemeanour with a fine of up to $1,000 and up to six months in jail.",
    )

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(f"{live_server.url}/j/{tupelo.ocd_id}/")

            table = page.locator("section#kratom table.activities")
            assert table.locator("tbody tr").count() == 6
            sell = table.get_by_role("row", name="Sell (selling or supplying it)")
            assert "Prohibited" in sell.inner_text()
            assert "Penalty: A misdemeanour" in page.locator("section#kratom").inner_text()
            # Nothing of the table or of the limits reaches past the screen's edge (the rest
            # of the page's layout is the page's own test).
            wide = page.evaluate(
                """() => [...document.querySelectorAll(".activities, .activities *, .limits *")]
                .filter(e => e.getBoundingClientRect().right > 360).map(e => e.outerHTML)"""
            )
            assert wide == []
        finally:
            browser.close()

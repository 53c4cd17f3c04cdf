"""The bulk check page on a 360 px phone with JavaScript off: paste, check, read the table."""

import pytest

from legality.models import LegalStatus, Substance
from tests.factories import LegalStatusFactory, ZipCodeFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pasted_zip_codes_fit_a_phone_without_javascript(live_server):
    from playwright.sync_api import sync_playwright

    kratom = Substance.objects.get(slug="kratom")
    mississippi = UsStateFactory(name="Mississippi", postal_code="MS")
    lee = NamedCountyFactory(parent=mississippi, name="Lee County")
    tupelo = NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=LegalStatus.Status.BANNED)
    for n in range(20):
        ZipCodeFactory(code=f"388{n:02d}", state=mississippi, county=lee, place=tupelo)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, java_script_enabled=False
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/check/")
            zips = " ".join(f"388{n:02d}" for n in range(20))
            page.get_by_label("ZIP codes, places or OCD ids").fill(
                f"{zips}\nocd-division/country:us/state:ms/place:a_very_long_unknown_name"
            )
            page.get_by_role("button", name="Check").click()

            assert "21 items on" in page.get_by_role("heading", level=2).inner_text()
            assert page.locator("table.bulk tbody tr").count() == 21
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"the page scrolls sideways: {wide} px wide"
            assert page.get_by_role("button", name="Download as CSV").is_visible()
        finally:
            browser.close()

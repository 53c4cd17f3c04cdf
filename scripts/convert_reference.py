"""Convert the reference facts into the project's seed data (run when the reference grows).

    .venv/bin/python scripts/convert_reference.py [--reference ../shared/reference]

Reads `kratom-us.json`, `kratom-world.json` and `activities.json` from the reference folder and
writes `legality/data/statuses/us.yaml` and `world.yaml`: one record per fact with its sources and
what it says of each activity, in the reference's order and wording. The shipped YAML is what
the loader reads; this script stays in the repository so a reviewer can see exactly what was
changed on the way, which is only:

- `effective_from_precision` is always written (`day` where the reference leaves it out), and a
  start the summary gives only as a month or year gets that precision (`PRECISION_FROM_SUMMARY`);
- Gluckstadt, Mississippi, which the OCD place list does not have, is added under
  `extra_jurisdictions` so its fact is not dropped;
- a fact whose start the reference corrected since the last conversion names the start it was
  shipped with (`previous_effective_from`, from `CORRECTED_STARTS`), so the loader corrects the
  stored entry instead of adding a second, overlapping one;
- the activities, product limits and penalty of each fact come from `activities.json` (its
  `basis` and `note` become `activities_note`, a curators' internal note).

Nothing else is added: no law, date, citation or URL that is not in the reference.
"""

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "legality" / "data" / "statuses"
DEFAULT_REFERENCE = BASE_DIR.parent / "shared" / "reference"

# (ocd_id, substance, the reference's effective_from) -> (start, precision, why). Each case is a
# summary that states the start only as a month or year while the reference gives a day.
PRECISION_FROM_SUMMARY: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("ocd-division/country:us/state:co/place:denver", "kratom", "2017-11-22"): (
        "2017-11-01",
        "month",
        "Start precision set to month by the seed data: the summary says 'Since November 2017' "
        "and the reference's 2017-11-22 is the date of the earliest dated report, not the start "
        "(the restriction was announced 'effective immediately' within a week after FDA's "
        "2017-11-14 advisory).",
    ),
}

# (ocd_id, substance, the reference's corrected effective_from) -> the start shipped before. The
# second reference pass (2026-11-25) corrected these eight starts; the loader finds the stored
# entry by the old start and corrects it (or, where a curator edited it, flags it).
CORRECTED_STARTS: dict[tuple[str, str, str], str | None] = {
    ("ocd-division/country:us/state:mo/place:kansas_city", "kratom", "2026-02-12"): "2026-01-01",
    ("ocd-division/country:us/state:mo/place:kansas_city", "7-oh", "2026-02-12"): "2026-01-01",
    ("ocd-division/country:us/state:mo/place:blue_springs", "7-oh", "2026-02-01"): "2026-01-01",
    ("ocd-division/country:us/state:ms/place:caledonia", "kratom", "2019-03-05"): None,
    ("ocd-division/country:us/state:ms/county:union", "kratom", "2017-10-01"): None,
    ("ocd-division/country:us/state:ms/place:new_albany", "kratom", "2017-10-01"): None,
    ("ocd-division/country:us/state:co/place:monument", "kratom", "2019-11-18"): None,
    ("ocd-division/country:us/state:co/place:parker", "kratom", "2019-10-01"): None,
}

EXTRA_JURISDICTIONS: dict[str, list[dict[str, Any]]] = {
    "us": [
        {
            "ocd_id": "ocd-division/country:us/state:ms/place:gluckstadt",
            "name": "Gluckstadt",
            "level": "place",
            "division_type": "place",
            "parent": "ocd-division/country:us/state:ms",
            "counties": ["ocd-division/country:us/state:ms/county:madison"],
            "country_code": "US",
            "is_incorporated": True,
            "is_official_ocd_id": False,
            "note": "Incorporated in 2021, after the census place list the OCD ids come from, so "
            "the OCD list has no division for it; the id follows the OCD pattern for places. "
            "It lies in Madison County.",
        }
    ],
    "world": [],
}

HEADERS = {
    "us": "the United States: the federal layer, every state and DC, local bans\n"
    "# (cities, counties, Louisiana parishes) and the 2025-2026 actions on 7-OH.",
    "world": "countries outside the United States (and one Australian state),\n"
    "# with their history.",
}

FILE_HEADER = """\
# Kratom and 7-OH legal status in {title}
#
# Converted from ../shared/reference/kratom-{name}.json and activities.json by
# scripts/convert_reference.py. Load it with `manage.py load_statuses` (after
# `load_jurisdictions`). legality/data/statuses/README.md describes every field. In short:
#   - effective_from: first day in force; null = start not known. effective_from_precision: day,
#     month or year (a month or year start is written as its first day).
#   - effective_until: the LAST day in force, inclusive (as the reference writes it); null = still
#     in force. The loader stores the first day no longer in force (half-open periods).
#   - gathered_on: the day the facts were gathered, used as "last verified" for an entry none of
#     whose sources is dated (the entry then gets a review flag).
#   - confidence low: published as "unverified" with an open review flag; confidence_reason,
#     notes and activities_note are curators' internal notes, never public.
#   - activities: sale, possession, use, manufacture, distribution, import, each allowed,
#     prohibited, age_limited, conditions, not_addressed or unknown; minimum_age_applies_to,
#     product_limits ({{kind, text}}) and penalty, from ../shared/reference/activities.json.
#   - previous_effective_from: the start this entry was shipped with before a correction.
"""


def convert_fact(fact: dict[str, Any], coding: dict[str, Any]) -> dict[str, Any]:
    """One reference fact and its activity coding as a seed record, with the precision rule
    applied."""
    jurisdiction = fact["jurisdiction"]
    start = fact["effective_from"]
    key = (jurisdiction["ocd_id"], fact["substance"], start)
    precision = fact.get("effective_from_precision") or ("day" if start else None)
    notes = None
    override = PRECISION_FROM_SUMMARY.get(key)
    if override:
        start, precision, notes = override
    record: dict[str, Any] = {
        "jurisdiction": {
            key: jurisdiction[key]
            for key in ("ocd_id", "name", "level", "country", "state", "county")
        },
        "substance": fact["substance"],
        "status": fact["status"],
        "minimum_age": fact["minimum_age"],
    }
    if jurisdiction["level"] == "county":
        record["applies_to"] = fact.get("applies_to")
    if key in CORRECTED_STARTS:
        record["previous_effective_from"] = CORRECTED_STARTS[key]
    record |= {
        "effective_from": start,
        "effective_from_precision": precision,
        "effective_until": fact["effective_until"],
        "summary": fact["summary"],
        "activities": coding["activities"],
        "minimum_age_applies_to": coding["minimum_age_applies_to"],
        "product_limits": coding["product_limits"],
        "penalty": coding["penalty"],
        "confidence": fact["confidence"],
        "confidence_reason": fact["confidence_reason"],
    }
    basis = "the summary" if coding["basis"] == "summary" else "the summary and a source"
    record["activities_note"] = f"Activities coded from {basis}: {coding['note']}"
    if notes:
        record["notes"] = notes
    record["sources"] = [
        {key: source[key] for key in ("url", "title", "publisher", "kind", "citation", "published")}
        for source in fact["sources"]
    ]
    return record


def fact_key(fact: dict[str, Any]) -> tuple[str, str, str]:
    """A fact's key as activities.json writes it: (ocd_id, substance, effective_from)."""
    ocd_id = fact["jurisdiction"]["ocd_id"] if "jurisdiction" in fact else fact["ocd_id"]
    return ocd_id, fact["substance"], fact["effective_from"]


def convert_file(
    reference: Path, name: str, codings: dict[tuple[str, str, str], dict[str, Any]]
) -> tuple[str, set[tuple[str, str, str]]]:
    """The YAML text for one reference file, and the keys of the facts it converted.

    Raises KeyError naming a fact that activities.json does not code.
    """
    data = json.loads((reference / f"kratom-{name}.json").read_text(encoding="utf-8"))
    keys = {fact_key(fact) for fact in data["facts"]}
    document = {
        "gathered_on": str(date.fromisoformat(data["compiled_on"])),
        "extra_jurisdictions": EXTRA_JURISDICTIONS[name],
        "entries": [convert_fact(fact, codings[fact_key(fact)]) for fact in data["facts"]],
    }
    text = yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    # A blank line between records, so a reviewer sees where each one starts.
    text = text.replace("\n- jurisdiction:", "\n\n- jurisdiction:")
    return FILE_HEADER.format(title=HEADERS[name], name=name) + text, keys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = parser.parse_args(argv)
    activities = json.loads((args.reference / "activities.json").read_text(encoding="utf-8"))
    codings = {fact_key(coding): coding for coding in activities}
    converted = set()
    for name in ("us", "world"):
        text, keys = convert_file(args.reference, name, codings)
        converted |= keys
        (OUT_DIR / f"{name}.yaml").write_text(text, encoding="utf-8")
        print(f"wrote {OUT_DIR / f'{name}.yaml'}")
    status = 0
    for what, table in (
        ("precision overrides", PRECISION_FROM_SUMMARY),
        ("corrected starts", CORRECTED_STARTS),
        ("activity codings", codings),
    ):
        if unused := set(table) - converted:
            print(f"{what} that matched no fact: {sorted(unused)}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Convert the reference facts into the project's seed data (run once; the YAML is kept after).

    .venv/bin/python scripts/convert_reference.py [--reference ../shared/reference]

Reads `kratom-us.json` and `kratom-world.json` from the reference folder and writes
`legality/data/statuses/us.yaml` and `world.yaml`: one record per fact with its sources, in the
reference's order and wording. The shipped YAML is the source of truth afterwards; this script
stays in the repository so a reviewer can see exactly what was changed on the way, which is only:

- `effective_from_precision` is always written (`day` where the reference leaves it out), and a
  start the summary gives only as a month or year gets that precision (`PRECISION_FROM_SUMMARY`);
- Gluckstadt, Mississippi, which the OCD place list does not have, is added under
  `extra_jurisdictions` so its fact is not dropped.

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
# Converted once from ../shared/reference/kratom-{name}.json by scripts/convert_reference.py;
# this file is now the source of truth. Load it with `manage.py load_statuses` (after
# `load_jurisdictions`). legality/data/statuses/README.md describes every field. In short:
#   - effective_from: first day in force; null = start not known. effective_from_precision: day,
#     month or year (a month or year start is written as its first day).
#   - effective_until: the LAST day in force, inclusive (as the reference writes it); null = still
#     in force. The loader stores the first day no longer in force (half-open periods).
#   - gathered_on: the day the facts were gathered, used as "last verified" for an entry none of
#     whose sources is dated (the entry then gets a review flag).
#   - confidence low: published as "unverified" with an open review flag; confidence_reason and
#     notes are curators' internal notes, never public.
"""


def convert_fact(fact: dict[str, Any]) -> dict[str, Any]:
    """One reference fact as a seed record, with the precision rule applied."""
    jurisdiction = fact["jurisdiction"]
    start = fact["effective_from"]
    precision = fact.get("effective_from_precision") or ("day" if start else None)
    notes = None
    override = PRECISION_FROM_SUMMARY.get((jurisdiction["ocd_id"], fact["substance"], start))
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
    record |= {
        "effective_from": start,
        "effective_from_precision": precision,
        "effective_until": fact["effective_until"],
        "summary": fact["summary"],
        "confidence": fact["confidence"],
        "confidence_reason": fact["confidence_reason"],
    }
    if notes:
        record["notes"] = notes
    record["sources"] = [
        {key: source[key] for key in ("url", "title", "publisher", "kind", "citation", "published")}
        for source in fact["sources"]
    ]
    return record


def convert_file(reference: Path, name: str) -> tuple[str, set[tuple[str, str, str]]]:
    """The YAML text for one reference file, and the precision overrides it applied."""
    data = json.loads((reference / f"kratom-{name}.json").read_text(encoding="utf-8"))
    applied = {
        key
        for fact in data["facts"]
        if (key := (fact["jurisdiction"]["ocd_id"], fact["substance"], fact["effective_from"]))
        in PRECISION_FROM_SUMMARY
    }
    document = {
        "gathered_on": str(date.fromisoformat(data["compiled_on"])),
        "extra_jurisdictions": EXTRA_JURISDICTIONS[name],
        "entries": [convert_fact(fact) for fact in data["facts"]],
    }
    text = yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    # A blank line between records, so a reviewer sees where each one starts.
    text = text.replace("\n- jurisdiction:", "\n\n- jurisdiction:")
    return FILE_HEADER.format(title=HEADERS[name], name=name) + text, applied


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = parser.parse_args(argv)
    used = set()
    for name in ("us", "world"):
        text, applied = convert_file(args.reference, name)
        used |= applied
        (OUT_DIR / f"{name}.yaml").write_text(text, encoding="utf-8")
        print(f"wrote {OUT_DIR / f'{name}.yaml'}")
    if unused := set(PRECISION_FROM_SUMMARY) - used:
        print(f"precision overrides that matched no fact: {sorted(unused)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

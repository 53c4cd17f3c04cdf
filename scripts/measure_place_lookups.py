"""Measure name lookups against the census gazetteer: the right place, with exactly its counties.

    DEBUG=true .venv/bin/python scripts/measure_place_lookups.py [--limit N]

Run it on a database loaded by `manage.py load_jurisdictions` (DATABASE_URL, default the local
SQLite one). It reads legality/data/gazetteer/us_place_facts.csv and us_cdp_facts.csv and types
each place's name the way the gazetteer README's *Name normalization* describes people's names
(ASCII, lower case, no '.' or apostrophes, '-' and '/' as spaces, saint/mount/fort as st/mt/ft,
no leading "city of", one trailing Census suffix dropped). It does not use the loader's search
names. Each typed query goes through `find_place`, as the lookup API does; an answer is right
when it is that census place (or an OCD twin of it) and its counties with residents are exactly
the census's (those OCD has: an independent city lies in none). It prints, per set and typing
form: right, ambiguous (300), not found (404), another place, and wrong counties.
"""

import argparse
import csv
import os
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "legality" / "data" / "gazetteer"
SUFFIXES = (  # longest first; the Census legal and statistical descriptors
    "city and borough",
    "unified government",
    "consolidated government",
    "metropolitan government",
    "metro government",
    "charter township",
    "metro township",
    "zona urbana",
    "municipality",
    "plantation",
    "comunidad",
    "(balance)",
    "township",
    "borough",
    "village",
    "city",
    "town",
    "cdp",
)
WORDS = {"saint": "st", "mount": "mt", "fort": "ft"}


def typed(census_name: str) -> str:
    """A census name as the README's Name normalization says people write it."""
    ascii_name = "".join(
        c for c in unicodedata.normalize("NFKD", census_name) if not unicodedata.combining(c)
    )
    text = ascii_name.lower().replace(".", "").replace("'", "").replace("’", "")
    words = [WORDS.get(word, word) for word in text.replace("-", " ").replace("/", " ").split()]
    name = " ".join(words)
    for leading in ("village of ", "city of ", "town of "):
        name = name.removeprefix(leading)
    for suffix in SUFFIXES:
        if name.endswith(f" {suffix}"):
            return name.removesuffix(f" {suffix}")
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows of each set")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    import us

    from legality.geography import AmbiguousPlace, UnknownPlace, find_place
    from legality.models import Jurisdiction, PlaceCounty

    ocd_county_fips = set(
        Jurisdiction.objects.filter(level="county", country_code="US")
        .exclude(census_geoid="")
        .values_list("census_geoid", flat=True)
    )
    residents: dict[int, list[str]] = {}
    for place, fips in PlaceCounty.objects.filter(has_residents=True).values_list(
        "place_id", "county__census_geoid"
    ):
        residents.setdefault(place, []).append(fips)
    state_names = {s.abbr: s.name for s in us.states.STATES_AND_TERRITORIES} | {
        "DC": "District of Columbia"
    }

    def expected(fips_column: str, source: str) -> list[str]:
        zero = next((p[16:] for p in source.split(";") if p.startswith("zero_pop_county=")), "")
        return [f for f in fips_column.split() if f not in zero.split() and f in ocd_county_fips]

    place_rows = list(csv.DictReader((DATA / "us_place_facts.csv").open(encoding="utf-8")))
    cdp_rows = list(csv.DictReader((DATA / "us_cdp_facts.csv").open(encoding="utf-8")))
    incorporated = [
        {
            "ocd_id": r["ocd_id"],
            "census_id": r["census_id"],
            "name": r["name"] or r["ocd_id"].rsplit(":", 1)[1].replace("_", " "),
            "state": r["ocd_id"].split("/")[2].split(":")[1].upper(),
            "population": int(r["population"] or 0),
            "counties": expected(r["county_fips"], r["source"]),
        }
        for r in place_rows
        if r["kind"] == "incorporated_place"
    ]
    communities = [
        {
            "ocd_id": "",
            "census_id": r["census_id"],
            "name": r["name"],
            "state": r["state"],
            "population": int(r["population"] or 0),
            "counties": expected(r["county_fips"], r["source"]),
        }
        for r in cdp_rows
        if r["kind"] == "census_designated_place"
    ]
    large = [r for r in incorporated if r["population"] >= 10_000]
    sets = [
        ("incorporated places of 10,000+, 'Town, ST'", large, "{name}, {ST}"),
        ("incorporated places of 10,000+, 'Town ST'", large, "{name} {ST}"),
        ("incorporated places of 10,000+, 'Town State'", large, "{name} {State}"),
        ("incorporated places of 10,000+, 'Town, State'", large, "{name}, {State}"),
        ("all incorporated places, 'Town, ST'", incorporated, "{name}, {ST}"),
        (
            "census-designated places of 10,000+, 'Place, ST'",
            [r for r in communities if r["population"] >= 10_000],
            "{name}, {ST}",
        ),
    ]
    for title, rows, form in sets:
        rows = rows[: args.limit] if args.limit else rows
        outcomes: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        for row in rows:
            query = form.format(
                name=typed(row["name"]), ST=row["state"], State=state_names.get(row["state"], "")
            )
            try:
                match = find_place(query)
            except AmbiguousPlace:
                outcome = "ambiguous (300)"
            except UnknownPlace:
                outcome = "not found (404)"
            else:
                place = match.jurisdiction
                same = place.ocd_id == row["ocd_id"] or (
                    row["census_id"] and place.census_geoid == row["census_id"]
                )
                got = residents.get(place.pk, [])
                if not same:
                    outcome = "another place"
                elif sorted(got) != sorted(row["counties"]):
                    outcome = "wrong counties"
                else:
                    outcome = "right"
            outcomes[outcome] += 1
            if outcome != "right" and len(examples.setdefault(outcome, [])) < 6:
                examples[outcome].append(query)
        total = len(rows)
        print(f"\n{title}: {total:,} typed")
        for outcome in (
            "right",
            "ambiguous (300)",
            "not found (404)",
            "another place",
            "wrong counties",
        ):
            share = outcomes[outcome] / total if total else 0
            shown = f"  e.g. {'; '.join(examples[outcome])}" if outcome in examples else ""
            print(f"  {outcome:16} {outcomes[outcome]:>6,}  {share:7.2%}{shown}")


if __name__ == "__main__":
    main()

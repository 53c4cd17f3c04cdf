"""Copy the points of every place from the census gazetteer into input/place_points.csv.

Run from this folder with the reference folder's path, once, when the gazetteer changes:
    python3 extract_points.py /path/to/reference/gazetteer
OCD places keep their OCD id; census-designated places (which have no OCD id) keep their 7-digit
census code. Places without a point are left out. Then `npm run build` projects them.
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(gazetteer: Path) -> None:
    rows = []
    with open(gazetteer / "us_place_facts.csv", encoding="utf-8", newline="") as file:
        rows += [(r["ocd_id"], "", r["lat"], r["lon"]) for r in csv.DictReader(file) if r["lat"]]
    with open(gazetteer / "us_cdp_facts.csv", encoding="utf-8", newline="") as file:
        rows += [("", r["census_id"], r["lat"], r["lon"]) for r in csv.DictReader(file) if r["lat"]]
    with open(HERE / "input" / "place_points.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["ocd_id", "census_id", "lat", "lon"])
        writer.writerows(rows)
    print(f"{len(rows)} points")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

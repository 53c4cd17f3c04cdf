"""Geography: how names are compared (`naming`) and how a reader's query finds a place
(`lookup`, its name search in `name_search`, what it finds in `matches`)."""

from .batch import ZipCodeMatch, find_places
from .candidates import Candidate, WorldCity, city_abroad_in, describe_candidates
from .lookup import find_place
from .matches import AmbiguousPlace, MatchedBy, PlaceMatch, UnknownPlace
from .naming import normalize_name

__all__ = [
    "AmbiguousPlace",
    "Candidate",
    "MatchedBy",
    "PlaceMatch",
    "UnknownPlace",
    "WorldCity",
    "ZipCodeMatch",
    "city_abroad_in",
    "describe_candidates",
    "find_place",
    "find_places",
    "normalize_name",
]

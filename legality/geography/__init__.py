"""Geography: how names are compared (`naming`) and how a reader's query finds a place
(`lookup`)."""

from .batch import ZipCodeMatch, find_places
from .candidates import WorldCity, city_abroad_in
from .lookup import (
    AmbiguousPlace,
    Candidate,
    MatchedBy,
    PlaceMatch,
    UnknownPlace,
    describe_candidates,
    find_place,
)
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

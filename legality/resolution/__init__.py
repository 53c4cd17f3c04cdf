"""Resolution: the legal status of each substance in a place on a date, and why.

`resolve(place, on=...)` is the entry point (views, API, feeds, commands); `resolve_layers` is
the same rules on already-loaded layers, for tests and for callers that hold the data.
"""

from .activities import combine_activities
from .answers import (
    KRATOM,
    SEVEN_OH,
    UNKNOWN,
    ActivityAnswer,
    Answer,
    Assumption,
    Change,
    Elsewhere,
    Enclosure,
    Entry,
    JurisdictionRef,
    Layer,
    Result,
    SourceRef,
    Standing,
    SubstanceRef,
    ZipCounty,
)
from .loading import UnknownSubstance, load_enclosures, resolve
from .rules import resolve_layers, standing_on

__all__ = [
    "KRATOM",
    "SEVEN_OH",
    "UNKNOWN",
    "ActivityAnswer",
    "Answer",
    "Assumption",
    "Change",
    "Elsewhere",
    "Enclosure",
    "Entry",
    "JurisdictionRef",
    "Layer",
    "Result",
    "SourceRef",
    "Standing",
    "SubstanceRef",
    "ZipCounty",
    "UnknownSubstance",
    "combine_activities",
    "load_enclosures",
    "resolve",
    "resolve_layers",
    "standing_on",
]

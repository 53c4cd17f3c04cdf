"""Resolution: the legal status of each substance in a place on a date, and why.

`resolve(place, on=...)` is the entry point (views, API, feeds, commands), `resolve_many` the
same for many places and ZIP codes at once; `resolve_layers` is
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
from .loading import (
    Target,
    UnknownSubstance,
    ZipTarget,
    load_layers,
    resolve,
    resolve_many,
    resolve_with_entries,
)
from .rules import layer_alone, resolve_layers, standing_on

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
    "Target",
    "ZipTarget",
    "load_layers",
    "resolve",
    "resolve_many",
    "resolve_with_entries",
    "layer_alone",
    "resolve_layers",
    "standing_on",
]

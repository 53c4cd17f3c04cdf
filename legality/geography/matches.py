"""What a reader's query found: a PlaceMatch, or why nothing or too much matched."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from legality.errors import TrackerError
from legality.models import Jurisdiction, ZipCode

from .candidates import Candidate, WorldCity


# Domain errors (TrackerError) kept beside the match the lookup returns: AmbiguousPlace words its
# message from its candidates' descriptions (candidates.Candidate), which errors.py cannot import.
class UnknownPlace(TrackerError):
    """Nothing matches the query (views answer 404). `suggestions`: close names, best first."""

    def __init__(self, query: str, reason: str = "", suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        detail = f" {reason}" if reason else ""
        if self.suggestions:
            detail += f" Did you mean {' or '.join(f'“{s}”' for s in self.suggestions)}?"
        super().__init__(f"No place matches “{query.strip()}”.{detail}")


class AmbiguousPlace(TrackerError):
    """Several places match and none is the obvious reading (views answer 300 with them).

    `candidates` are the jurisdictions, largest population first; `described` the same with
    their descriptions.
    """

    def __init__(self, query: str, described: Sequence[Candidate]) -> None:
        self.query = query
        self.described = tuple(described)
        self.candidates = tuple(c.jurisdiction for c in self.described)
        names = "; ".join(c.description for c in self.described[:5])
        more = f"; and {len(self.described) - 5} more" if len(self.described) > 5 else ""
        super().__init__(f"“{query.strip()}” matches several places: {names}{more}.")


class MatchedBy:
    """How a query was read; the match says it so a page can offer the other readings."""

    ZIP_CODE = "zip_code"
    OCD_ID = "ocd_id"
    OCD_ALIAS = "ocd_alias"
    US_POSTAL_CODE = "us_postal_code"  # "CA" read as California
    ISO_CODE = "iso_code"  # "TH", "US-AL"
    NAME = "name"


@dataclass(frozen=True)
class PlaceMatch:
    """The place a query names.

    `jurisdiction` is the place to resolve. For a ZIP code it is the ZIP's place when its postal
    city names one (then `approximate`: a postal city is not always the municipality), else its
    county, else its state; `zip_code` keeps the certain state and county. `alternatives` are the
    other readings of a bare country/state name or two-letter code ("also: Florida, New York").
    """

    jurisdiction: Jurisdiction
    matched_by: str
    zip_code: ZipCode | None = None
    alternatives: tuple[Jurisdiction, ...] = field(default=())
    city: WorldCity | None = None  # the city abroad a name meant; `jurisdiction` holds it
    # The cities abroad of the name among `alternatives` (jurisdiction pk -> city), for words.
    alternative_cities: Mapping[int, WorldCity] = field(default_factory=dict)

    @property
    def approximate(self) -> bool:
        return self.zip_code is not None and self.zip_code.place_id == self.jurisdiction.pk

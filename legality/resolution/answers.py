"""What resolution answers, as frozen dataclasses (sources as named tuples), and the vocabulary
it answers in.

Everything here is plain data (no model instances), so the pure rules in `rules.py` can be
tested without a database and the API, pages and CSV all shape the same answer.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from legality.activities import Coding
from legality.dates import last_day_in_force, start_of_period
from legality.models import DatePrecision, LegalStatus

KRATOM = "kratom"
SEVEN_OH = "7-oh"
UNKNOWN = "unknown"  # an answer, never a stored status: no layer has an entry in force

# Most restrictive first wins; the public order of the status vocabulary.
RANK = {
    LegalStatus.Status.LEGAL: 0,
    LegalStatus.Status.REGULATED: 1,
    LegalStatus.Status.RESTRICTED: 2,
    LegalStatus.Status.BANNED: 3,
}
LEVEL_ORDER = {"country": 0, "state": 1, "county": 2, "place": 3}


class Assumption:
    """Codes for what an answer had to assume; the API lists them, pages say them in words."""

    COUNTY_SCOPE_UNKNOWN = "county_scope_unknown"  # a county entry may stop at city limits
    ZIP_PLACE_APPROXIMATE = "zip_place_approximate"  # the ZIP's postal city, not surely the town
    COVERED_BY_KRATOM_BAN = "covered_by_kratom_ban"  # 7-OH banned by the layer's kratom ban
    START_DATE_UNKNOWN = "start_date_unknown"  # a restrictive entry not yet attested on that date


class Standing:
    """How a layer's entry takes part in the answer on the date asked."""

    APPLIES = "applies"
    NO_ENTRY = "no_entry"
    OUTSIDE_SCOPE = "outside_scope"  # an unincorporated-only county entry, an incorporated place
    START_DATE_UNKNOWN = "start_date_unknown"  # before the earliest evidence of a restrictive entry
    # A county holding a smaller part of a place's residents: it answers for that part only
    # (Result.elsewhere), never for the whole place.
    OTHER_PART = "other_part"


@dataclass(frozen=True)
class JurisdictionRef:
    id: int
    ocd_id: str
    name: str
    level: str
    is_incorporated: bool | None = None
    place_kind: str = ""  # a place's census kind (legality.models.PlaceKind), else ""
    is_city_county: bool = False  # a county that is also one city: no "outside city limits"


@dataclass(frozen=True)
class SubstanceRef:
    id: int
    slug: str
    name: str


class SourceRef(NamedTuple):
    """A source as an entry cites it. A named tuple, not a frozen dataclass like the rest: a
    place's page cites dozens (Tupelo's lookup reads 32), and a named tuple is made in a
    quarter of the time (0.25 against 1 us)."""

    id: int
    title: str
    url: str = ""
    citation: str = ""
    publisher: str = ""
    kind: str = ""
    published_on: datetime.date | None = None
    published_precision: str = ""
    archive_url: str = ""


@dataclass(frozen=True)
class Entry:
    """A published LegalStatus as resolution sees it (internal notes are never copied here)."""

    id: int
    jurisdiction_id: int
    substance: str  # slug
    status: str
    minimum_age: int | None = None
    applies_to: str = ""  # county entries: "whole", "unincorporated", or "" for scope unknown
    summary: str = ""
    details: str = ""
    effective_from: datetime.date | None = None
    effective_from_precision: str = ""
    effective_until: datetime.date | None = None  # half-open: the first day no longer in force
    unverified: bool = False
    last_verified_at: datetime.date | None = None
    recorded_on: datetime.date | None = None  # the day the entry was created
    has_open_flag: bool = False
    flagged_on: datetime.date | None = None  # its oldest open flag: due for re-checking since
    is_being_checked: bool = False  # a curator has taken one of its open flags
    sources: tuple[SourceRef, ...] = ()
    coding: Coding = Coding()  # what it says of each activity

    @property
    def start(self) -> datetime.date | None:
        """First day in force: a month or year start counts from the first day of it."""
        if self.effective_from is None:
            return None
        return start_of_period(self.effective_from, self.effective_from_precision)

    @property
    def last_day_in_force(self) -> datetime.date | None:
        return last_day_in_force(self.effective_until)

    @property
    def known_by(self) -> tuple[datetime.date, str] | None:
        """The earliest day this entry is known to be in force, with its precision.

        For an entry with no known start: its earliest dated source (a month or year counts
        from its first day), or, if earlier, the day it was recorded or last verified (a
        curator said then that it was in force). The day it was recorded is kept because
        re-verifying moves `last_verified_at` later and must not move this date with it.
        None when nothing is dated.
        """
        evidence = [
            (source.published_on, source.published_precision or DatePrecision.DAY)
            for source in self.sources
            if source.published_on is not None
        ]
        evidence += [
            (day, DatePrecision.DAY)
            for day in (self.last_verified_at, self.recorded_on)
            if day is not None
        ]
        return min(evidence, key=lambda item: item[0], default=None)


@dataclass(frozen=True)
class Enclosure:
    """One jurisdiction enclosing the place (or the place itself) with all its published entries.

    `entries` holds every period of every loaded substance; resolution picks by date.
    `approximate` marks a ZIP code's assumed place. `uninhabited` marks a county holding a part
    of the place with no residents: named on the page, never a layer of law. `part` marks a
    county holding residents of the place but not most of them: shown as a layer, it answers
    only for its part of the place (a side, as a ZIP code's other counties are).
    """

    jurisdiction: JurisdictionRef
    entries: tuple[Entry, ...] = ()
    approximate: bool = False
    uninhabited: bool = False
    zip_share: Decimal | None = None  # a ZIP code's county: its share of the area's land
    beside: bool = False  # a ZIP code's other county: answers its own side, not a layer
    part: bool = False  # a place's other county with residents: a layer for its part only


@dataclass(frozen=True)
class Layer:
    """One layer of law in an answer: what its entry says on the date and whether it counts."""

    jurisdiction: JurisdictionRef
    entry: Entry | None  # the entry shown: in force, or in force but not yet attested
    status: str | None  # the entry's status ("banned" for 7-OH under a kratom ban); None: none
    minimum_age: int | None
    standing: str  # a Standing value
    approximate: bool = False
    applies_to: str | None = None  # "whole" / "unincorporated" for county entries, else None
    notes: tuple[str, ...] = ()  # words for readers: "may apply only outside city limits", ...
    assumptions: tuple[str, ...] = ()

    @property
    def applies(self) -> bool:
        return self.standing == Standing.APPLIES

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        return self.entry.sources if self.entry is not None else ()


@dataclass(frozen=True)
class Change:
    """A dated change still to come in one layer: from `date`, that layer says `status`."""

    date: datetime.date
    jurisdiction: JurisdictionRef
    status: str  # UNKNOWN when the layer's entry ends and no entry follows
    minimum_age: int | None = None
    precision: str = DatePrecision.DAY  # of `date`, for "from July 2026"


@dataclass(frozen=True)
class ActivityAnswer:
    """The combined answer for one activity (resolution/activities.py), and who decided it."""

    activity: str  # one of legality.activities.ACTIVITIES
    rule: str  # one of legality.activities.RULES
    decided_by: JurisdictionRef | None = None  # None: no layer applies, or none addresses it
    minimum_age: int | None = None  # age_limited or conditions: the highest age governing it


@dataclass(frozen=True)
class Elsewhere:
    """Another side of a line inside the place asked about, where the answer differs."""

    where: str  # "outside the town limits, in unincorporated Lee County"
    status: str
    decided_by: JurisdictionRef | None
    minimum_age: int | None = None


@dataclass(frozen=True)
class Result:
    """The answer for one substance."""

    substance: SubstanceRef
    status: str  # legal, regulated, restricted, banned or unknown
    minimum_age: int | None
    decided_by: JurisdictionRef | None  # None only when the status is unknown
    entry: Entry | None  # the deciding entry
    last_verified_at: datetime.date | None
    stale: bool  # a deciding entry (status or minimum age) has an open review flag
    unverified: bool  # the deciding entry is not yet confirmed in a primary text
    layers: tuple[Layer, ...]  # broadest first: country, state, counties, place
    upcoming: tuple[Change, ...] = ()
    assumptions: tuple[str, ...] = ()
    activities: tuple[ActivityAnswer, ...] = ()  # one per activity, in ACTIVITIES order
    # Where the answer depends on the side of a town limit or county line (a ZIP code, a place
    # in several counties): the other sides that answer differently, and the most restrictive
    # answer anywhere.
    elsewhere: tuple[Elsewhere, ...] = ()
    strictest: str | None = None
    # The layer whose entry sets `minimum_age`: a condition of that layer, which need not be
    # the one that decides the status (a state's age limit under a city's ban on sales).
    minimum_age_set_by: JurisdictionRef | None = None
    # The review state of what a reader is shown: the deciding entry, and the age's entry
    # unless the status is banned (no age is shown then).
    due_since: datetime.date | None = None  # the oldest open review flag among them
    is_being_checked: bool = False  # a curator has taken an open flag of one of them

    @property
    def varies(self) -> bool:
        return bool(self.elsewhere)


@dataclass(frozen=True)
class ZipCounty:
    """A county of a ZIP code's area and its share of the area's land (0 to 1)."""

    county: JurisdictionRef
    land_share: Decimal


@dataclass(frozen=True)
class Answer:
    as_of: datetime.date
    place: JurisdictionRef
    results: tuple[Result, ...]
    zip_code: str | None = None  # set for a ZIP lookup; `place` is then its assumed place
    # Counties holding a part of the place with no residents (2020 Census): not layers.
    uninhabited_counties: tuple[JurisdictionRef, ...] = ()
    zip_counties: tuple["ZipCounty", ...] = ()  # a ZIP code's, largest share of its land first

    def result_for(self, slug: str) -> Result:
        return next(result for result in self.results if result.substance.slug == slug)

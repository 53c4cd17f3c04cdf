"""The words pages and feeds use for answers and changes, made from resolution's plain data.

A status reads "Banned", and no entry reads "No entry: we don't know", never "legal"; a
headline says since when and which law decides, with the age as the condition of the layer that
sets it; a change reads "legal → restricted".
"""

import datetime

from django.utils import timezone

from legality.changes import StatusChange
from legality.dates import describe_end, describe_known_by, describe_start, format_date
from legality.resolution import UNKNOWN, Entry, Result

STATUS_WORDS = {
    "legal": "Legal",
    "regulated": "Regulated",
    "restricted": "Restricted",
    "banned": "Banned",
    UNKNOWN: "No entry: we don't know",
}
STATUSES = ("legal", "regulated", "restricted", "banned")
STATUSES_WITH_AGE = ("legal", "regulated", "restricted")  # an age next to "banned" means nothing


def status_words(status: str, minimum_age: int | None) -> dict:
    """A status in plain words; the minimum age only where it matters (not beside "banned")."""
    age = minimum_age if status in STATUSES_WITH_AGE else None
    return {
        "status": status,
        "words": STATUS_WORDS.get(status, status),
        "age": f"{age} and over" if age is not None else "",
    }


def period_words(entry: Entry, *, on: datetime.date) -> str:
    """An entry's period in words: 'since February 2026', 'start date unknown; in force by
    March 2021', 'since 2014, until 30 June 2026'."""
    if entry.effective_from is not None:
        start = describe_start(entry.effective_from, entry.effective_from_precision, on=on)
    elif entry.status == "legal":
        start = "no start date (no kratom law before it)"
    elif (known_by := entry.known_by) is not None:
        start = f"start date unknown; {describe_known_by(*known_by)}"
    else:
        start = "start date unknown"
    return ", ".join(words for words in (start, describe_end(entry.effective_until)) if words)


# The word for the law behind an entry, from its sources' kinds, most formal first.
LAW_WORDS = {
    "statute": "law",
    "bill": "law",
    "regulation": "regulation",
    "ordinance": "ordinance",
    "court_decision": "court decision",
    "agency_notice": "agency notice",
}
LEVEL_WORDS = {"country": "national", "state": "state", "county": "county", "place": "local"}


def deciding_law(result: Result) -> str:
    """'Tupelo ordinance', 'Colorado law', 'Denver County agency notice': who decides, and by
    what kind of text (the most formal of its sources), in a few words."""
    if result.decided_by is None or result.entry is None:
        return ""
    kinds = {source.kind for source in result.entry.sources}
    word = next((w for kind, w in LAW_WORDS.items() if kind in kinds), None)
    if word is None:
        word = f"({LEVEL_WORDS.get(result.decided_by.level, result.decided_by.level)} rule)"
    return f"{result.decided_by.name} {word}"


def headline(result: Result, *, on: datetime.date) -> dict:
    """The answer for one substance in one line, and the age as the condition of its own layer.

    The age joins the status only when the deciding layer sets it ("Regulated · 21 and over");
    a stricter layer's status is never glued to another layer's age: that reads "Colorado: 21
    and over to buy" beside it. Beside "banned" an age means nothing and is left out.
    """
    words = status_words(result.status, None)
    age, age_condition = "", ""
    if result.minimum_age is not None and result.status in STATUSES_WITH_AGE:
        set_by = result.minimum_age_set_by
        if set_by is None or (result.decided_by and set_by.id == result.decided_by.id):
            age = f"{result.minimum_age} and over"
        else:
            age_condition = f"{set_by.name}: {result.minimum_age} and over to buy"
    entry = result.entry
    since = ""
    if entry is not None and entry.effective_from is not None:
        since = describe_start(entry.effective_from, entry.effective_from_precision, on=on)
    return {
        **words,
        "age": age,
        "age_condition": age_condition,
        "since": since,
        "law": deciding_law(result),
    }


def describe_change(change: StatusChange, *, today: datetime.date) -> dict:
    """A status change in words, for pages and feeds: "legal → restricted", "from 1 July 2026"."""
    before = _rule_words(change.previous_status, change.previous_minimum_age, first=True)
    after = _rule_words(change.status, change.minimum_age, first=False)
    where = change.jurisdiction.name
    return {
        "change": change,
        "key": change.key,
        "when": format_date(change.day, change.precision),
        "is_upcoming": change.is_upcoming(today),
        "recorded": format_date(timezone.localdate(change.recorded_at)),
        "jurisdiction": change.jurisdiction,
        "substance": change.substance,
        "status": change.status or "none",
        "what": f"{before} → {after}",
        "title": f"{where}: {before} → {after} ({change.substance.name})",
    }


def _rule_words(status: str | None, minimum_age: int | None, *, first: bool) -> str:
    """'restricted', 'regulated, 21 and over', or the absence of a rule of the layer's own."""
    if status is None:
        return "no rule of its own" if first else "rule ended"
    words = status_words(status, minimum_age)
    return f"{words['words'].lower()}, {words['age']}" if words["age"] else words["words"].lower()

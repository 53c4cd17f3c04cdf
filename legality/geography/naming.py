"""How names are compared, and the readings of what a person types.

`normalize_name` is the one folding used both for stored `search_name`s and for queries (the
gazetteer README's *Name normalization*): ASCII fold, lower case, drop '.' and apostrophes,
'-' and '/' as spaces, Saint/Mount/Fort as St/Mt/Ft. `readings` turns a query into the few ways
it can be read ("Tupelo MS" is Tupelo in MS; "Springfield, IL, US" is Springfield in IL in the
US); the number of readings and of names each looks up is bounded, whatever the input.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

_SPACES = re.compile(r"\s+")
_DROPPED = str.maketrans({".": "", "'": "", "’": "", "‘": "", "-": " ", "/": " "})
_WORD_FORMS: Final = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}

MAX_PARTS: Final = 4  # "name, state, country" and one more; more is not a place
MAX_WORDS: Final = 12  # the longest place names have 7 ("Lake Shore Drive Estates ...")
MAX_QUALIFIER_WORDS: Final = 3  # "District of Columbia", "New Hampshire", "US Virgin Islands"

# Words a reader may add that say what kind of division they mean.
COUNTY_WORDS: Final = (
    "county",
    "parish",
    "borough",
    "census area",
    "municipio",
    "municipality",
    "city and borough",
)
TOWNSHIP_WORDS: Final = ("township", "charter township", "town")
CITY_WORDS: Final = ("city", "village", "borough", "town")
COMMUNITY_WORDS: Final = ("cdp",)
_LEADING: Final = ("city of ", "town of ", "village of ", "township of ", "borough of ")


def normalize_name(name: str) -> str:
    """'Bogotá  D.C.' -> 'bogota dc'; 'Saint Louis' and 'St. Louis' -> 'st louis';
    'Winston-Salem' -> 'winston salem'. Commas are kept: they separate a query's parts."""
    if name.isascii():  # nearly every name: NFKD leaves ASCII as it is, so skip the fold
        ascii_only = name
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _SPACES.sub(" ", ascii_only.casefold().translate(_DROPPED)).strip().split(" ")
    return " ".join(_WORD_FORMS.get(word, word) for word in words)


class Kind:
    """What a reader said they mean ("Sarasota County", "Springfield Township")."""

    ANY = ""
    COUNTY = "county"
    TOWNSHIP = "township"
    CITY = "city"
    COMMUNITY = "community"


_KIND_WORDS: Final = (
    (Kind.COUNTY, COUNTY_WORDS),
    (Kind.TOWNSHIP, TOWNSHIP_WORDS),
    (Kind.CITY, CITY_WORDS),
    (Kind.COMMUNITY, COMMUNITY_WORDS),
)


@dataclass(frozen=True)
class NameForms:
    """The names one part of a query may stand for.

    `exact`: as typed (and without a leading "city of"). `said`: the name without a word the
    reader added, with the kind that word names ("springfield", TOWNSHIP). `longer`: the name
    with a word the Census adds ("boise" -> "boise city", "methuen" -> "methuen town"), and
    `county`: the name with a county word ("honolulu" -> "honolulu county").
    """

    exact: tuple[str, ...]
    said: tuple[tuple[str, str], ...] = ()
    longer: tuple[str, ...] = ()
    county: tuple[str, ...] = ()

    @property
    def keys(self) -> set[str]:
        return {
            *self.exact,
            *(name for name, _ in self.said),
            *self.longer,
            *self.county,
        }


def name_forms(text: str) -> NameForms:
    exact = [text]
    for leading in _LEADING:
        if text.startswith(leading) and len(text) > len(leading):
            exact.append(text.removeprefix(leading))
    said = tuple(
        (name.removesuffix(f" {word}"), kind)
        for name in exact
        for kind, words in _KIND_WORDS
        for word in words
        if name.endswith(f" {word}")
    )
    base = exact[-1]
    return NameForms(
        exact=tuple(exact),
        said=said,
        longer=tuple(f"{base} {word}" for word in CITY_WORDS),
        county=() if said else tuple(f"{base} {word}" for word in COUNTY_WORDS),
    )


@dataclass(frozen=True)
class Reading:
    """One way to read a query: a name and the states or countries it should lie in."""

    name: NameForms
    qualifiers: tuple[str, ...] = ()


def readings(text: str) -> list[Reading]:
    """The readings of a normalised query, most literal first; [] when it is too long to be a
    place. Commas split it ("Springfield, IL"); without commas, its last one to three words may
    be a state or country ("Tupelo MS", "Springfield New Jersey"). A name with a comma of its
    own ("Korea, Republic of") is read whole first.
    """
    parts = [part.strip() for part in text.split(",")]
    parts = [part for part in parts if part]
    if not parts or len(parts) > MAX_PARTS or len(text.split()) > MAX_WORDS:
        return []
    found = [Reading(name_forms(", ".join(parts)))]
    if len(parts) > 1:
        found.append(Reading(name_forms(parts[0]), tuple(parts[1:])))
        return found
    words = parts[0].split(" ")
    for size in range(1, min(MAX_QUALIFIER_WORDS, len(words) - 1) + 1):
        name, qualifier = " ".join(words[:-size]), " ".join(words[-size:])
        found.append(Reading(name_forms(name), (qualifier,)))
    return found

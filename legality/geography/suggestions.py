"""'Did you mean …?': close names for a query that matches nothing.

The candidates are bounded and come in one query: the places and counties of the state the
reader named, or, without a state, every country, first-level division and US place of 50,000
people or more. rapidfuzz ranks them the same way on SQLite and PostgreSQL (no database
extension is involved).
"""

from rapidfuzz import fuzz, process

from legality.models import Jurisdiction

from .naming import normalize_name

MAX_SUGGESTIONS = 5
MIN_SCORE = 80
LARGE_PLACE = 50_000


def suggest_names(name: str, *, within: set[int] | None = None) -> tuple[str, ...]:
    """Up to five names close to `name` (normalised), best first, as a reader would type them
    ("Springfield, Illinois"); `within` holds the ids of the states or countries the reader
    named."""
    rows = Jurisdiction.objects.select_related("parent").only(
        "name", "search_name", "level", "parent__name", "parent__level"
    )
    if within:
        # Query: the places and counties of the state(s) named (a few thousand at most).
        rows = rows.filter(parent_id__in=within, level__in=["place", "county"])
    else:
        # Query: countries, first-level divisions and large US places.
        rows = rows.filter(level__in=["country", "state"]) | rows.filter(
            level="place", population__gte=LARGE_PLACE
        )
    choices: dict[str, str] = {}
    for row in rows:
        shown = row.name
        if row.parent is not None and row.level in ("place", "county"):
            shown = f"{row.name}, {row.parent.name}"
        choices.setdefault(shown, row.search_name)
    found = process.extract(
        normalize_name(name),
        choices,
        scorer=fuzz.ratio,  # edit distance: "field" is not close to "sprinfield"
        limit=MAX_SUGGESTIONS,
        score_cutoff=MIN_SCORE,
    )
    return tuple(shown for _, _, shown in found)

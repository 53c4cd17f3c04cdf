"""What a reader may type: limits that keep every request's work bounded.

A place query is read part by part ("San Diego, San Diego County, California, United States"
has four parts), so both its length and its number of comma-separated parts are capped before
`find_place` sees it. Control characters (NUL above all) have no place in a URL a person typed:
the request middleware answers 400 for any in the path or the query string.
"""

import unicodedata

from django.core.exceptions import ValidationError

MAX_QUERY_LENGTH = 200  # the longest real place name with its county, state and country is ~90
MAX_QUERY_PARTS = 5  # place, county, state, country, and one to spare
MAX_PARAMETER_LENGTH = 300  # any other query-string value: the longest OCD id is ~150
MAX_PATH_LENGTH = 500


def control_characters_in(text: str) -> bool:
    """True if `text` holds a control character (category Cc: NUL, tabs, newlines, DEL, C1)."""
    return any(unicodedata.category(char) == "Cc" for char in text)


def validate_place_query(text: str) -> None:
    """Raise ValidationError, with a reason for the reader, if `text` is no place query."""
    if control_characters_in(text):
        raise ValidationError("The query has control characters; type a place name or ZIP code.")
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError(
            f"The query is {len(text)} characters long; a place query has at most "
            f"{MAX_QUERY_LENGTH}."
        )
    if text.count(",") >= MAX_QUERY_PARTS:
        raise ValidationError(
            f"The query has {text.count(',') + 1} comma-separated parts; give at most "
            f"{MAX_QUERY_PARTS}: place, county, state, country."
        )

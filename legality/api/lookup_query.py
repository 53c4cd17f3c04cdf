"""The lookup's query string read by a plain function when it is plainly valid.

`LookupQuerySerializer` documents the query and words every error; building and running it costs
a cold lookup about a tenth of its time (DRF deep-copies its fields on every request). Most
lookups are a plain `q`, perhaps with a date or a substance: `plainly_valid_lookup` reads those
and answers exactly what the serializer's `validated_data` would. Anything else, so every
mistake, it leaves to the serializer (None), which says what is wrong as before.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.http import QueryDict

from legality.input_limits import MAX_QUERY_LENGTH, validate_place_query

# As LookupQuerySerializer's fields read them: DateField's ISO 8601 date and SlugField's slug.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MAX_SUBSTANCE_LENGTH = 20  # LookupQuerySerializer's too


def plainly_valid_lookup(params: QueryDict) -> dict | None:
    """`LookupQuerySerializer(data=params).validated_data` for a `q` that passes every check of
    the serializer, with a well-formed `as_of` and `substance` if given; None for anything else
    (an `ocd_id`, a blank or invalid value), which the serializer then reads."""
    if "ocd_id" in params or "q" not in params:
        return None
    # A CharField trims whitespace, then checks the length, NUL and surrogate characters (the
    # place query's own rule rejects every control character) and the place query's rules.
    query = params["q"].strip()
    if not query or len(query) > MAX_QUERY_LENGTH or _has_surrogates(query):
        return None
    try:
        validate_place_query(query)
    except ValidationError:
        return None
    validated: dict = {"q": query}
    if "as_of" in params:
        text = params["as_of"]
        if not _ISO_DATE.fullmatch(text):
            return None
        try:
            validated["as_of"] = datetime.date.fromisoformat(text)
        except ValueError:
            return None
    if "substance" in params:
        slug = params["substance"].strip()
        if len(slug) > MAX_SUBSTANCE_LENGTH or not _SLUG.fullmatch(slug):
            return None
        validated["substance"] = slug
    return validated


def _has_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)

"""Geography: how names are compared, and (later) how a query finds a place."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Lower-case, strip accents, collapse spaces: 'Bogotá  D.C.' -> 'bogota d.c.'.

    Used both when storing `search_name` and when reading a query, so the two always agree.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", without_accents.replace("’", "'")).strip().casefold()

import html
import re

import pytest

from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

NOTICE = "Not legal advice."
# Tags that start a new line for a reader; inline tags (a, strong, cite, span) join their words.
_BLOCK_TAG = re.compile(
    r"</?(p|li|ul|ol|h[1-6]|td|th|tr|table|section|header|main|footer|br)\b[^>]*>"
)


def text(response) -> str:
    """The page as a reader sees it: tags stripped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    body = re.sub(_BLOCK_TAG, " ", body)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", body))).strip()


@pytest.fixture
def mississippi(db):
    return UsStateFactory(name="Mississippi", postal_code="MS")


@pytest.fixture
def lee(mississippi):
    return NamedCountyFactory(parent=mississippi, name="Lee County")


@pytest.fixture
def tupelo(mississippi, lee):
    return NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])

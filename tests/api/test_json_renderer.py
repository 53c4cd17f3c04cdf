"""The lookups' JSON is written by orjson, in the bytes DRF's own JSONRenderer writes."""

import datetime
import uuid
from decimal import Decimal

from django.utils.functional import lazy
from rest_framework.renderers import JSONRenderer

from legality.api.renderers import OrjsonRenderer

lazy_words = lazy(lambda: "lazy “words”", str)

PAYLOAD = {
    "place": {"name": "Tupelo", "ocd_id": "ocd-division/country:us/state:ms/place:tupelo"},
    "as_of": datetime.date(2026, 12, 7),
    "recorded_at": datetime.datetime(2026, 12, 7, 3, 28, 4, 596972, tzinfo=datetime.UTC),
    "at": datetime.time(9, 30, 15, 123456),
    "share": 0.7345,
    "limit": Decimal("1.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "counts": {1: "one", 2: "two"},
    "summary": "Banned\u2028since 2016\u2029— “not legal advice”",
    "words": lazy_words(),
    "results": [{"status": "banned", "minimum_age": None, "unverified": False}, [1, 2.5, True]],
    "empty": [],
}


def test_the_same_bytes_as_drfs_renderer():
    assert OrjsonRenderer().render(PAYLOAD) == JSONRenderer().render(PAYLOAD)


def test_line_separators_are_escaped_as_javascript_needs():
    written = OrjsonRenderer().render({"text": "a\u2028b\u2029c"})
    assert written == b'{"text":"a\\u2028b\\u2029c"}'


def test_indented_json_is_drfs_own():
    context = {"indent": 4}
    assert OrjsonRenderer().render(PAYLOAD, "application/json", context) == JSONRenderer().render(
        PAYLOAD, "application/json", context
    )
    assert b"\n    " in OrjsonRenderer().render(PAYLOAD, "application/json; indent=4")

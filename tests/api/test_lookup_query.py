"""The lookup's plain query reader answers exactly what LookupQuerySerializer validates, or
leaves the query to it."""

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from legality.api.lookup_query import plainly_valid_lookup
from legality.api.serializers import LookupQuerySerializer

VALUES = {
    "q": [
        "Tupelo, MS",
        "  38804 ",
        "",
        "   ",
        "a\x00b",
        "a\tb",
        "x" * 200,
        "x" * 201,
        " " + "x" * 200 + " ",
        "a,b,c,d,e",
        "a,b,c,d,e,f",
        "caf\u00e9",
        "\ud800",
        "US-AL",
    ],
    "as_of": [
        "2021-06-01",
        "2021-6-1",
        "2021-13-01",
        "20210601",
        "",
        " 2021-06-01",
        "2021-02-29",
        "2024-02-29",
        "2021-06-01T00:00",
        "0000-01-01",
        "９９９９-01-01",
    ],
    "substance": ["kratom", "7-oh", " kratom ", "b d", "", "x" * 20, "x" * 21, "kratom\n", "é"],
    "ocd_id": ["ocd-division/country:us", "x"],
}


def query(pairs: dict) -> QueryDict:
    params = QueryDict(mutable=True)
    params.update(pairs)
    return params


def serializer_reads(params: QueryDict) -> dict | None:
    query = LookupQuerySerializer(data=params)
    return dict(query.validated_data) if query.is_valid() else None


def check(params: QueryDict) -> None:
    plain = plainly_valid_lookup(params)
    if plain is not None:  # what it reads, the serializer reads alike; the rest goes to it
        assert plain == serializer_reads(params)


@pytest.mark.parametrize("q", VALUES["q"])
@pytest.mark.parametrize("field", ["as_of", "substance", "ocd_id", None])
def test_each_value_reads_as_the_serializer_reads_it(q, field):
    for value in VALUES.get(field, [None]):
        pairs = {"q": q, **({field: value} if field else {})}
        check(query(pairs))


def test_the_common_queries_are_read_without_the_serializer():
    assert plainly_valid_lookup(QueryDict("q=Tupelo,+MS")) == {"q": "Tupelo, MS"}
    params = QueryDict("q=+38804+&as_of=2021-06-01&substance=7-oh&format=json")
    assert plainly_valid_lookup(params) == serializer_reads(params)
    assert plainly_valid_lookup(params) is not None
    # repeated: the last value, as the serializer reads a QueryDict
    assert plainly_valid_lookup(QueryDict("q=Tupelo&q=Boston")) == {"q": "Boston"}
    assert serializer_reads(QueryDict("q=Tupelo&q=Boston")) == {"q": "Boston"}


@settings(deadline=None)  # the first call loads DRF's fields; a slow machine is no failure
@given(
    st.dictionaries(
        st.sampled_from(["q", "as_of", "substance", "ocd_id", "other"]),
        st.text(max_size=30) | st.sampled_from([v for values in VALUES.values() for v in values]),
    )
)
def test_any_query_reads_as_the_serializer_reads_it(pairs):
    check(query(pairs))

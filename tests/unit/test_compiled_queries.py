"""CompiledQuery: a values_list() QuerySet compiled once per shape, run with new values."""

import pytest
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from legality.compiled_queries import MAX_COMPILED_LIST, MAX_PADDED_LIST, CompiledQuery
from legality.models import Jurisdiction, LegalStatus, OcdAlias
from tests.factories import LegalStatusFactory
from tests.geo_factories import NamedCountyFactory, UsStateFactory

pytestmark = pytest.mark.django_db


def _with_alias(ids, name):
    aliased = OcdAlias.objects.filter(jurisdiction=OuterRef("pk"))
    return (
        Jurisdiction.objects.filter(pk__in=ids, name=name)
        .annotate(has_alias=Exists(aliased))
        .order_by("pk")
        .values_list("has_alias", "name", "id", "parent__ocd_id")
    )


@pytest.fixture
def places():
    mississippi = UsStateFactory(name="Mississippi", postal_code="MS")
    ohio = UsStateFactory(name="Ohio", postal_code="OH")
    lee = NamedCountyFactory(parent=mississippi, name="Lee County")
    other_lee = NamedCountyFactory(parent=ohio, name="Lee County")
    OcdAlias.objects.create(jurisdiction=lee, ocd_id="ocd-division/country:us/state:ms/lee")
    return mississippi, ohio, lee, other_lee


def test_rows_are_the_querysets_rows_in_the_order_asked(places):
    mississippi, ohio, lee, other_lee = places
    query = CompiledQuery(_with_alias)
    for ids, name in (
        ([lee.pk, other_lee.pk], "Lee County"),
        ([other_lee.pk, mississippi.pk], "Lee County"),  # same shape, other values
        ([mississippi.pk, ohio.pk], "Ohio"),
        ([lee.pk], "Lee County"),
    ):
        assert query.rows(ids=ids, name=name) == list(_with_alias(ids, name))
    assert query.rows(ids=[lee.pk, other_lee.pk], name="Lee County") == [
        (True, "Lee County", lee.pk, mississippi.ocd_id),
        (False, "Lee County", other_lee.pk, ohio.ocd_id),
    ]


def test_it_compiles_once_per_shape_and_runs_one_statement_each_time(places):
    mississippi, ohio, lee, other_lee = places
    query = CompiledQuery(_with_alias)
    query.rows(ids=[lee.pk, ohio.pk], name="Ohio")
    query.rows(ids=[lee.pk, other_lee.pk], name="Lee County")
    query.rows(ids=[ohio.pk, ohio.pk, lee.pk], name="Ohio")  # repeated values count once
    assert len(query._compiled) == 1
    query.rows(ids=[lee.pk], name="Ohio")
    assert len(query._compiled) == 2
    with CaptureQueriesContext(connection) as queries:
        query.rows(ids=[lee.pk, ohio.pk], name="Lee County")
    assert len(queries) == 1


def test_long_lists_are_padded_so_their_shapes_repeat(places):
    mississippi, ohio, lee, other_lee = places
    query = CompiledQuery(_with_alias)
    many = [lee.pk, *range(10**6, 10**6 + MAX_COMPILED_LIST)]  # 65 values: padded to 128
    assert query.rows(ids=many, name="Lee County") == list(_with_alias(many, "Lee County"))
    more = [other_lee.pk, lee.pk, *range(10**6, 10**6 + 100)]  # 102 values: 128 too
    assert query.rows(ids=more, name="Lee County") == list(_with_alias(more, "Lee County"))
    assert len(query._compiled) == 1
    assert [row[2] for row in query.rows(ids=more, name="Lee County")] == [lee.pk, other_lee.pk]
    # SQLite binds a thousand values faster by position than by name.
    [compiled] = query._compiled.values()
    assert compiled.names is None and "%s" in compiled.sql


def test_very_long_lists_run_the_queryset_itself(places):
    mississippi, ohio, lee, other_lee = places
    query = CompiledQuery(_with_alias)
    huge = [lee.pk, *range(10**6, 10**6 + MAX_PADDED_LIST)]
    assert query.rows(ids=huge, name="Lee County") == list(_with_alias(huge, "Lee County"))
    assert query._compiled == {}


def test_an_empty_list_is_a_shape_of_its_own(places):
    mississippi, ohio, lee, other_lee = places
    # An empty IN every row must match: no rows, and no query run (as Django does).
    query = CompiledQuery(_with_alias)
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(ids=[], name="Lee County") == []
        assert query.rows(ids=set(), name="Ohio") == []
    assert len(queries) == 0 and len(query._compiled) == 1
    # An empty IN in an OR drops out: the other condition still finds its rows.
    either = CompiledQuery(
        lambda ids, name: Jurisdiction.objects.filter(Q(pk__in=ids) | Q(name=name))
        .order_by("pk")
        .values_list("id")
    )
    for ids, name in (([], "Lee County"), ([ohio.pk], "Lee County"), ([], "Ohio")):
        expected = list(Jurisdiction.objects.filter(Q(pk__in=ids) | Q(name=name)).order_by("pk"))
        assert either.rows(ids=ids, name=name) == [(j.pk,) for j in expected]
    assert len(either._compiled) == 2
    with CaptureQueriesContext(connection) as queries:
        either.rows(ids=[], name="Ohio")
    assert len(queries) == 1


def test_a_lookup_that_rewrites_its_argument_is_refused(places):
    query = CompiledQuery(
        lambda name: Jurisdiction.objects.filter(name__contains=name).values_list("id")
    )
    with pytest.raises(TypeError, match="rewritten"):
        query.rows(name="Lee")


def test_model_instances_are_refused(places):
    query = CompiledQuery(lambda name: Jurisdiction.objects.filter(name=name))
    with pytest.raises(TypeError, match="values_list"):
        query.rows(name="Ohio")


def test_literal_percent_signs_and_repeated_arguments_survive_the_named_placeholders(places):
    mississippi, ohio, lee, other_lee = places
    # startswith=F(...) writes literal percent signs ('%%') into the SQL; `ids` is used twice.
    query = CompiledQuery(
        lambda ids: Jurisdiction.objects.filter(pk__in=ids, name__startswith=F("name"))
        .exclude(parent_id__in=ids)
        .order_by("pk")
        .values_list("id")
    )
    ids = [mississippi.pk, lee.pk, other_lee.pk]
    assert query.rows(ids=ids) == [(mississippi.pk,), (other_lee.pk,)]
    [compiled] = query._compiled.values()
    assert "%s" not in compiled.sql and len(compiled.names) == len(compiled.slots) == len(ids)


def test_converted_values_are_the_querysets_and_no_two_rows_share_a_mutable_one(places, kratom):
    # Equal JSON lists in two rows: converted once each, never one list for both rows.
    mississippi, ohio, lee, other_lee = places
    for place in (mississippi, ohio, lee, other_lee):
        LegalStatusFactory(jurisdiction=place, substance=kratom, minimum_age_applies_to=["sale"])

    def statuses(ids):
        return (
            LegalStatus.objects.filter(jurisdiction_id__in=ids)
            .order_by("jurisdiction_id")
            .values_list("minimum_age_applies_to", "effective_until", "unverified", "created_at")
        )

    ids = [place.pk for place in places]
    rows = CompiledQuery(statuses).rows(ids=ids)

    assert rows == list(statuses(ids))
    lists = [row[0] for row in rows]
    assert len({id(found) for found in lists}) == len(lists) == 4
    lists[0].append("changed")
    assert rows[1][0] == ["sale"]

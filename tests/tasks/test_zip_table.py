"""The ZIP table job: every ZIP code's answer, rebuilt when the data or the day changed."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from legality.models import LegalStatus, ZipCodeCounty, ZipTable
from legality.tasks import refresh_zip_table_task
from legality.zip_table import CHUNK, refresh_zip_table
from tests.factories import LegalStatusFactory, ZipCodeFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)
Status = LegalStatus.Status


@pytest.fixture
def mississippi(kratom):
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    LegalStatusFactory(
        jurisdiction=state, substance=kratom, status=Status.REGULATED, minimum_age=21
    )
    lee = NamedCountyFactory(parent=state, name="Lee County")
    tupelo = NamedPlaceFactory(parent=state, name="Tupelo", counties=[lee])
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=Status.BANNED,
        effective_from=date(2026, 1, 1),
        effective_until=date(2026, 9, 1),
    )
    in_town = ZipCodeFactory(code="38801", state=state, county=lee, place=tupelo)
    ZipCodeCounty.objects.create(zip_code=in_town, county=lee, land_share=1, position=0)
    ZipCodeFactory(code="38826", state=state, county=lee, place=None)
    return state


def table_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(ZipTable.objects.get().content)))


def test_the_table_has_every_zip_code_with_its_answer(mississippi):
    run = refresh_zip_table(today=TODAY)

    assert run.built and run.zip_codes == 2
    in_town, rural = table_rows()
    assert in_town["zip_code"] == "38801"
    assert in_town["assumed_place"].endswith("place:tupelo")
    assert (in_town["kratom_status"], in_town["kratom_strictest"]) == ("banned", "banned")
    assert in_town["kratom_varies"] == "true"  # unincorporated Lee County is only regulated
    assert in_town["kratom_approximate"] == "true"
    assert in_town["kratom_minimum_age"] == "21"
    assert in_town["kratom_minimum_age_set_by"] == mississippi.ocd_id
    assert in_town["kratom_decided_by"].endswith("place:tupelo")
    # Tupelo's ban ends on 1 September: from then its layer says nothing ("unknown").
    assert (in_town["kratom_next_change"], in_town["kratom_next_change_says"]) == (
        "2026-09-01",
        "unknown",
    )
    assert in_town["7-oh_status"] == "banned"  # Tupelo's kratom ban covers 7-OH
    assert in_town["as_of"] == "2026-06-01"
    assert (rural["kratom_status"], rural["kratom_varies"], rural["kratom_approximate"]) == (
        "regulated",
        "false",
        "false",
    )


def test_a_second_run_with_nothing_changed_builds_nothing(mississippi):
    refresh_zip_table(today=TODAY)
    built_at = ZipTable.objects.get().built_at

    again = refresh_zip_table(today=TODAY)

    assert not again.built
    assert ZipTable.objects.get().built_at == built_at


def test_a_change_or_a_new_day_rebuilds_it(mississippi, kratom):
    refresh_zip_table(today=TODAY)
    etag = ZipTable.objects.get().etag
    LegalStatus.objects.filter(jurisdiction=mississippi).update(minimum_age=18)
    LegalStatusFactory(
        jurisdiction=NamedCountyFactory(parent=mississippi, name="Hinds County"),
        substance=kratom,
    )  # a save moves the dataset's version (update() above does not touch updated_at)

    assert refresh_zip_table(today=TODAY).built
    assert table_rows()[1]["kratom_minimum_age"] == "18"
    assert ZipTable.objects.get().etag != etag
    # The day turned: the dated end of Tupelo's ban takes effect without an edit.
    assert refresh_zip_table(today=date(2026, 9, 1)).built
    assert table_rows()[0]["kratom_status"] == "regulated"
    assert ZipTable.objects.count() == 1


def test_the_job_reads_zip_codes_in_chunks_in_constant_queries_per_chunk(
    mississippi, django_assert_num_queries
):
    state = mississippi
    county = NamedCountyFactory(parent=state, name="Pontotoc County")
    ZipCodeFactory.create_batch(CHUNK + 5, state=state, county=county, place=None)

    # 1-4 the dataset's version (entries, entry history, source history, flags), 5 the table's
    # version, 6 the substances' slugs; per chunk of ZIP codes (2 chunks, then an empty read):
    # 7 the ZIP codes, 8 the substances, 9 the counties of their areas, 10 the jurisdictions,
    # 11 the statuses, 12 their sources; 13-18 the second chunk; 19 the empty read;
    # 20-25 update_or_create: savepoint, select for update, savepoint, insert, 2 releases
    with django_assert_num_queries(25):
        run = refresh_zip_table(today=TODAY)

    assert run.zip_codes == CHUNK + 7


def test_the_task_and_the_command_run_the_same_job(mississippi):
    assert refresh_zip_table_task.run()["built"] is True
    assert refresh_zip_table_task.run()["built"] is False

    out = io.StringIO()
    call_command("build_zip_table", "--force", stdout=out)
    call_command("build_zip_table", stdout=out)

    assert "Built the ZIP table" in out.getvalue() and "nothing to do" in out.getvalue()


def test_the_download_has_an_etag_and_answers_304_when_unchanged(client, mississippi):
    assert client.get("/data/zip-codes.csv").status_code == 503
    refresh_zip_table(today=date.today() - timedelta(days=0))

    response = client.get("/data/zip-codes.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("zip_code,state,county,assumed_place,kratom_status")
    again = client.get("/data/zip-codes.csv", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304

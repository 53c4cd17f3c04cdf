"""legality.dataset: checking and loading the seed files, on small files written by each test."""

from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from legality.dataset import (
    UNDATED_NOTE,
    DatasetError,
    first_day_no_longer_in_force,
    load_statuses,
)
from legality.models import Jurisdiction, LegalStatus, OcdAlias, ReviewFlag, Source
from tests.factories import CountryFactory, CountyFactory, LegalStatusFactory, StateFactory

pytestmark = pytest.mark.django_db

US = "ocd-division/country:us"
ALABAMA = f"{US}/state:al"

SOURCE = """\
  - url: {url}
    title: {title}
    publisher: Example Gazette
    kind: news
    citation: null
    published: {published}
"""

ENTRY = """\
- jurisdiction:
    ocd_id: {ocd_id}
    name: {name}
    level: {level}
    country: US
    state: {state}
  substance: {substance}
  status: {status}
  minimum_age: null
  effective_from: {start}
  effective_from_precision: {precision}
  effective_until: {until}
  summary: Kratom is a Schedule I substance.
  confidence: {confidence}
  confidence_reason: {reason}
  sources:
{sources}"""


def source(url="https://news.example.org/ban", title="Kratom banned", published="'2016-05-12'"):
    return SOURCE.format(url=url, title=title, published=published)


def entry(**fields) -> str:
    values = {
        "ocd_id": ALABAMA,
        "name": "Alabama",
        "level": "state",
        "state": "AL",
        "substance": "kratom",
        "status": "banned",
        "start": "'2016-05-10'",
        "precision": "day",
        "until": "null",
        "confidence": "high",
        "reason": "The act is quoted in the news.",
        "sources": source(),
    }
    return ENTRY.format(**(values | fields))


def seed_file(tmp_path: Path, *entries: str, name: str = "seed.yaml", extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text("gathered_on: '2026-11-25'\n" + extra + "entries:\n" + "".join(entries))
    return path


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """The 1-based line where `text` occurs for the `occurrence`-th time in the file."""
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return lines[occurrence - 1]


def errors_of(path: Path) -> list[str]:
    with pytest.raises(DatasetError) as raised:
        load_statuses([path])
    return [str(error) for error in raised.value.errors]


@pytest.fixture
def alabama():
    return StateFactory(
        ocd_id=ALABAMA, name="Alabama", iso_code="US-AL", parent=CountryFactory(ocd_id=US)
    )


def assert_nothing_written():
    assert LegalStatus.objects.count() == 0
    assert Source.objects.count() == 0
    assert ReviewFlag.objects.count() == 0


def test_inclusive_end_becomes_the_first_day_no_longer_in_force():
    assert first_day_no_longer_in_force(date(2021, 8, 23)) == date(2021, 8, 24)
    assert first_day_no_longer_in_force(date(2024, 2, 28)) == date(2024, 2, 29)
    assert first_day_no_longer_in_force(date(2025, 12, 31)) == date(2026, 1, 1)
    assert first_day_no_longer_in_force(None) is None


def test_a_loaded_period_is_in_force_on_its_last_day_and_not_after(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry(start="'2016-05-10'", until="'2021-08-23'"))

    load_statuses([path])

    status = LegalStatus.objects.get()
    assert status.effective_until == date(2021, 8, 24)
    assert status.last_day_in_force == date(2021, 8, 23)
    assert LegalStatus.objects.in_force_on(date(2021, 8, 23)).get() == status
    assert not LegalStatus.objects.in_force_on(date(2021, 8, 24)).exists()
    assert not LegalStatus.objects.in_force_on(date(2016, 5, 9)).exists()


def test_loads_an_entry_with_its_sources_published(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry(sources=source() + source(url="https://b.example.org")))

    result = load_statuses([path])

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    status = LegalStatus.objects.get()
    assert (status.jurisdiction, status.substance, status.status) == (alabama, kratom, "banned")
    assert status.effective_from == date(2016, 5, 10)
    assert status.effective_from_precision == "day"
    assert status.effective_until is None
    assert status.is_published and not status.unverified
    assert status.internal_notes == "Confidence: high. The act is quoted in the news."
    assert status.sources.count() == 2
    assert not ReviewFlag.objects.exists()


def test_second_load_changes_nothing(tmp_path, alabama, kratom, seven_oh):
    path = seed_file(tmp_path, entry(), entry(substance="7-oh", confidence="low"))
    load_statuses([path])
    history = (LegalStatus.history.count(), Source.history.count(), ReviewFlag.objects.count())

    result = load_statuses([path])

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert (result.sources_created, result.sources_updated, result.flags_created) == (0, 0, 0)
    assert (LegalStatus.history.count(), Source.history.count(), ReviewFlag.objects.count()) == (
        history
    )


def test_a_changed_record_updates_its_entry(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, entry())])
    first = LegalStatus.objects.get()

    result = load_statuses([seed_file(tmp_path, entry(status="restricted"))])

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert LegalStatus.objects.get().pk == first.pk
    assert LegalStatus.objects.get().status == "restricted"
    assert first.history.first().history_change_reason == "Loaded from seed.yaml"


def test_sources_are_shared_by_url_citation_and_title(tmp_path, alabama, kratom, seven_oh):
    path = seed_file(tmp_path, entry(), entry(substance="7-oh"))

    result = load_statuses([path])

    assert result.sources_created == 1
    assert Source.objects.get().legal_statuses.count() == 2


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (["'2016'", "'2017-11'", "'2017-10-30'"], date(2017, 11, 1)),
        (["'2016'", "null"], date(2016, 1, 1)),
        (["'2014-02-28'", "'2026-07-01'"], date(2026, 7, 1)),
    ],
)
def test_last_verified_is_the_newest_dated_source(tmp_path, alabama, kratom, published, expected):
    sources = "".join(
        source(url=f"https://{n}.example.org", published=p) for n, p in enumerate(published)
    )

    load_statuses([seed_file(tmp_path, entry(sources=sources))])

    status = LegalStatus.objects.get()
    assert status.last_verified_at == expected
    assert not ReviewFlag.objects.exists()


def test_undated_sources_mean_gathered_on_and_an_open_flag(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, entry(sources=source(published="null")))])

    status = LegalStatus.objects.get()
    assert status.last_verified_at == date(2026, 11, 25)
    flag = ReviewFlag.objects.open().get(legal_status=status)
    assert (flag.reason, flag.note) == (ReviewFlag.Reason.MANUAL, UNDATED_NOTE)


def test_low_confidence_is_published_unverified_with_a_flag_giving_the_reason(
    tmp_path, alabama, kratom
):
    reason = "Only a vendor page says so."
    load_statuses([seed_file(tmp_path, entry(confidence="low", reason=reason))])

    status = LegalStatus.objects.get()
    assert status.is_published and status.unverified
    flag = ReviewFlag.objects.open().get(legal_status=status)
    assert (flag.reason, flag.note) == (ReviewFlag.Reason.MANUAL, reason)


def test_a_flag_resolved_by_a_curator_is_not_raised_again(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry(confidence="low"))
    load_statuses([path])
    ReviewFlag.objects.update(resolved_at=timezone.now(), resolution="Checked the act.")

    result = load_statuses([path])

    assert result.flags_created == 0
    assert not ReviewFlag.objects.open().exists()


def test_month_and_year_starts_keep_their_precision(tmp_path, alabama, kratom, seven_oh):
    path = seed_file(
        tmp_path,
        entry(start="'2017-11-01'", precision="month"),
        entry(substance="7-oh", start="'2014-01-01'", precision="year"),
    )

    load_statuses([path])

    assert set(LegalStatus.objects.values_list("effective_from", "effective_from_precision")) == {
        (date(2017, 11, 1), "month"),
        (date(2014, 1, 1), "year"),
    }


def test_an_unknown_start_has_no_precision(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, entry(start="null", precision="null"))])

    status = LegalStatus.objects.get()
    assert (status.effective_from, status.effective_from_precision) == (None, "")


def test_unknown_jurisdiction_is_reported_at_its_line(tmp_path, alabama, kratom):
    bad = f"{US}/state:ms/place:nowhere"
    path = seed_file(
        tmp_path, entry(), entry(ocd_id=bad, name="Nowhere", level="place", state="MS")
    )

    errors = errors_of(path)

    assert errors == [
        f"{path}:{line_of(path, 'jurisdiction:', 2) + 1}: unknown jurisdiction {bad} (Nowhere, MS, "
        "US): no jurisdiction has this OCD id, an OCD alias of it, or this name and level in this "
        "state"
    ]
    assert_nothing_written()


def test_unknown_substance_is_reported(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry(substance="kava"))

    assert errors_of(path) == [
        f"{path}:{line_of(path, 'substance: kava')}: unknown substance 'kava' (known: 7-oh, kratom)"
    ]
    assert_nothing_written()


def test_bad_status_is_reported(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry(), entry(status="illegal"))

    assert errors_of(path) == [
        f"{path}:{line_of(path, 'status: illegal')}: bad status 'illegal' "
        "(legal, regulated, restricted, banned)"
    ]
    assert_nothing_written()


@pytest.mark.parametrize(
    ("fields", "needle", "message"),
    [
        ({"start": "'2016-13-01'"}, "effective_from: '2016-13-01'", "bad date in effective_from"),
        ({"until": "'May 2020'"}, "effective_until: 'May 2020'", "bad date in effective_until"),
        ({"until": "'2016-05-01'"}, "effective_until:", "effective_until is before the start"),
        (
            {"start": "'2017-11-22'", "precision": "month"},
            "effective_from:",
            "a month start is written as the first day of its month",
        ),
    ],
)
def test_bad_date_is_reported(tmp_path, alabama, kratom, fields, needle, message):
    path = seed_file(tmp_path, entry(**fields))

    errors = errors_of(path)

    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:{line_of(path, needle)}: {message}")
    assert_nothing_written()


def test_overlapping_periods_in_the_files_are_reported(tmp_path, alabama, kratom):
    first = seed_file(tmp_path, entry(start="'2016-05-10'", until="'2020-12-31'"), name="a.yaml")
    second = seed_file(tmp_path, entry(start="'2020-12-31'", status="legal"), name="b.yaml")

    assert errors_of_many(first, second) == [
        f"{second}:{line_of(second, '- jurisdiction:')}: kratom in Alabama: its period overlaps "
        f"the one at {first}:{line_of(first, '- jurisdiction:')}"
    ]
    assert_nothing_written()


def test_two_records_with_the_same_start_in_one_file_are_reported(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry(), entry(status="restricted"))

    assert errors_of(path) == [
        f"{path}:{line_of(path, '- jurisdiction:', 2)}: kratom in Alabama: the same "
        f"jurisdiction, substance and start as {path}:{line_of(path, '- jurisdiction:')}"
    ]
    assert_nothing_written()


def test_periods_that_only_touch_do_not_overlap(tmp_path, alabama, kratom):
    path = seed_file(
        tmp_path,
        entry(start="null", precision="null", until="'2016-05-09'", status="legal"),
        entry(start="'2016-05-10'"),
    )

    assert load_statuses([path]).created == 2


def test_a_period_overlapping_a_stored_entry_is_reported(tmp_path, alabama, kratom):
    stored = LegalStatusFactory(
        jurisdiction=alabama, substance=kratom, effective_from=date(2010, 1, 1), status="legal"
    )
    path = seed_file(tmp_path, entry(start="'2016-05-10'"))

    assert errors_of(path) == [
        f"{path}:{line_of(path, '- jurisdiction:')}: kratom in Alabama: its period overlaps the "
        f"stored entry #{stored.pk} (2010-01-01 to today)"
    ]
    assert LegalStatus.objects.get() == stored


@pytest.mark.parametrize("sources", ["  []\n", "  null\n"])
def test_a_record_without_a_source_is_reported(tmp_path, alabama, kratom, sources):
    path = seed_file(tmp_path, entry(sources=sources).replace("sources:\n  ", "sources: "))

    assert errors_of(path) == [
        f"{path}:{line_of(path, 'sources:')}: kratom in Alabama: no source; every entry needs at "
        "least one"
    ]
    assert_nothing_written()


def test_a_source_needs_a_url_or_a_citation(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry(sources=source(url="null")))

    assert errors_of(path) == [
        f"{path}:{line_of(path, '- url: null')}: a source needs a url or a citation"
    ]


def test_a_source_given_twice_with_other_details_is_reported(tmp_path, alabama, kratom, seven_oh):
    path = seed_file(
        tmp_path, entry(), entry(substance="7-oh", sources=source(published="'2016-05-13'"))
    )

    assert errors_of(path) == [
        f"{path}:{line_of(path, '- url:', 2)}: this source is given with other details at "
        f"{path}:{line_of(path, '- url:')}"
    ]


def test_a_corrected_source_is_updated_in_place(tmp_path, alabama, kratom):
    load_statuses([seed_file(tmp_path, entry())])
    stored = Source.objects.get()

    result = load_statuses([seed_file(tmp_path, entry(sources=source(published="'2016-05'")))])

    assert (result.sources_created, result.sources_updated) == (0, 1)
    stored.refresh_from_db()
    assert (stored.published_on, stored.published_precision) == (date(2016, 5, 1), "month")
    assert LegalStatus.objects.get().last_verified_at == date(2016, 5, 1)
    assert (result.created, result.updated) == (0, 1)


def test_every_error_is_reported_at_once(tmp_path, alabama, kratom):
    path = seed_file(
        tmp_path,
        entry(status="illegal"),
        entry(substance="kava", start="'2020-02-30'"),
        entry(ocd_id=f"{US}/state:zz", name="Nowhere", state="ZZ"),
    )

    errors = errors_of(path)

    assert [error.split(": ")[1].split(" ")[:2] for error in errors] == [
        ["bad", "status"],
        ["unknown", "substance"],
        ["bad", "date"],
        ["unknown", "jurisdiction"],
    ]


def test_applies_to_is_only_for_county_entries(tmp_path, alabama, kratom):
    path = seed_file(
        tmp_path, entry().replace("  minimum_age", "  applies_to: whole\n  minimum_age")
    )

    assert errors_of(path) == [
        f"{path}:{line_of(path, 'applies_to')}: applies_to is only for county entries"
    ]


def test_a_county_entry_keeps_its_scope(tmp_path, alabama, kratom):
    CountyFactory(ocd_id=f"{ALABAMA}/county:lee", name="Lee County", parent=alabama)
    record = entry(ocd_id=f"{ALABAMA}/county:lee", name="Lee County", level="county")
    path = seed_file(
        tmp_path, record.replace("  minimum_age", "  applies_to: unincorporated\n  minimum_age")
    )

    load_statuses([path])

    assert LegalStatus.objects.get().applies_to == LegalStatus.AppliesTo.UNINCORPORATED


def test_a_misspelt_field_is_reported(tmp_path, alabama, kratom):
    path = seed_file(tmp_path, entry().replace("  minimum_age", "  minimum_agee"))

    assert errors_of(path) == [
        f"{path}:{line_of(path, 'minimum_agee')}: unknown key 'minimum_agee'"
    ]


def test_a_jurisdiction_is_found_by_its_ocd_alias(tmp_path, alabama, kratom):
    county = CountyFactory(ocd_id=f"{ALABAMA}/county:mobile", name="Mobile County", parent=alabama)
    OcdAlias.objects.create(ocd_id=f"{ALABAMA}/place:mobile", jurisdiction=county)
    path = seed_file(
        tmp_path, entry(ocd_id=f"{ALABAMA}/place:mobile", name="Mobile", level="place")
    )

    result = load_statuses([path])

    assert LegalStatus.objects.get().jurisdiction == county
    assert result.notes == (
        f"{path}:{line_of(path, 'ocd_id:')}: {ALABAMA}/place:mobile matched by its OCD alias: "
        f"{county.ocd_id}",
    )


def test_a_jurisdiction_is_found_by_name_and_state(tmp_path, alabama, kratom):
    county = CountyFactory(
        ocd_id=f"{ALABAMA}/county:st_clair", name="St. Clair County", parent=alabama
    )
    record = entry(ocd_id=f"{ALABAMA}/county:saint_clair", name="St. Clair County", level="county")

    load_statuses([seed_file(tmp_path, record)])

    assert LegalStatus.objects.get().jurisdiction == county


def test_an_extra_jurisdiction_is_added_in_its_county(tmp_path, kratom):
    mississippi = StateFactory(ocd_id=f"{US}/state:ms", name="Mississippi", iso_code="US-MS")
    madison = CountyFactory(ocd_id=f"{US}/state:ms/county:madison", parent=mississippi)
    gluckstadt = f"{US}/state:ms/place:gluckstadt"
    extra = f"""\
extra_jurisdictions:
- ocd_id: {gluckstadt}
  name: Gluckstadt
  level: place
  division_type: place
  parent: {mississippi.ocd_id}
  counties: [{madison.ocd_id}]
  country_code: US
  is_incorporated: true
  is_official_ocd_id: false
  note: Incorporated in 2021.
"""
    record = entry(ocd_id=gluckstadt, name="Gluckstadt", level="place", state="MS")
    path = seed_file(tmp_path, record, extra=extra)

    result = load_statuses([path])
    again = load_statuses([path])

    place = Jurisdiction.objects.get(ocd_id=gluckstadt)
    assert (place.parent, list(place.counties.all())) == (mississippi, [madison])
    assert place.is_incorporated and not place.is_official_ocd_id
    assert place.search_name == "gluckstadt"
    assert LegalStatus.objects.get().jurisdiction == place
    assert (result.jurisdictions_created, again.jurisdictions_created) == (1, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_file_that_is_not_yaml_is_reported_at_its_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("gathered_on: '2026-11-25'\nentries:\n  - status: banned\n - status: legal\n")

    errors = errors_of(path)

    assert len(errors) == 1 and errors[0].startswith(f"{path}:4: not valid YAML")


def errors_of_many(*paths: Path) -> list[str]:
    with pytest.raises(DatasetError) as raised:
        load_statuses(paths)
    return [str(error) for error in raised.value.errors]

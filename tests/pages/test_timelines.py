"""Timelines: a dated band per layer of a place, per substance, drawn as resolution reads it."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from legality.models import LegalStatus
from legality.resolution import Standing, resolve, resolve_with_entries
from legality.timelines import place_timelines
from tests.factories import LegalStatusFactory, SourceFactory

from .conftest import text

Status = LegalStatus.Status
TODAY = date(2026, 6, 1)


def timelines_of(place, on=TODAY):
    return {t.substance.slug: t for t in place_timelines(resolve(place, on=on), today=on)}


def test_the_entries_resolving_read_draw_the_same_timelines_without_a_query(
    mississippi_history, tupelo, django_assert_num_queries
):
    answer, entries = resolve_with_entries(tupelo, on=TODAY)
    assert answer == resolve(tupelo, on=TODAY)
    with django_assert_num_queries(0):
        reused = place_timelines(answer, today=TODAY, entries=entries)
    assert reused == place_timelines(answer, today=TODAY)


def pieces(timeline, jurisdiction):
    band = next(b for b in timeline.bands if b.jurisdiction.id == jurisdiction.pk)
    return [(p.status, p.start, p.end, p.standing) for p in band.pieces]


@pytest.fixture
def mississippi_history(kratom, seven_oh, mississippi, lee, tupelo):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, effective_until=date(2025, 7, 1))
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=Status.REGULATED,
        minimum_age=21,
        effective_from=date(2025, 7, 1),
    )
    LegalStatusFactory(
        jurisdiction=lee,
        substance=kratom,
        status=Status.BANNED,
        applies_to=LegalStatus.AppliesTo.UNINCORPORATED,
        effective_from=date(2026, 2, 18),
    )
    LegalStatusFactory(  # voted, not yet in force on TODAY
        jurisdiction=tupelo,
        substance=kratom,
        status=Status.BANNED,
        effective_from=date(2026, 9, 1),
    )


def test_a_band_per_layer_broadest_first_cut_where_the_law_changed(
    mississippi_history, mississippi, lee, tupelo
):
    kratom = timelines_of(tupelo)["kratom"]
    assert [band.jurisdiction.name for band in kratom.bands] == [
        "United States",
        "Mississippi",
        "Lee County",
        "Tupelo",
    ]
    assert kratom.bands[0].pieces == ()  # no federal entry here: a gap, never "legal"
    assert pieces(kratom, mississippi) == [
        ("legal", kratom.start, date(2025, 7, 1), Standing.APPLIES),
        ("regulated", date(2025, 7, 1), None, Standing.APPLIES),
    ]
    # A county ban that stops at city limits is drawn, pale: it does not decide for the town.
    assert pieces(kratom, lee) == [("banned", date(2026, 2, 18), None, Standing.OUTSIDE_SCOPE)]
    # Upcoming: after today.
    assert pieces(kratom, tupelo) == [("banned", date(2026, 9, 1), None, Standing.APPLIES)]


def test_the_axis_marks_today_and_runs_past_the_last_change(mississippi_history, tupelo):
    kratom = timelines_of(tupelo)["kratom"]
    assert kratom.start == date(2021, 1, 1)  # five years before today at least
    assert kratom.end == date(2028, 1, 1)  # a year past the last change (September 2026)
    assert 0 < kratom.today_x < 1000
    regulated = next(p for b in kratom.bands for p in b.pieces if p.status == "regulated")
    assert regulated.x < kratom.today_x < regulated.x + regulated.width
    assert regulated.x + regulated.width == 1000  # until further notice


def test_a_restrictive_entry_with_unknown_start_is_pale_before_its_first_evidence(
    kratom, mississippi, tupelo
):
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=Status.BANNED,
        sources=[SourceFactory(published_on=date(2019, 3, 1), published_precision="month")],
        last_verified_at=date(2025, 1, 1),
    )
    assert pieces(timelines_of(tupelo)["kratom"], tupelo) == [
        ("banned", date(2019, 1, 1), date(2019, 3, 1), Standing.START_DATE_UNKNOWN),
        ("banned", date(2019, 3, 1), None, Standing.APPLIES),
    ]


def test_a_kratom_ban_shows_on_the_seven_oh_band(kratom, seven_oh, mississippi, tupelo):
    LegalStatusFactory(
        jurisdiction=tupelo, substance=kratom, status=Status.BANNED, effective_from=date(2024, 5, 1)
    )
    seven_oh_timeline = timelines_of(tupelo)["7-oh"]
    assert pieces(seven_oh_timeline, tupelo) == [
        ("banned", date(2024, 5, 1), None, Standing.APPLIES)
    ]


def test_the_page_lists_the_timeline_in_words(client, mississippi_history, tupelo):
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        response = client.get(f"/j/{tupelo.ocd_id}/")
    words = text(response).split("Over time", 1)[1].split("History", 1)[0]
    assert (
        "Mississippi (state): legal no start date (no kratom law before it) until 30 June 2025 "
        "regulated 21 and over from 1 July 2025, until further notice — in force today"
    ) in words
    assert (
        "Lee County (county): banned from 18 February 2026, until further notice — in force "
        "today — applies only outside city limits, so not here"
    ) in words
    assert "Tupelo (place): banned from 1 September 2026, until further notice — upcoming" in words
    assert "United States (country): no entry" in words
    body = response.content.decode()
    assert 'aria-hidden="true" focusable="false"><rect class="band-empty"' in body
    assert "style=" not in body

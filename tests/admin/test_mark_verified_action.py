"""The "mark verified today" action: one call into curation.mark_verified for the selection."""

from datetime import date

import pytest
from django.utils import timezone

from legality.models import ReviewFlag
from tests.factories import LegalStatusFactory, ReviewFlagFactory

pytestmark = pytest.mark.django_db

URL = "/admin/legality/legalstatus/"


def run_action(client, entries, note=""):
    """The action as a curator runs it: choose it, then submit the page that offers a note."""
    selection = {
        "action": "mark_verified_today",
        "_selected_action": [entry.pk for entry in entries],
        "index": "0",
    }
    asks = client.post(URL, selection)
    assert "admin/legality/action_with_note.html" in [t.name for t in asks.templates]
    return client.post(URL, selection | {"with_note": "1", "note": note}, follow=True)


def test_the_note_is_kept_in_the_entrys_history(curator_client, curator, kratom):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=date(2024, 1, 1))

    run_action(curator_client, [entry], note="Read the 2026 amendment: unchanged.")

    record = entry.history.latest()
    assert record.history_change_reason == "Read the 2026 amendment: unchanged."
    assert record.last_verified_at == timezone.localdate()
    history = curator_client.get(f"/admin/legality/legalstatus/{entry.pk}/history/")
    assert "Read the 2026 amendment: unchanged." in history.content.decode()


def test_action_sets_verified_records_history_and_resolves_the_overdue_flag(
    curator_client, curator, kratom
):
    entry = LegalStatusFactory(substance=kratom, last_verified_at=date(2024, 1, 1))
    untouched = LegalStatusFactory(substance=kratom, last_verified_at=date(2024, 1, 1))
    overdue = ReviewFlagFactory(legal_status=entry, reason=ReviewFlag.Reason.OVERDUE)
    source_flag = ReviewFlagFactory(legal_status=entry, reason=ReviewFlag.Reason.SOURCE_CHANGED)
    today = timezone.localdate()

    response = run_action(curator_client, [entry])

    assert response.status_code == 200
    assert "Marked 1 entry verified" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.last_verified_at, entry.last_verified_by) == (today, curator)
    record = entry.history.latest()
    assert (record.history_user, record.last_verified_at) == (curator, today)
    overdue.refresh_from_db()
    assert overdue.resolved_by == curator
    assert overdue.resolved_at is not None
    assert overdue.resolution == f"verified by alice on {today.isoformat()}"
    assert overdue.history.latest().history_user == curator
    source_flag.refresh_from_db()
    assert source_flag.is_open  # a changed source needs its own look
    untouched.refresh_from_db()
    assert untouched.last_verified_at == date(2024, 1, 1)


def test_action_on_many_entries_marks_each_once(curator_client, curator, kratom):
    entries = LegalStatusFactory.create_batch(5, substance=kratom, last_verified_at=None)

    run_action(curator_client, entries)
    second = run_action(curator_client, entries)

    assert "Marked 0 entries verified" in second.content.decode()
    for entry in entries:
        assert entry.history.filter(history_user=curator).count() == 1

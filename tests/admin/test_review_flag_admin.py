"""Review flags: curators raise them by hand and resolve them (the queue: test_review_queue)."""

import pytest
from django.utils import timezone

from legality.models import ReviewFlag
from tests.factories import LegalStatusFactory, ReviewFlagFactory

pytestmark = pytest.mark.django_db

URL = "/admin/legality/reviewflag/"


def test_resolve_action_closes_open_flags_and_leaves_closed_ones(curator_client, curator):
    open_flag = ReviewFlagFactory(note="Check the 2025 amendment.")
    closed_flag = ReviewFlagFactory(resolved_at=timezone.now(), resolution="done before")

    response = curator_client.post(
        f"{URL}?state=open",
        {
            "action": "resolve_selected",
            "_selected_action": [open_flag.pk, closed_flag.pk],
            "index": "0",
        },
        follow=True,
    )

    assert "1 flag resolved" in response.content.decode()
    open_flag.refresh_from_db()
    closed_flag.refresh_from_db()
    assert open_flag.resolved_by == curator
    assert open_flag.resolution == f"resolved by alice on {timezone.localdate().isoformat()}"
    assert closed_flag.resolution == "done before"


def test_a_second_open_flag_for_the_same_reason_is_a_form_error(curator_client):
    entry = LegalStatusFactory()
    ReviewFlagFactory(legal_status=entry, reason=ReviewFlag.Reason.MANUAL)

    response = curator_client.post(
        f"{URL}add/", {"legal_status": str(entry.pk), "reason": "manual", "note": "Again."}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This entry already has an open flag for this reason."
    ]
    assert entry.review_flags.count() == 1


def test_curator_raises_a_manual_flag(curator_client, curator):
    entry = LegalStatusFactory()

    response = curator_client.post(
        f"{URL}add/", {"legal_status": str(entry.pk), "reason": "manual", "note": "Ask the AG."}
    )

    assert response.status_code == 302, response.context["errors"]
    flag = entry.review_flags.get()
    assert flag.is_open
    assert flag.history.get().history_user == curator


def test_entry_autocomplete_takes_the_same_queries_for_many_entries(
    curator_client, kratom, django_assert_num_queries
):
    LegalStatusFactory.create_batch(20, substance=kratom)
    query = {
        "app_label": "legality",
        "model_name": "reviewflag",
        "field_name": "legal_status",
        "term": "State",
    }

    # 1 the session, 2 the user, 3 the user's own permissions, 4 their groups' permissions,
    # 5 the count of matching entries, 6 the page of them with their jurisdiction and substance.
    with django_assert_num_queries(6):
        response = curator_client.get("/admin/autocomplete/", query)

    assert len(response.json()["results"]) == 20

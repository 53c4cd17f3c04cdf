"""Curators edit what an entry says of each activity beside its status; history keeps it."""

from datetime import date

import pytest

from legality.models import LegalStatus
from tests.admin.change_forms import legal_status_form_data
from tests.factories import LegalStatusFactory, StateFactory

pytestmark = pytest.mark.django_db


def change_url(entry: LegalStatus) -> str:
    return f"/admin/legality/legalstatus/{entry.pk}/change/"


@pytest.fixture
def banned(kratom):
    return LegalStatusFactory(
        jurisdiction=StateFactory(name="Alabama"),
        substance=kratom,
        status="banned",
        effective_from=date(2016, 5, 10),
        effective_from_precision="day",
    )


def test_the_activities_are_on_the_form_beside_the_status(curator_client, banned):
    page = curator_client.get(change_url(banned)).content.decode()

    assert page.index('name="status"') < page.index('name="sale_rule"')
    for name in ("possession_rule", "import_rule", "product_limits", "penalty"):
        assert f'name="{name}"' in page
    assert 'name="minimum_age_applies_to" value="sale"' in page


def test_a_curator_saves_activities_limits_and_penalty_with_history(curator_client, banned):
    data = legal_status_form_data(
        banned,
        sale_rule="prohibited",
        possession_rule="prohibited",
        product_limits="synthetic_alkaloids_banned: No synthetic 7-OH.\n\nlabeling: A warning.",
        penalty="Class C felony.",
    )

    response = curator_client.post(change_url(banned), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    banned.refresh_from_db()
    assert (banned.sale_rule, banned.possession_rule) == ("prohibited", "prohibited")
    assert banned.product_limits == [
        {"kind": "synthetic_alkaloids_banned", "text": "No synthetic 7-OH."},
        {"kind": "labeling", "text": "A warning."},
    ]
    newest, before = banned.history.all()[:2]
    assert (before.sale_rule, newest.sale_rule) == ("unknown", "prohibited")
    assert newest.penalty == "Class C felony."
    assert newest.history_user.username == "alice"  # the curator logged in


def test_a_contradiction_with_the_status_is_refused(curator_client, banned):
    data = legal_status_form_data(banned, possession_rule="allowed")

    response = curator_client.post(change_url(banned), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "The activities contradict the status: a banned entry cannot code possession 'allowed': "
        "a ban prohibits sale and possession."
    ]
    banned.refresh_from_db()
    assert banned.possession_rule == "unknown"


def test_a_regulated_entry_with_an_age_needs_sale_age_limited(curator_client, banned):
    data = legal_status_form_data(
        banned, status="regulated", minimum_age=21, sale_rule="conditions"
    )

    response = curator_client.post(change_url(banned), data)

    assert "codes sale &#x27;age_limited&#x27;, not &#x27;conditions&#x27;" in (
        response.content.decode()
    )
    data |= {"sale_rule": "age_limited", "minimum_age_applies_to": ["sale"]}
    assert curator_client.post(change_url(banned), data).status_code == 302
    banned.refresh_from_db()
    assert (banned.status, banned.minimum_age_applies_to) == ("regulated", ["sale"])


def test_a_bad_product_limit_line_is_a_field_error(curator_client, banned):
    data = legal_status_form_data(banned, product_limits="potency: at most 2%")

    response = curator_client.post(change_url(banned), data)

    assert response.status_code == 200
    assert "Line 1: write “kind: text”" in str(
        response.context["adminform"].form.errors["product_limits"]
    )


def test_a_doubtful_coding_is_saved_with_a_warning(curator_client, banned):
    data = legal_status_form_data(banned, status="restricted", sale_rule="conditions")

    response = curator_client.post(change_url(banned), data, follow=True)

    banned.refresh_from_db()
    assert banned.status == "restricted"
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Saved, but check it: a restricted entry") for m in messages)

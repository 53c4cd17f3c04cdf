"""Alert pages: the sign-up form keeps jurisdiction pages cookie-free; tokens confirm and delete."""

import pytest
from django.core import mail
from django.test import Client

from legality.models import Subscription

from .conftest import text

pytestmark = pytest.mark.django_db

ADDRESS = "reader@example.org"


@pytest.fixture
def csrf_client():
    # As a browser posting from a cached page: no CSRF cookie, checks enforced.
    return Client(enforce_csrf_checks=True)


def sign_up(client, place, email=ADDRESS, **extra):
    return client.post(
        "/alerts/subscribe/", {"email": email, "jurisdiction": place.ocd_id, **extra}
    )


def test_jurisdiction_page_has_the_form_and_sets_no_cookie(client, kratom, seven_oh, tupelo):
    response = client.get(f"/j/{tupelo.ocd_id}/")

    body = response.content.decode()
    assert 'action="/alerts/subscribe/"' in body
    assert "csrfmiddlewaretoken" not in body
    assert not response.cookies
    assert response["ETag"] and "public" in response["Cache-Control"]


def test_sign_up_without_a_csrf_token_sends_a_confirmation(
    csrf_client, kratom, tupelo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(csrf_client, tupelo)

    assert response.status_code == 200
    assert "Check your inbox" in text(response)
    assert ADDRESS not in response.content.decode()
    [email] = mail.outbox
    assert email.to == [ADDRESS]
    assert not response.cookies


def test_already_confirmed_address_sees_the_same_page_and_gets_no_email(
    client, kratom, tupelo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = sign_up(client, tupelo)
    Subscription.objects.update(confirmed_at="2026-12-01T00:00Z")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        second = sign_up(client, tupelo)

    assert text(first) == text(second)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"email": "not an address"}, "Enter a valid email address."),
        (
            {"jurisdiction": "ocd-division/country:us/state:zz"},
            "We have no place with that OCD id.",
        ),
        ({"substance": "coffee"}, "Choose kratom, 7-OH, or both."),
    ],
)
def test_bad_sign_up_answers_400_with_the_reason_and_stores_nothing(
    client, kratom, tupelo, fields, reason
):
    data = {"email": ADDRESS, "jurisdiction": tupelo.ocd_id, **fields}

    response = client.post("/alerts/subscribe/", data)

    assert response.status_code == 400
    assert reason in text(response)
    assert not Subscription.objects.exists()


def test_sign_ups_are_rate_limited_per_client(client, kratom, tupelo, settings):
    settings.ALERT_SIGNUP_RATE_PER_IP = "3/h"
    answers = [sign_up(client, tupelo, email=f"r{n}@example.org").status_code for n in range(4)]

    assert answers == [200, 200, 200, 429]
    assert Subscription.objects.count() == 3


def test_sign_ups_are_rate_limited_per_address(client, kratom, tupelo):
    answers = [sign_up(client, tupelo, REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(6)]

    assert answers[-1] == 429


def test_confirm_link_shows_a_button_and_post_confirms(csrf_client, kratom, tupelo):
    sign_up(csrf_client, tupelo)
    token = Subscription.objects.get().token

    page = csrf_client.get(f"/alerts/confirm/{token}/")
    assert "Confirm my alerts" in text(page)
    assert Subscription.objects.get().confirmed_at is None  # a link scanner changes nothing

    done = csrf_client.post(f"/alerts/confirm/{token}/")

    assert done.status_code == 200
    assert "Alerts confirmed" in text(done)
    assert Subscription.objects.get().confirmed_at is not None


def test_one_click_unsubscribe_deletes_the_address(csrf_client, kratom, tupelo):
    sign_up(csrf_client, tupelo)
    token = Subscription.objects.get().token

    # RFC 8058: what a mail client posts for List-Unsubscribe-Post.
    response = csrf_client.post(f"/alerts/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not Subscription.objects.exists()
    again = csrf_client.post(f"/alerts/unsubscribe/{token}/")
    assert again.status_code == 404


def test_unknown_token_answers_404_with_a_reason(client, db):
    response = client.get("/alerts/confirm/nope/")

    assert response.status_code == 404
    assert "sign up again" in text(response)

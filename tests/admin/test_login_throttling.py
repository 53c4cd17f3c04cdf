"""Failed logins are throttled per username and address together (django-axes), and the public
API takes no password at all: it cannot be used to try curators' passwords."""

import base64

import pytest
from django.test import Client

from tests.factories import CuratorFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def alice(settings):
    settings.AXES_FAILURE_LIMIT = 5
    curator = CuratorFactory(username="alice")
    curator.set_password(PASSWORD)
    curator.save()
    return curator


def log_in(password: str, *, address: str = "203.0.113.5", username: str = "alice"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})
    return response, client


def test_after_five_wrong_passwords_the_right_one_is_refused_from_that_address(alice):
    codes = [log_in("guess")[0].status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the form again with its error, then locked

    locked, client = log_in(PASSWORD)

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_curator_locked_out_from_one_address_still_logs_in_from_another(alice):
    for _ in range(6):
        log_in("guess", address="198.51.100.66")  # someone else, elsewhere

    response, client = log_in(PASSWORD, address="203.0.113.5")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_success_before_the_limit_resets_the_count(alice):
    for _ in range(4):
        log_in("guess")
    assert log_in(PASSWORD)[0].status_code == 302
    for _ in range(4):
        log_in("guess")

    assert log_in(PASSWORD)[0].status_code == 302


@pytest.mark.parametrize("password", [PASSWORD, "guess"])
def test_the_api_ignores_basic_auth_so_it_tells_nothing_about_a_password(client, alice, password):
    token = base64.b64encode(f"alice:{password}".encode()).decode()

    response = client.get("/api/v1/jurisdictions/", HTTP_AUTHORIZATION=f"Basic {token}")

    assert response.status_code == 200  # as for anyone: right and wrong passwords look the same
    assert "WWW-Authenticate" not in response
    assert not alice.__class__.objects.get(pk=alice.pk).last_login


def test_the_api_docs_offer_no_authorization(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "securitySchemes" not in schema.get("components", {})
    # [{}]: anonymous; no scheme, so Swagger UI shows no Authorize button and no padlocks.
    assert {
        str(operation.get("security", [{}]))
        for path in schema["paths"].values()
        for operation in path.values()
    } == {"[{}]"}

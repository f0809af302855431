"""A person's API token: /me/api-token/ (create, shown once; revoke) and
DELETE /api/v1/auth/token/. One token per person (DRF's authtoken keys it by user)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/me/api-token/"
API = "/api/v1/auth/token/"
MINE = "/api/v1/registrations/"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_creating_a_token_shows_its_key_once(client):
    person = UserFactory()
    client.force_login(person)
    assert b"You have no API token." in client.get(PAGE).content

    created = client.post(PAGE, {"action": "create"})

    key = Token.objects.get(user=person).key
    assert created.status_code == 200
    assert key.encode() in created.content and b"will not show it again" in created.content
    assert "no-store" in created["Cache-Control"]
    later = client.get(PAGE)
    assert key.encode() not in later.content
    assert b"You have an API token, created" in later.content


def test_a_second_token_needs_the_first_revoked(client):
    person = UserFactory()
    first = Token.objects.create(user=person)
    client.force_login(person)

    response = client.post(PAGE, {"action": "create"}, follow=True)

    assert b"Revoke it first" in response.content
    assert list(Token.objects.filter(user=person)) == [first]


def test_revoking_on_the_page_stops_the_key_working(client):
    person = UserFactory()
    key = Token.objects.create(user=person).key
    client.force_login(person)

    response = client.post(PAGE, {"action": "revoke"}, follow=True)

    assert b"Your API token is revoked" in response.content
    assert not Token.objects.filter(user=person).exists()
    assert APIClient().get(MINE, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_delete_with_the_token_revokes_it(api_client):
    person = UserFactory()
    key = Token.objects.create(user=person).key
    other = Token.objects.create(user=UserFactory())

    response = api_client.delete(API, HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 204
    assert not Token.objects.filter(user=person).exists()
    assert Token.objects.filter(pk=other.pk).exists()  # only the caller's
    assert api_client.get(MINE, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_delete_with_a_signed_in_session_revokes_the_persons_token():
    person = UserFactory()
    Token.objects.create(user=person)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(person)
    csrf = client.get("/me/api-token/").cookies["csrftoken"].value

    assert client.delete(API).status_code == 403  # a session needs the CSRF token
    response = client.delete(API, HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 204
    assert not Token.objects.filter(user=person).exists()


def test_delete_without_a_token_is_204_and_anonymous_is_401(api_client):
    person = UserFactory()
    api_client.force_authenticate(person)
    assert api_client.delete(API).status_code == 204
    api_client.force_authenticate(None)

    response = APIClient().delete(API)

    assert response.status_code == 401
    assert "detail" in response.json()


def test_getting_a_token_still_ignores_who_is_signed_in(client):
    """POST exchanges a password: a signed-in browser needs no CSRF token, a stale token header
    is no 401."""
    person = UserFactory(email="pat@example.org")
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(UserFactory())
    body = {"email": "pat@example.org", "password": PASSWORD}

    assert browser.post(API, body, format="json").status_code == 200
    stale = APIClient().post(API, body, format="json", HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert stale.status_code == 200
    assert stale.json() == {"token": Token.objects.get(user=person).key}

"""Signing up, verifying the email, completing the profile; signing in, resetting a password.

The pages are allauth's, rendered in the site's layout (templates/allauth/).
"""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from organizations.models import Position
from tests.factories import PASSWORD, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lighthouse-Tide-42"


def _link_in(message) -> str:
    """The path of the one link on this site in an email."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _signed_in_as(client: Client) -> int | None:
    pk = client.session.get("_auth_user_id")
    return int(pk) if pk else None


def _sign_up(client: Client, email: str) -> None:
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"


def test_a_new_person_signs_up_verifies_completes_the_profile_and_reaches_the_catalog():
    school = SchoolFactory()
    district = school.district
    client = Client()

    _sign_up(client, "Dana.Fields@Example.org")

    user = User.objects.get(email__iexact="dana.fields@example.org")
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["dana.fields@example.org"] == [user.email]
    assert confirmation.subject.startswith("[RESC Alliance PD] ")
    assert "RESC Alliance PD" in confirmation.body and "example.com" not in confirmation.body
    link = _link_in(confirmation)
    assert link.startswith("/accounts/confirm-email/")
    assert _signed_in_as(client) is None

    # Not before the address is verified: the sign-in leads back to "verify your email".
    elsewhere = Client()
    response = elsewhere.post(
        "/accounts/login/", {"login": "dana.fields@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert _signed_in_as(elsewhere) is None

    # The link shows a confirm button (a GET never confirms: mail scanners follow links).
    response = client.get(link)
    assert response.status_code == 200
    assert b"Confirm your email address" in response.content
    assert b'<form method="post"' in response.content
    assert not user.emailaddress_set.get().verified

    response = client.post(link)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    assert _signed_in_as(client) == user.pk

    # Signed in without a profile: the catalog sends them to the profile form first.
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/profile/?next=%2F"
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert b"Tell us where you work" in response.content

    response = client.post(
        "/profile/?next=%2F",
        {
            "first_name": "Dana",
            "last_name": "Fields",
            "district": district.pk,
            "school": school.pk,
            "position": Position.PARAEDUCATOR,
            "next": "/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.profile.is_complete
    assert (user.profile.district, user.profile.school) == (district, school)
    assert user.full_name == "Dana Fields"

    response = client.get("/")
    assert response.status_code == 200


def test_the_verified_person_can_then_sign_in_from_another_browser():
    client = Client()
    _sign_up(client, "sam.ortiz@example.org")
    client.post(_link_in(mail.outbox[0]))

    other = Client()
    response = other.post(
        "/accounts/login/", {"login": "sam.ortiz@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert _signed_in_as(other) == User.objects.get(email="sam.ortiz@example.org").pk


def test_signing_up_with_a_taken_email_does_not_create_a_second_account():
    UserFactory(email="taken@example.org")
    client = Client()
    client.post(
        "/accounts/signup/",
        {"email": "TAKEN@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert _signed_in_as(client) is None


def test_password_reset_sends_an_email_with_a_working_link():
    user = UserFactory(email="reset.me@example.org")
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "reset.me@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reset.me@example.org"]

    assert "example.com" not in mail.outbox[0].body

    # The key link redirects once to a key-less URL (so the key leaves the address bar and
    # Referer), which shows the new-password form.
    response = client.get(_link_in(mail.outbox[0]))
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.status_code == 200
    assert b'<label for="id_password1">' in response.content
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_reveals_nothing_on_the_page():
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


def test_a_wrong_password_shows_an_error_not_a_server_error():
    UserFactory(email="pat@example.org")
    client = Client()
    response = client.post("/accounts/login/", {"login": "pat@example.org", "password": "nope"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b"The email address and/or password you specified are not correct." in response.content
    assert _signed_in_as(client) is None


def test_repeated_failed_sign_ins_are_refused_even_with_the_right_password():
    user = UserFactory(email="target@example.org")
    client = Client()
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"login": "target@example.org", "password": "guess"}
        )
        assert b"not correct" in response.content

    # The 6th attempt for the same address within five minutes is refused outright.
    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts. Try again later." in response.content
    assert _signed_in_as(client) is None

    # Other addresses are not locked out by it.
    UserFactory(email="bystander@example.org")
    response = client.post(
        "/accounts/login/", {"login": "bystander@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert user.pk != _signed_in_as(client)


def test_the_confirmation_page_asks_in_one_sentence_with_a_button():
    client = Client()
    _sign_up(client, "jordan.rivera@example.org")

    response = client.get(_link_in(mail.outbox[0]))

    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Confirm that jordan.rivera@example.org is your email address." in text
    assert "for user" not in text
    assert '<button type="submit">Confirm</button>' in html


def test_an_expired_confirmation_link_says_what_to_do():
    response = Client().get("/accounts/confirm-email/not-a-real-key/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "This confirmation link has expired or was already used." in html
    assert 'href="/accounts/login/"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/not-a-real-key/",
    ],
)
def test_account_pages_use_the_site_layout_and_label_every_input(path):
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and "<footer" in html
    assert html.count("<h1>") == 1
    assert "Menu:" not in html  # allauth's bare default layout is not used
    inputs = re.findall(r"<input[^>]*>", html)
    for tag in inputs:
        if 'type="hidden"' in tag:
            continue
        input_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert f'<label for="{input_id}">' in html, tag


def test_field_errors_are_tied_to_their_inputs():
    response = Client().post(
        "/accounts/signup/", {"email": "not-an-email", "password1": "x", "password2": "y"}
    )
    html = response.content.decode()
    assert 'id="id_email_error"' in html
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', html).group(0)
    assert 'aria-describedby="id_email_error"' in email_input
    assert 'aria-invalid="true"' in email_input


def test_social_sign_in_shows_nothing_until_it_is_configured():
    html = Client().get("/accounts/login/").content.decode()
    for word in ("Google", "Microsoft", "third-party", "/accounts/google/", "/accounts/microsoft/"):
        assert word not in html
    assert "Sign In" in html


def test_social_sign_in_appears_once_an_admin_adds_the_application():
    from allauth.socialaccount.models import SocialApp
    from django.contrib.sites.models import Site

    app = SocialApp.objects.create(provider="google", name="Google", client_id="id", secret="s")
    app.sites.add(Site.objects.get_current())
    html = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/google/login/?process=login"' in html
    assert "Microsoft" not in html

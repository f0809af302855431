"""POST /api/v1/auth/token/: email and password for an API token."""

import pytest
from rest_framework.authtoken.models import Token

from courses.models import Course
from tests.factories import PASSWORD, CourseFactory, ProviderFactory, UserFactory, staff_of

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def test_the_right_password_gives_a_token(api_client):
    person = UserFactory(email="pat@example.org")

    response = api_client.post(
        TOKEN, {"email": "pat@example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=person).key}


def test_asking_twice_gives_the_same_token(api_client):
    UserFactory(email="pat@example.org")
    body = {"email": "pat@example.org", "password": PASSWORD}

    first = api_client.post(TOKEN, body, format="json").json()["token"]
    second = api_client.post(TOKEN, body, format="json").json()["token"]

    assert first == second
    assert Token.objects.count() == 1


def test_the_email_is_matched_whatever_its_case(api_client):
    UserFactory(email="pat@example.org")

    response = api_client.post(
        TOKEN, {"email": "Pat@Example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("pat@example.org", "wrong-password"), ("nobody@example.org", PASSWORD)],
)
def test_a_wrong_password_or_unknown_email_is_a_400_saying_the_same(api_client, email, password):
    UserFactory(email="pat@example.org")

    response = api_client.post(TOKEN, {"email": email, "password": password}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Unable to sign in with that email and password."]
    }
    assert not Token.objects.exists()


def test_an_inactive_person_gets_no_token(api_client):
    UserFactory(email="pat@example.org", is_active=False)

    response = api_client.post(
        TOKEN, {"email": "pat@example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400


def test_missing_fields_are_a_400_per_field(api_client):
    response = api_client.post(TOKEN, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "email": ["This field is required."],
        "password": ["This field is required."],
    }


def test_a_malformed_email_is_a_400_for_email(api_client):
    response = api_client.post(TOKEN, {"email": "not-an-email", "password": "x"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["email"]


def test_malformed_json_is_a_400(api_client):
    response = api_client.post(TOKEN, "{oops", content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


def test_the_token_authenticates_a_write(api_client):
    learn = ProviderFactory(short_name="LEARN")
    staff_of(learn, email="staff@learn.example.org")
    course = CourseFactory(provider=learn, slug="ours")
    key = api_client.post(
        TOKEN, {"email": "staff@learn.example.org", "password": PASSWORD}, format="json"
    ).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api_client.patch("/api/v1/courses/ours/", {"title": "Renamed"}, format="json")

    assert response.status_code == 200
    course.refresh_from_db()
    assert course.title == "Renamed"
    assert Course.objects.get(slug="ours").title == "Renamed"


def test_a_bad_token_is_a_401_even_on_a_read(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    response = api_client.get("/api/v1/courses/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


# --- sign-in protection shared with the web (security review) -----------------------------


def _web_sign_in(client, password):
    return client.post("/accounts/login/", {"login": "pat@example.org", "password": password})


def test_after_five_failed_web_sign_ins_the_token_endpoint_refuses_the_right_password(
    client, api_client
):
    UserFactory(email="pat@example.org")
    for _ in range(5):
        _web_sign_in(client, "wrong-password")

    response = api_client.post(
        TOKEN,
        {"email": "pat@example.org", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.20.30.40",
    )

    assert response.status_code == 429
    assert "token" not in response.json()
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert not Token.objects.exists()


def test_failed_token_requests_count_against_the_web_sign_in(client, api_client):
    UserFactory(email="pat@example.org")
    wrong = {"email": "pat@example.org", "password": "wrong-password"}
    statuses = [
        api_client.post(TOKEN, wrong, format="json", REMOTE_ADDR=f"10.0.1.{n}").status_code
        for n in range(6)
    ]

    page = _web_sign_in(client, PASSWORD)

    assert statuses == [400] * 5 + [429]
    assert b"Too many failed login attempts" in page.content
    assert "_auth_user_id" not in client.session


def test_an_unverified_address_gets_no_token(api_client):
    UserFactory(email="pat@example.org", verified=False)

    response = api_client.post(
        TOKEN, {"email": "pat@example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert "verify your email" in response.json()["non_field_errors"][0]
    assert not Token.objects.exists()


def test_a_right_password_does_not_spend_the_failed_attempts(api_client):
    UserFactory(email="pat@example.org")
    right = {"email": "pat@example.org", "password": PASSWORD}

    statuses = [api_client.post(TOKEN, right, format="json").status_code for _ in range(8)]

    assert statuses == [200] * 8

"""What the schema fuzzer (test_schema_fuzz.py) found, one test each: the answer a client gets,
and that the schema documents it."""

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from courses.models import Session
from tests.factories import (
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    educator,
    staff_of,
)

TOO_BIG = str(2**64)


@pytest.fixture(scope="module")
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def documented(openapi: dict, method: str, path: str) -> set[int]:
    return {int(code) for code in openapi["paths"][path][method.lower()]["responses"]}


def signed_in(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api_client


# --- POST /api/v1/auth/token/ -------------------------------------------------------------------


def test_token_request_without_fields_names_each_missing_field(db, api_client, openapi):
    """The schema promised {"non_field_errors": [...]} only; DRF names the fields."""
    response = api_client.post("/api/v1/auth/token/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}
    schema = openapi["paths"]["/api/v1/auth/token/"]["post"]["responses"]["400"]
    schema = schema["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert "non_field_errors" not in schema.get("required", [])


def test_token_requests_beyond_the_rate_limit_get_a_documented_429(db, api_client, openapi):
    body = {"email": "nobody@example.org", "password": "wrong"}
    statuses = [
        api_client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(11)
    ]

    assert statuses[-1] == 429
    assert 429 in documented(openapi, "POST", "/api/v1/auth/token/")


# --- /api/v1/registrations/ ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/registrations/"),
        ("GET", "/api/v1/registrations/{id}/"),
        ("POST", "/api/v1/registrations/{id}/cancel/"),
        ("POST", "/api/v1/registrations/{id}/approve/"),
        ("POST", "/api/v1/registrations/{id}/decline/"),
    ],
)
def test_registrations_without_a_token_get_a_documented_401(db, api_client, openapi, method, path):
    registration = RegistrationFactory()
    url = path.replace("{id}", str(registration.pk))

    response = api_client.generic(method, url)

    assert response.status_code == 401
    assert 401 in documented(openapi, method, path)


def test_registrations_page_past_the_end_is_a_documented_404(db, api_client, openapi):
    registration = RegistrationFactory()

    response = signed_in(api_client, registration.person).get("/api/v1/registrations/?page=9")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}
    assert 404 in documented(openapi, "GET", "/api/v1/registrations/")
    assert 404 in documented(openapi, "GET", "/api/v1/registrations/{id}/")


@pytest.mark.parametrize("value", [TOO_BIG, "1e30", "1.5", "0", "-1"])
def test_registrations_session_filter_out_of_range_is_a_400(db, api_client, openapi, value):
    """2**64 overflowed SQLite's INTEGER (OverflowError, a 500); 1.5 was silently 1."""
    registration = RegistrationFactory()

    response = signed_in(api_client, registration.person).get(
        "/api/v1/registrations/", {"session": value}
    )

    assert response.status_code == 400
    assert "session" in response.json()
    assert 400 in documented(openapi, "GET", "/api/v1/registrations/")


def test_registrations_session_filter_still_narrows_the_list(db, api_client):
    registration = RegistrationFactory()
    RegistrationFactory(person=registration.person)

    response = signed_in(api_client, registration.person).get(
        "/api/v1/registrations/", {"session": registration.session_id}
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [registration.pk]


# --- PATCH /api/v1/sessions/<id>/ -------------------------------------------------------------


def test_patching_a_session_with_a_meeting_missing_its_start_is_a_400(db, api_client):
    """A PATCH made the nested meetings partial too: the service got a meeting without
    `starts_at` (KeyError, a 500)."""
    provider = ProviderFactory()
    session = SessionFactory(course__provider=provider)
    ends_at = (session.meetings.get().ends_at + dt.timedelta(days=1)).isoformat()

    response = signed_in(api_client, staff_of(provider)).patch(
        f"/api/v1/sessions/{session.pk}/", {"meetings": [{"ends_at": ends_at}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"meetings": {"0": {"starts_at": ["This field is required."]}}}
    assert session.meetings.count() == 1


# --- catalog date filters -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/sessions/", "/api/v1/courses/"])
@pytest.mark.parametrize("name", ["starts_after", "starts_before"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_catalog_date_filters_beyond_the_calendar_are_a_400(db, api_client, path, name, day):
    """9999-12-31 has no next day: the local day's bounds overflowed (OverflowError, a 500)."""
    SessionFactory()

    response = api_client.get(path, {name: day})

    assert response.status_code == 400
    assert name in response.json()


def test_catalog_date_filters_within_the_calendar_still_work(db, api_client):
    session = SessionFactory(starts_in_days=10)
    day = session.meetings.get().starts_at.date().isoformat()

    response = api_client.get("/api/v1/sessions/", {"starts_after": day, "starts_before": day})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [session.pk]
    assert Session.objects.count() == 1
    assert educator()  # the catalog is public: nothing about the caller changed the answer


@pytest.mark.parametrize(
    "field", ["registration_opens_at", "registration_closes_at", "starts_at", "ends_at"]
)
def test_session_times_before_1900_are_a_400(db, api_client, field):
    """Year 19 was stored and answered as "0019-02-28T19:03:58-04:56:02": New York's local mean
    time before 1883 has an offset with seconds, not a valid RFC 3339 date-time."""
    provider = ProviderFactory()
    session = SessionFactory(course__provider=provider)
    meeting = session.meetings.get()
    times = {
        "registration_opens_at": "2000-01-01T00:00:00Z",
        "registration_closes_at": (meeting.starts_at - dt.timedelta(days=1)).isoformat(),
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
    }
    times[field] = "0019-03-01T00:00:00Z"
    body = {
        "registration_opens_at": times["registration_opens_at"],
        "registration_closes_at": times["registration_closes_at"],
        "meetings": [{"starts_at": times["starts_at"], "ends_at": times["ends_at"]}],
    }

    response = signed_in(api_client, staff_of(provider)).patch(
        f"/api/v1/sessions/{session.pk}/", body, format="json"
    )

    assert response.status_code == 400
    assert field in str(response.json())
    session.refresh_from_db()
    assert session.registration_opens_at.year > 1900

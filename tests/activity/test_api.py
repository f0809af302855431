"""GET /api/v1/activity/?registration=<id> | ?session=<id>."""

import pytest
import yaml

from activity.services import SETTLE_COMMAND
from tests.activity.conftest import record

pytestmark = pytest.mark.django_db

URL = "/api/v1/activity/"


def _seed(world):
    record(
        verb="registration.promoted",
        target=world.registration,
        actor=world.staff,
        changes={"status": ["waitlisted", "confirmed"]},
        reason="A seat opened.",
    )
    record(verb="session.capacity_changed", target=world.session, system=SETTLE_COMMAND)


def test_staff_get_a_registrations_history_with_names(api_client, world):
    _seed(world)
    api_client.force_authenticate(world.staff)
    response = api_client.get(URL, {"registration": world.registration.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["verb"] == "registration.promoted"
    assert row["label"] == "Confirmed from the waitlist"
    assert row["who"] == "Sam Staffer"
    assert row["actor"] == {
        "id": world.staff.pk,
        "name": "Sam Staffer",
        "email": "sam.staff@learn.example.org",
    }
    assert row["changes"] == {"status": ["waitlisted", "confirmed"]}
    assert row["lines"] == [
        {"label": "Status", "before": "Waitlisted", "after": "Confirmed", "value": ""}
    ]
    assert (row["registration"], row["session"], row["target_type"]) == (
        world.registration.pk,
        world.session.pk,
        "registration",
    )
    assert row["reason"] == "A seat opened."


@pytest.mark.parametrize("viewer", ["registrant", "coordinator"])
def test_the_registrant_and_their_coordinator_see_staff_by_role_only(api_client, world, viewer):
    _seed(world)
    api_client.force_authenticate(getattr(world, viewer))
    response = api_client.get(URL, {"registration": world.registration.pk})
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["who"], row["actor"]) == ("LEARN staff", None)
    assert "Sam" not in response.content.decode()


@pytest.mark.parametrize(
    "viewer", ["educator", "colleague", "other_coordinator", "other_staff", "trainer"]
)
def test_a_registration_others_may_not_see_is_not_found(api_client, world, viewer):
    api_client.force_authenticate(getattr(world, viewer))
    response = api_client.get(URL, {"registration": world.registration.pk})
    assert response.status_code == 404
    assert response.json() == {"detail": "No such registration that you may see."}


def test_a_sessions_history_is_for_its_providers_staff(api_client, world):
    _seed(world)
    api_client.force_authenticate(world.admin)
    response = api_client.get(URL, {"session": world.session.pk})
    assert response.status_code == 200
    assert [row["verb"] for row in response.json()["results"]] == [
        "session.capacity_changed",
        "registration.promoted",
    ]
    assert response.json()["results"][0]["who"] == "The system (settle_sessions command)"


@pytest.mark.parametrize("viewer", ["registrant", "coordinator", "trainer", "other_staff"])
def test_others_are_refused_a_sessions_history(api_client, world, viewer):
    api_client.force_authenticate(getattr(world, viewer))
    response = api_client.get(URL, {"session": world.session.pk})
    assert response.status_code == 403
    assert "detail" in response.json()


def test_an_unknown_session_is_not_found(api_client, world):
    api_client.force_authenticate(world.admin)
    response = api_client.get(URL, {"session": 2_147_483_000})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "non_field_errors"),
        ({"registration": 1, "session": 1}, "non_field_errors"),
        ({"registration": "abc"}, "registration"),
        ({"session": "1.5"}, "session"),
        ({"session": 0}, "session"),
        ({"session": str(10**30)}, "session"),
    ],
)
def test_a_missing_or_malformed_id_is_a_400_with_json(api_client, world, query, field):
    api_client.force_authenticate(world.staff)
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_callers_get_401(api_client, world):
    response = api_client.get(URL, {"registration": world.registration.pk})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_pages_of_the_history(api_client, world):
    for _ in range(3):
        _seed(world)
    api_client.force_authenticate(world.staff)
    body = api_client.get(URL, {"session": world.session.pk, "page_size": 4}).json()
    assert body["count"] == 6 and len(body["results"]) == 4 and body["next"]


def test_the_list_costs_the_same_queries_for_few_and_many_rows(
    api_client, world, django_assert_max_num_queries
):
    _seed(world)
    api_client.force_authenticate(world.coordinator)
    with django_assert_max_num_queries(20) as few:
        api_client.get(URL, {"registration": world.registration.pk})
    for _ in range(20):
        _seed(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api_client.get(URL, {"registration": world.registration.pk})
    assert response.json()["count"] == 21


def test_the_schema_documents_the_endpoint(api_client, db):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    operation = schema["paths"]["/api/v1/activity/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"registration", "session", "page"}
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])

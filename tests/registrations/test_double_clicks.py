"""Double clicks (simultaneous identical requests) never give a 500: resetting the calendar
feed and creating an API token, fired six at a time over HTTP (PostgreSQL; skipped on
SQLite, whose writes never run at the same time)."""

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from registrations.models import CalendarFeed
from tests.factories import PASSWORD, UserFactory
from tests.registrations.test_concurrency import _run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency tests need PostgreSQL: set DATABASE_URL to run them",
    ),
]

CLICKS = 6


def _signed_in_clients(person) -> list[Client]:
    clients = [Client(raise_request_exception=False) for _ in range(CLICKS)]
    for client in clients:
        client.force_login(person)
    return clients


def test_six_simultaneous_calendar_feed_resets_all_succeed_and_leave_one_feed():
    person = UserFactory()
    CalendarFeed.objects.create(person=person)
    old_token = CalendarFeed.objects.get(person=person).token

    results, errors = _run_together(
        lambda client: client.post("/me/calendar/reset/").status_code,
        _signed_in_clients(person),
    )

    assert errors == []
    assert results == [302] * CLICKS
    feed = CalendarFeed.objects.get(person=person)
    assert feed.token != old_token


def test_six_simultaneous_first_feed_resets_create_one_feed():
    person = UserFactory()

    results, errors = _run_together(
        lambda client: client.post("/me/calendar/reset/").status_code,
        _signed_in_clients(person),
    )

    assert errors == [] and results == [302] * CLICKS
    assert CalendarFeed.objects.filter(person=person).count() == 1


def test_six_simultaneous_token_creations_on_the_page_make_one_token():
    person = UserFactory()

    results, errors = _run_together(
        lambda client: client.post("/me/api-token/", {"action": "create"}).status_code,
        _signed_in_clients(person),
    )

    assert errors == []
    assert 500 not in results
    assert Token.objects.filter(user=person).count() == 1


def test_six_simultaneous_token_requests_to_the_api_give_one_token():
    UserFactory(email="pat@example.org")
    body = {"email": "pat@example.org", "password": PASSWORD}
    clients = [Client(raise_request_exception=False) for _ in range(CLICKS)]

    results, errors = _run_together(
        lambda client: client.post("/api/v1/auth/token/", body, content_type="application/json"),
        clients,
    )

    assert errors == []
    assert [r.status_code for r in results] == [200] * CLICKS
    assert len({r.json()["token"] for r in results}) == 1

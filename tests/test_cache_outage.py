"""With Redis unreachable, sign-in, the token endpoint, registering and checking in still
work (rate limits count per process in memory, and the outage is logged at ERROR); /healthz
reports it with a 503. Before, every cache call raised and those pages answered 500."""

import logging

import pytest
import time_machine
from django.test import Client, override_settings

import pd_platform.cache
from attendance.services import check_in_code_for
from tests.factories import PASSWORD, RegistrationFactory, SessionFactory, UserFactory, in_days

pytestmark = pytest.mark.django_db

CLOSED_PORT = {
    "default": {
        "BACKEND": "pd_platform.cache.FailoverRedisCache",
        "LOCATION": "redis://127.0.0.1:6390/0",  # nothing listens here
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture(autouse=True)
def redis_down(monkeypatch):
    monkeypatch.setattr(pd_platform.cache, "_last_logged", 0.0)
    with override_settings(CACHES=CLOSED_PORT):
        yield


def test_signing_in_works_and_the_outage_is_logged_at_error(caplog):
    UserFactory(email="pat@example.org")
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="pd_platform.cache"):
        response = client.post(
            "/accounts/login/", {"login": "pat@example.org", "password": PASSWORD}
        )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    outage = [r for r in caplog.records if r.name == "pd_platform.cache"]
    assert len(outage) == 1 and outage[0].levelno == logging.ERROR
    assert "cache unreachable" in outage[0].getMessage()


def test_the_token_endpoint_works(api_client):
    UserFactory(email="pat@example.org")

    response = api_client.post(
        "/api/v1/auth/token/", {"email": "pat@example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200 and response.json()["token"]


def test_failed_sign_ins_are_still_limited_in_memory():
    UserFactory(email="pat@example.org")
    client = Client(raise_request_exception=False)
    wrong = {"login": "pat@example.org", "password": "wrong"}

    pages = [client.post("/accounts/login/", wrong) for _ in range(6)]

    assert [p.status_code for p in pages] == [200] * 6
    assert b"Too many failed login attempts" in pages[5].content


def test_registering_for_a_session_works():
    from tests.factories import educator

    session = SessionFactory()
    client = Client(raise_request_exception=False)
    client.force_login(educator())

    response = client.post(f"/sessions/{session.pk}/register/", {"payer": "self"})

    assert response.status_code == 302
    assert session.registrations.count() == 1


def test_checking_in_works():
    with time_machine.travel(in_days(0, 10), tick=False):
        session = SessionFactory(
            registration_opens_at=in_days(-30),
            registration_closes_at=in_days(-1),
            meetings=[(in_days(0, 9), in_days(0, 15))],
        )
        code = check_in_code_for(session.meetings.get()).code
        registration = RegistrationFactory(session=session)
        client = Client(raise_request_exception=False)
        client.force_login(registration.person)

        response = client.post(f"/checkin/{code}/")

        assert response.status_code == 302
        assert registration.attendance.get().status == "present"


def test_healthz_reports_the_outage():
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["cache"] == "unreachable"


def test_with_redis_up_the_failover_cache_uses_it_and_healthz_is_ok():
    import uuid

    import redis
    from django.core.cache import cache

    try:
        redis.Redis(port=6379, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    config = {"default": {**CLOSED_PORT["default"], "LOCATION": "redis://127.0.0.1:6379/0"}}
    with override_settings(CACHES={"default": {**config["default"], "KEY_PREFIX": prefix}}):
        cache.set("k", "v", 10)
        assert redis.Redis(port=6379).get(f"{prefix}:1:k") is not None
        assert Client().get("/healthz").status_code == 200
        cache.delete("k")

"""Rate limits: check-in and registration pages (pd_platform.ratelimit, per person), the token
endpoint (DRF throttle, per client IP), and allauth's sign-in and password-reset limits.

Every limit counts in the default cache: Redis when REDIS_URL is set, so it holds across
workers and hosts (the last test shows a second cache client seeing the same count)."""

import datetime as dt
import os
import uuid

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings

from attendance.services import check_in_code_for
from pd_platform.ratelimit import client_ip, hit, parse_rate
from tests.factories import (
    PASSWORD,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    educator,
    in_days,
)

pytestmark = pytest.mark.django_db

LIMITS = {"register": "3/m", "checkin": "3/m"}


@pytest.fixture
def frozen():
    """Mid-window, so the tests never straddle a minute boundary."""
    with time_machine.travel(in_days(0, 10).replace(second=5), tick=False) as traveller:
        yield traveller


@pytest.fixture
def meeting_code(frozen):
    session = SessionFactory(
        registration_opens_at=in_days(-30),
        registration_closes_at=in_days(-1),
        meetings=[(in_days(0, 9), in_days(0, 15))],
    )
    return session, check_in_code_for(session.meetings.get()).code


def _confirmed(session):
    return RegistrationFactory(session=session).person


@override_settings(RATE_LIMITS=LIMITS)
def test_the_fourth_check_in_post_in_a_minute_is_a_friendly_429(client, meeting_code, frozen):
    session, code = meeting_code
    client.force_login(_confirmed(session))

    statuses = [client.post(f"/checkin/{code}/").status_code for _ in range(3)]
    over = client.post(f"/checkin/{code}/")

    assert statuses == [302, 302, 302]
    assert over.status_code == 429
    assert 1 <= int(over["Retry-After"]) <= 60
    assert b"Please wait a moment" in over.content and b"try again in a minute" in over.content
    frozen.shift(dt.timedelta(seconds=60))
    assert client.post(f"/checkin/{code}/").status_code == 302  # the next window


@override_settings(RATE_LIMITS=LIMITS)
def test_guessing_codes_by_opening_pages_is_limited_too(client, meeting_code):
    session, _ = meeting_code
    client.force_login(_confirmed(session))

    statuses = [client.get(f"/checkin/WRONG{n:03d}/").status_code for n in range(4)]

    assert statuses == [404, 404, 404, 429]


@override_settings(RATE_LIMITS=LIMITS)
def test_the_check_in_limit_is_per_person(client, meeting_code):
    session, code = meeting_code
    first, second = _confirmed(session), _confirmed(session)
    client.force_login(first)
    for _ in range(4):
        client.post(f"/checkin/{code}/")
    assert client.post(f"/checkin/{code}/").status_code == 429

    client.force_login(second)
    assert client.post(f"/checkin/{code}/").status_code == 302


@override_settings(RATE_LIMITS=LIMITS)
def test_the_fourth_registration_post_in_a_minute_is_429_and_registers_nothing(client, frozen):
    person, other = educator(), educator()
    sessions = [SessionFactory() for _ in range(4)]
    client.force_login(person)

    statuses = [
        client.post(f"/sessions/{s.pk}/register/", {"payer": "self"}).status_code for s in sessions
    ]

    assert statuses == [302, 302, 302, 429]
    assert person.registrations.count() == 3
    assert not sessions[3].registrations.exists()
    client.force_login(other)
    assert (
        client.post(f"/sessions/{sessions[3].pk}/register/", {"payer": "self"}).status_code == 302
    )
    assert sessions[3].registrations.get().person == other


def test_the_token_endpoint_is_limited_per_client_ip_whatever_x_forwarded_for_says(
    api_client, frozen
):
    """10 a minute per address (REST_FRAMEWORK DEFAULT_THROTTLE_RATES["token"]); with no
    trusted proxy (TRUSTED_PROXY_COUNT=0) a forged X-Forwarded-For changes nothing."""
    # A different address each time: five failures for one address lock it (allauth's
    # login_failed limit, shared with the web sign-in), which is not what is tested here.
    UserFactory(email="pat@example.org")
    body = {"email": "pat@example.org", "password": "wrong-password"}

    statuses = [
        api_client.post(
            "/api/v1/auth/token/",
            {**body, "email": f"p{n}@example.org"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(11)
    ]

    assert statuses == [400] * 10 + [429]
    elsewhere = api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.9.9.9")
    assert elsewhere.status_code == 400


def test_repeated_failed_sign_ins_for_one_email_are_refused(client):
    """allauth's ACCOUNT_RATE_LIMITS["login_failed"]: 5 per 5 minutes per email. allauth
    answers the sixth with the form and a message (not 429), and refuses even the right
    password until the window passes: the limit is what stops guessing."""
    UserFactory(email="pat@example.org")
    wrong = {"login": "pat@example.org", "password": "wrong-password"}

    pages = [client.post("/accounts/login/", wrong) for _ in range(6)]

    assert [b"Too many failed login attempts" in page.content for page in pages] == [False] * 5 + [
        True
    ]
    right = client.post("/accounts/login/", {"login": "pat@example.org", "password": PASSWORD})
    assert b"Too many failed login attempts" in right.content
    assert "_auth_user_id" not in client.session


def test_many_sign_in_attempts_from_one_address_are_a_friendly_429(client, settings):
    """ACCOUNT_RATE_LIMITS["login"] (30 a minute per IP; 3 here) answers with our 429 page."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    attempts = [
        client.post("/accounts/login/", {"login": f"p{n}@example.org", "password": "x"})
        for n in range(4)
    ]
    assert [a.status_code for a in attempts] == [200, 200, 200, 429]
    assert b"Please wait a moment" in attempts[3].content


def test_password_reset_requests_for_one_email_are_limited(client):
    """allauth's ACCOUNT_RATE_LIMITS["reset_password"]: 5 a minute per email."""
    UserFactory(email="pat@example.org")

    statuses = [
        client.post("/accounts/password/reset/", {"email": "pat@example.org"}).status_code
        for _ in range(6)
    ]

    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_sign_ups_are_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    statuses = [
        client.post(
            "/accounts/signup/",
            {
                "email": f"new{n}@example.org",
                "password1": "a-long-pass-2025",
                "password2": "a-long-pass-2025",
            },
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_rates_parse_and_client_ips_honour_the_trusted_proxy_count(rf, settings):
    assert parse_rate("20/m") == (20, 60) and parse_rate("5/10m") == (5, 600)
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw, not what the client wrote


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        return False


@pytest.mark.skipif(not _redis_answers(), reason="Redis is not reachable on REDIS_URL")
def test_with_redis_every_worker_counts_in_the_same_place():
    prefix = f"test-{uuid.uuid4().hex}"
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=config):
        # Two workers: this process's cache and a second, separately built client.
        worker_b = caches.create_connection("default")
        assert hit(scope="t", who="user:1", rate="2/m", now=120.0) == 0
        assert worker_b.get("ratelimit:t:user:1:2") == 1
        worker_b.incr("ratelimit:t:user:1:2")
        assert hit(scope="t", who="user:1", rate="2/m", now=121.0) > 0
        worker_b.delete("ratelimit:t:user:1:2")

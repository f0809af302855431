"""Logs: one JSON line per record, a line per request (id, method, path, status, duration),
and no email address, API token, Authorization header or link secret anywhere in them."""

import io
import json
import logging
import re

import pytest
from rest_framework.authtoken.models import Token

from pd_platform.logging import JsonFormatter, ScrubFilter, scrub
from registrations.models import CalendarFeed
from tests.factories import UserFactory, educator

pytestmark = pytest.mark.django_db

EMAIL = "jordan.private@example.org"


@pytest.fixture
def log_output():
    """The configured console handler (settings.LOGGING), writing JSON into a buffer."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ScrubFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(JsonFormatter())
    yield buffer
    handler.setStream(old_stream)
    handler.setFormatter(old_formatter)


def _lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_requests_carrying_emails_and_tokens_leave_none_in_the_logs(client, api_client, log_output):
    person = educator(email=EMAIL)
    key = Token.objects.create(user=person).key
    feed = CalendarFeed.objects.create(person=person).token

    client.post("/accounts/login/", {"login": EMAIL, "password": "wrong-password"})
    api_client.get("/api/v1/registrations/", HTTP_AUTHORIZATION=f"Token {key}")
    api_client.get("/api/v1/registrations/", HTTP_AUTHORIZATION=f"Token {'f' * 40}")  # 401
    client.get(f"/courses/?q={EMAIL}&email={EMAIL}")
    client.get(f"/people/{EMAIL}/")  # 404: Django logs "Not Found: <path>"
    client.get(f"/calendar/{feed}.ics")
    api_client.post("/api/v1/auth/token/", {"email": EMAIL, "password": "nope"}, format="json")

    output = log_output.getvalue()
    assert output, "nothing was logged"
    for secret in (EMAIL, "jordan.private", EMAIL.replace("@", "%40"), key, "f" * 40, feed):
        assert secret not in output
    assert "/calendar/[redacted]" in output
    assert "/people/[email]/" in output


def test_each_request_is_one_json_line_with_its_id_method_path_status_and_duration(
    client, log_output
):
    client.get(f"/courses/?q={EMAIL}", HTTP_X_REQUEST_ID="req-1234567890")
    response = client.get("/no-such-page/")

    lines = _lines(log_output)
    requests = [line for line in lines if line["logger"] == "pd_platform.request"]
    first, second = requests
    assert first["request_id"] == "req-1234567890"
    assert (first["method"], first["path"], first["status"]) == ("GET", "/courses/", 200)
    assert isinstance(first["duration_ms"], float)
    assert "?" not in first["path"] and "?" not in first["message"]
    assert second["status"] == 404
    assert second["request_id"] == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", second["request_id"])
    # Django's own record of the 404 carries the same request id.
    [django_404] = [line for line in lines if line["logger"] == "django.request"]
    assert django_404["request_id"] == second["request_id"]
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line)


def test_a_forged_request_id_is_replaced(client, log_output):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='bad id"\n{"level": "ERROR"}')
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_any_logger_and_any_traceback_is_scrubbed(log_output):
    person = UserFactory(email=EMAIL)
    logger = logging.getLogger("registrations.something")
    logger.warning("could not email %s (token %s)", person.email, "a" * 40)
    logger.info("headers: {'Authorization': 'Token abcdef0123456789abcdef'}")
    try:
        raise ValueError(f"duplicate key value (email)=({EMAIL})")
    except ValueError:
        logger.exception("saving %s failed", EMAIL)

    output = log_output.getvalue()
    assert EMAIL not in output and "a" * 40 not in output
    assert "abcdef0123456789abcdef" not in output
    lines = _lines(log_output)
    assert lines[0]["message"] == "could not email [email] (token [redacted])"
    assert "ValueError" in lines[2]["exception"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not Found: /invitations/abcDEF123_-x/", "Not Found: /invitations/[redacted]/"),
        ("/registrations/release/eyJ0:1ab:sig/", "/registrations/release/[redacted]/"),
        ("/accounts/confirm-email/Mg:1t2:abc/", "/accounts/confirm-email/[redacted]/"),
        ("/accounts/password/reset/key/2-abc-123/", "/accounts/password/reset/key/[redacted]/"),
        ("/checkin/ABCD2345/", "/checkin/[redacted]/"),
        ("Authorization: Bearer eyJhbGciOi.abc.def", "Authorization: [redacted]"),
        ("password=hunter22&next=/", "password=[redacted]&next=/"),
        ("pat%40example.org", "[email]"),
        ("GET /courses/ 200", "GET /courses/ 200"),
    ],
)
def test_scrub_masks_link_secrets_headers_and_passwords(text, expected):
    assert scrub(text) == expected

"""Schema fuzzing: every API operation, called as every role, answers as the OpenAPI schema says.

schemathesis reads the live schema (`/api/schema/`) from the WSGI application and generates
requests for each operation: valid ones, invalid ones (wrong types, missing fields, huge numbers,
odd characters), and the schema's boundary values. Each is sent through Django as an anonymous
caller and with the API token of an educator, a trainer, a district coordinator, provider staff
and an Alliance admin. A response fails the test when it is a 5xx, or its status code, content
type, headers or body are not the ones documented for the operation.

About half of the generated path ids, slugs and codes, and of the ids and slugs in query strings
and bodies, are swapped for ones that exist (see conftest.FuzzWorld), so that permission checks,
services and their domain errors run too, not only the 404 of an unknown id. Emails go to
Django's locmem outbox and on-commit tasks never run inside the test transaction: no request
reaches the outside world.

The normal run (`make test`) is bounded and deterministic (a fixed seed): up to PD_FUZZ_EXAMPLES
generated requests per operation and role (20 by default), plus the boundary values of every
parameter and field as an educator and as an Alliance admin. To fuzz deeper by hand, with fresh
randomness and the boundary values as every role:

    PD_FUZZ_EXAMPLES=500 PD_FUZZ_DEEP=1 .venv/bin/pytest tests/api_fuzz -q -x

or run the schemathesis CLI against the demo server (`make run`), with a token from
`POST /api/v1/auth/token/` (e.g. staff@learn.example.org / demo-pass-2025):

    .venv/bin/schemathesis run http://127.0.0.1:8000/api/schema/ \\
        -H "Authorization: Token <key>" --max-examples 200 \\
        -c not_a_server_error,status_code_conformance,content_type_conformance,\\
response_schema_conformance,response_headers_conformance

(the CLI writes to the demo database: use a copy you can throw away).
Each thing the fuzzer found is pinned by a test in test_fuzz_regressions.py.
"""

import os
import zlib

import pytest
import schemathesis
from django.core import mail
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pd_platform.wsgi import application

from .conftest import ROLES, FuzzWorld

EXAMPLES = int(os.environ.get("PD_FUZZ_EXAMPLES", "20"))
DEEP = os.environ.get("PD_FUZZ_DEEP", "") == "1"
# The boundary values of every parameter and field (schemathesis' coverage phase) are many and
# do not depend on max_examples; the normal run sends them as the least and the most privileged
# signed-in people, the deep run as every role.
BOUNDARY_ROLES = ROLES if DEEP else ("educator", "admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _with_client_address(environ, start_response):
    """Every WSGI server (gunicorn, runserver) sets REMOTE_ADDR; schemathesis' WSGI client does
    not, and sign-in rate limits (allauth's, shared by the token endpoint) need an address."""
    environ.setdefault("REMOTE_ADDR", "127.0.0.1")
    return application(environ, start_response)


fuzzing_schema = schemathesis.openapi.from_wsgi("/api/schema/", _with_client_address)
fuzzing_schema.config.phases.update(phases=["examples", "fuzzing"])
boundary_schema = schemathesis.openapi.from_wsgi("/api/schema/", _with_client_address)
boundary_schema.config.phases.update(phases=["coverage"])

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # A fixed seed in the normal run: it finds the same things every time.
    derandomize=not DEEP,
    database=None,
    # Each example runs requests against the database: slow by Hypothesis' standards, and the
    # `db` fixture is shared by the examples of one test on purpose (one savepoint per test).
    suppress_health_check=list(HealthCheck),
)


def _pick(value, choices: list):
    """A real id or slug in place of a small generated one, most of the time. Edge values
    (huge or negative numbers, long strings, other types) are kept: they are the point."""
    if not choices or isinstance(value, bool):
        return value
    if isinstance(value, int) and 0 <= value < 1000:
        key = value
    elif isinstance(value, str) and len(value) <= 8:
        key = zlib.crc32(value.encode("utf-8", "surrogatepass"))
    else:
        return value
    slot = key % (len(choices) + 1)
    return value if slot == len(choices) else choices[slot]


def _point_at_real_objects(case, world: FuzzWorld) -> None:
    by_name = {
        "course": world.course_slugs,
        "provider": world.provider_slugs,
        "program": world.program_slugs,
        "session": world.session_ids,
        "meeting": world.meeting_ids,
        "registration": world.registration_ids,
        "district": world.district_ids,
        "venue": world.venue_ids,
    }
    path = case.operation.path
    for name, value in (case.path_parameters or {}).items():
        choices = {
            "id": world.registration_ids if path.startswith("/api/v1/registrations/") else None,
            "slug": world.course_slugs,
            "code": world.certificate_codes,
        }.get(name) or world.session_ids
        case.path_parameters[name] = _pick(value, choices)
    for name, value in (case.query or {}).items():
        if name in by_name:
            case.query[name] = _pick(value, by_name[name])
    rows = case.body if isinstance(case.body, list) else [case.body]
    for row in rows:
        if not isinstance(row, dict):
            continue
        for name, value in row.items():
            if name in by_name:
                row[name] = _pick(value, by_name[name])
            elif name == "trainers" and isinstance(value, list):
                row[name] = [_pick(item, world.user_ids) for item in value]


def _call_as(case, role: str, world: FuzzWorld) -> None:
    _point_at_real_objects(case, world)
    case.headers = {
        key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"
    }
    if role != "anonymous":
        case.headers["Authorization"] = f"Token {world.tokens[role]}"
    case.call_and_validate(checks=CHECKS)
    assert all(message.to for message in mail.outbox)  # locmem: nothing left the machine


@pytest.mark.parametrize("role", ROLES)
@fuzzing_schema.parametrize()
@SETTINGS
def test_every_operation_answers_as_documented(case, role, fuzz_world, db):
    _call_as(case, role, fuzz_world)


@pytest.mark.parametrize("role", BOUNDARY_ROLES)
@boundary_schema.parametrize()
@SETTINGS
def test_boundary_values_are_answered_as_documented(case, role, fuzz_world, db):
    _call_as(case, role, fuzz_world)

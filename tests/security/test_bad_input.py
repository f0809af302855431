"""Bad input everywhere, on the pages (the API has its own fuzzing in tests/api_fuzz).

What it checks
    Signed in as a role allowed to use the page, every page form and GET filter gets, one
    field at a time (the other fields keep valid values), each of BAD: non-ASCII text, a
    10,000-character string, a NUL byte, huge, negative and fractional numbers, "NaN",
    malformed and out-of-range dates and a value no choice has. POST forms also get BODIES:
    an oversized body (beyond DATA_UPLOAD_MAX_MEMORY_SIZE, as multipart and as urlencoded),
    a JSON or plain-text body and a multipart body without its boundary. Paths that take a
    code (self check-in, certificate verification) get odd codes.

    Every case must answer without a 5xx. A case is rejected when it answers 4xx, a 200 page
    whose form shows an error (one of the form's messages is in the page), or a redirect
    without a success message; a rejected case must leave the row counts of COUNTED models
    unchanged (nothing half-written). Each field names the kinds of value it may accept (a
    search box takes any text); any other kind must be rejected.

World: the permission matrix's fixture world (`build_world`), built once for the module and
    rolled back at its end; each case runs in its own savepoint (`db`).
"""

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.forms import BaseForm
from django.test import Client, override_settings
from django.test.utils import ContextList
from django.urls import reverse

from attendance.forms import RosterForm
from attendance.models import Attendance, Headcount
from courses.models import Course, Session
from organizations.models import Profile
from registrations.models import Registration
from tests.factories import ProgramFactory
from tests.security.test_permission_matrix import build_world

COUNTED = (Registration, Attendance, Headcount, Profile, Course, Session)

BAD: dict[str, str] = {
    "unicode": "Zoë Ñandú 東京 🎓",
    "long": "x" * 10_000,
    "nul": "ab\x00cd",
    "huge": str(10**30),
    "negative": "-1",
    "fraction": "1.5",
    "nan": "NaN",
    "bad_date": "2025-13-45",
    "year_99999": "99999-01-01",
    "zero_date": "0000-00-00",
    "year_9999": "9999-12-31",
    "year_1": "0001-01-01",
    "unknown_choice": "no-such-choice",
}
# What a field may accept ("may": the page may still refuse it, e.g. beyond max_length).
ANY = frozenset(BAD)
TEXT = ANY - {"nul", "long"}  # free text with a max_length under 10,000 characters
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Page:
    """One page: who uses it, how its path is built, its valid values, its fields."""

    key: str
    role: str
    method: str
    path: Callable[[SimpleNamespace], str]
    fields: dict[str, frozenset[str]]  # field -> kinds of BAD it may accept
    valid: Callable[[SimpleNamespace], dict] = lambda w: {}
    query: Callable[[SimpleNamespace], dict] = lambda w: {}  # a POST's query string
    query_fields: dict[str, frozenset[str]] = field(default_factory=dict)  # a POST's GET params
    bodies: bool = True  # POST: also the oversized and wrongly typed bodies


def _url(name: str, **kwargs: Callable[[SimpleNamespace], object]):
    return lambda w: reverse(name, kwargs={k: f(w) for k, f in kwargs.items()})


REPORT_FIELDS = {
    "fiscal_year": NONE,
    "start": NONE,
    "end": NONE,
    "provider": NONE,
    "program": NONE,
    "course": NONE,
    "delivery": NONE,
    "sort": ANY,  # an unknown sort is ignored
    "dir": ANY,
    "years": ANY,  # not a filter of the reach page: ignored
}
EXPORT_FIELDS = {name: REPORT_FIELDS[name] for name in ("fiscal_year", "start", "end", "provider")}
PAGING = {"page": ANY, "page_size": ANY, "per_page": ANY}


def _staff_billing(w):
    return {"start": "2000-01-01", "end": "2100-12-31", "provider": w.session.course.provider.slug}


PAGES = [
    Page(
        "catalog",
        "educator",
        "GET",
        _url("courses:catalog"),
        {
            "q": TEXT,
            "provider": NONE,
            "program": NONE,
            "format": NONE,
            "audience": NONE,
            "starts_after": NONE,
            "starts_before": NONE,
            "has_seats": ANY,
            **PAGING,
        },
    ),
    Page("me", "educator", "GET", _url("registrations:me"), {"status": ANY, **PAGING}),
    Page(
        "profile",
        "educator",
        "POST",
        _url("organizations:profile"),
        {
            "first_name": TEXT,
            "last_name": TEXT,
            "district": NONE,
            "school": NONE,
            "position": NONE,
            "certification_number": TEXT,
            "next": ANY,
        },
        valid=lambda w: {
            "first_name": "Pat",
            "last_name": "Example",
            "district": w.users["educator"].profile.district_id,
            "school": w.users["educator"].profile.school_id,
            "position": w.users["educator"].profile.position,
        },
    ),
    Page(
        "register",
        "educator",
        "POST",
        _url("registrations:register", pk=lambda w: w.session.pk),
        {"payer": NONE, "purchase_order": TEXT},
        valid=lambda w: {"payer": "district", "purchase_order": "PO-1"},
    ),
    Page(
        "transfer",
        "registrant",
        "POST",
        _url("registrations:transfer", pk=lambda w: w.registration.pk),
        {"email": NONE},
        valid=lambda w: {"email": w.users["educator"].email},
    ),
    Page(
        "decide",
        "coordinator",
        "POST",
        _url("registrations:decide", pk=lambda w: w.pending.pk),
        # Anything but "approve" declines, with the reason given: by design.
        {"decision": ANY, "reason": TEXT},
        valid=lambda w: {"decision": "decline", "reason": "Not this year."},
    ),
    Page("approvals", "coordinator", "GET", _url("registrations:approvals"), PAGING),
    Page(
        "group",
        "coordinator",
        "POST",
        _url("registrations:group"),
        {
            "session": NONE,
            "people": NONE,
            # Addresses that are not emails are reported one by one, not refused as a whole.
            "emails": TEXT,
            "payer": NONE,
            "purchase_order": TEXT,
        },
        valid=lambda w: {
            "session": w.session.pk,
            "people": [w.users["educator"].pk],
            "payer": "district",
            "purchase_order": "PO-2",
        },
    ),
    Page(
        "roster_get",
        "trainer",
        "GET",
        _url("attendance:roster", pk=lambda w: w.past_session.pk),
        {"meeting": ANY},  # a bad meeting id shows the first meeting
    ),
    Page(
        "roster",
        "trainer",
        "POST",
        _url("attendance:roster", pk=lambda w: w.past_session.pk),
        {"status": NONE, "minutes": NONE},
        valid=lambda w: {"status": "partial", "minutes": "60"},
        query=lambda w: {"meeting": w.past_meeting.pk},
        query_fields={"meeting": NONE},
    ),
    Page(
        "walk_in",
        "trainer",
        "POST",
        _url("attendance:walk_in", meeting_pk=lambda w: w.past_meeting.pk),
        {"email": NONE},
        valid=lambda w: {"email": w.users["educator"].email},
    ),
    Page(
        "headcount",
        "trainer",
        "POST",
        _url("attendance:add_headcount", meeting_pk=lambda w: w.past_meeting.pk),
        {"audience": NONE, "district": NONE, "count": NONE},
        valid=lambda w: {"audience": "youth", "count": "4"},
    ),
    Page(
        "check_in",
        "registrant",
        "POST",
        _url("attendance:check_in", code=lambda w: w.check_in_code),
        {"code": ANY},  # the code is in the path; a posted one is ignored
    ),
    Page(
        "staff_sessions",
        "staff",
        "GET",
        _url("staff:sessions"),
        {"q": TEXT, "when": NONE, **PAGING},
    ),
    Page(
        "capacity",
        "staff",
        "POST",
        _url("staff:capacity", pk=lambda w: w.session.pk),
        {"capacity": NONE},
        valid=lambda w: {"capacity": "30"},
    ),
    Page(
        "move",
        "staff",
        "POST",
        _url("staff:move", pk=lambda w: w.session.pk, registration_pk=lambda w: w.registration.pk),
        {"to_session": NONE},
    ),
    # An Alliance admin, who has the provider field (staff of one provider do not).
    Page(
        "billing",
        "admin",
        "GET",
        _url("staff:billing"),
        {"start": NONE, "end": NONE, "provider": NONE},
        valid=_staff_billing,
    ),
    Page(
        "billing_csv",
        "admin",
        "GET",
        _url("staff:billing_csv"),
        {"start": NONE, "end": NONE, "provider": NONE},
        valid=_staff_billing,
    ),
    Page(
        "billing_own",
        "staff",
        "GET",
        _url("staff:billing"),
        {"start": NONE, "end": NONE, "provider": ANY},  # no provider field: ignored
    ),
    Page("reach", "staff", "GET", _url("reports:reach"), REPORT_FIELDS),
    Page(
        "compare",
        "staff",
        "GET",
        _url("reports:compare"),
        # The compare page has no period fields but the years: the others are ignored.
        REPORT_FIELDS | {"fiscal_year": ANY, "start": ANY, "end": ANY, "years": NONE},
    ),
    Page(
        "reach_coordinator",
        "coordinator",
        "GET",
        _url("reports:reach"),
        {"fiscal_year": NONE, "start": NONE, "end": NONE, "sort": ANY, "dir": ANY},
    ),
    Page("export_csv", "staff", "GET", _url("reports:export", fmt=lambda w: "csv"), REPORT_FIELDS),
    Page(
        "export_xlsx", "staff", "GET", _url("reports:export", fmt=lambda w: "xlsx"), EXPORT_FIELDS
    ),
    Page("export_pdf", "staff", "GET", _url("reports:export", fmt=lambda w: "pdf"), EXPORT_FIELDS),
    Page("detail_csv", "staff", "GET", _url("reports:detail"), REPORT_FIELDS),
    Page(
        "delete_account",
        "educator",
        "POST",
        _url("privacy:delete_account"),
        {"email": NONE},
    ),
]
PAGES_BY_KEY = {page.key: page for page in PAGES}


# Bodies no form can read: (content type, body). None: Django's multipart encoding of a dict.
OVERSIZED = 3 * 1024 * 1024
BODIES: dict[str, tuple[str | None, object]] = {
    "oversized_multipart": (None, {"filler": "x" * OVERSIZED}),
    "oversized_urlencoded": ("application/x-www-form-urlencoded", "filler=" + "x" * OVERSIZED),
    "json": ("application/json", None),  # the page's valid values, as JSON
    "text_plain": ("text/plain", "payer=self&capacity=30"),
    "multipart_no_boundary": ("multipart/form-data", "--x\r\nfiller\r\n--x--\r\n"),
}


def _form_name(page: Page, w: SimpleNamespace, name: str) -> str:
    """The roster's fields are per registration: status-<pk>, minutes-<pk>."""
    return f"{name}-{w.certificate.registration_id}" if page.key == "roster" else name


def _valid_values(page: Page, w: SimpleNamespace) -> dict:
    return {_form_name(page, w, name): value for name, value in page.valid(w).items()}


def _field_values(page: Page, w: SimpleNamespace, name: str, value: str) -> dict:
    """The page's valid values with `value` in field `name`."""
    data = _valid_values(page, w)
    data[_form_name(page, w, name)] = [value] if name == "people" else value
    return data


CASES = [
    pytest.param(page.key, "field", name, kind, id=f"{page.key}-{name}-{kind}")
    for page in PAGES
    for name in page.fields
    for kind in BAD
]
CASES += [
    pytest.param(page.key, "query", name, kind, id=f"{page.key}-query:{name}-{kind}")
    for page in PAGES
    for name in page.query_fields
    for kind in BAD
]
CASES += [
    pytest.param(page.key, "body", body, "", id=f"{page.key}-body:{body}")
    for page in PAGES
    if page.method == "POST" and page.bodies
    for body in BODIES
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            built = build_world()
            # A program, so the catalog's and the reports' program lists are not empty.
            ProgramFactory(provider=built.course.provider, slug="bad-input-program")
        yield built
        transaction.set_rollback(True)


# Judging a response --------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _contexts(response) -> list[dict]:
    context = response.context
    if context is None:
        return []
    contexts = context if isinstance(context, ContextList) else [context]
    return [c.flatten() if hasattr(c, "flatten") else dict(c) for c in contexts]


def _form_errors(response) -> list[str]:
    """The messages of the bound forms of the page (and the roster's and check-in's errors)."""
    found: list[str] = []
    for context in _contexts(response):
        for value in context.values():
            if isinstance(value, BaseForm) and value.is_bound and value.errors:
                found += [str(m) for errors in value.errors.values() for m in errors]
            elif isinstance(value, RosterForm) and value.has_errors:
                found += value.non_field_errors + [e for r in value.error_rows for e in r.errors]
        if isinstance(context.get("error"), str):
            found.append(context["error"])
    return found


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _rejected(response) -> tuple[bool, str]:
    """(rejected?, why) of a response that is not a 5xx."""
    status = response.status_code
    if status >= 400:
        return True, f"{status}"
    if status in (301, 302, 303):
        levels = {m.level for m in get_messages(response.wsgi_request)}
        if constants.SUCCESS in levels:
            return False, "redirect with a success message"
        return True, "redirect without a success message"
    errors = _form_errors(response)
    if errors:
        body = _content(response).decode()
        shown = [m for m in errors if html.escape(m) in body or m in body]
        assert shown, f"the page has form errors but shows none of them: {errors}"
        return True, f"{status} showing {shown[0]!r}"
    return False, f"{status} without a form error"


def _send(client: Client, page: Page, w: SimpleNamespace, data: dict, query: dict, body=None):
    path = page.path(w)
    if page.method == "GET":
        return client.get(path, data)
    if query:
        path = f"{path}?{urlencode(query)}"
    if body is None:
        return client.post(path, data)
    content_type, payload = body
    if content_type is None:
        return client.post(path, payload)
    if payload is None:
        payload = json.dumps(data, default=str)
    return client.post(path, payload, content_type=content_type)


# The cases ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "where", "name", "kind"), CASES)
def test_bad_input(key: str, where: str, name: str, kind: str, world, db, client: Client):
    page = PAGES_BY_KEY[key]
    client.force_login(world.users[page.role])
    query = {k: str(v) for k, v in page.query(world).items()}
    body = None
    may_accept = True
    if where == "field":
        data = _field_values(page, world, name, BAD[kind])
        may_accept = kind in page.fields[name]
    elif where == "query":
        data = _valid_values(page, world)
        query[name] = BAD[kind]
        may_accept = kind in page.query_fields[name]
    else:
        data = _valid_values(page, world)
        body = BODIES[name]
        may_accept = name in {"json", "text_plain"} and not page.valid(world)
    before = _counts()
    response = _send(client, page, world, data, query, body)
    assert response.status_code < 500, f"{response.status_code}: {_content(response)[:300]!r}"
    rejected, why = _rejected(response)
    assert rejected or may_accept, f"accepted ({why}); expected a rejection"
    if rejected:
        assert _counts() == before, f"rejected ({why}) but rows changed"


# Odd codes in paths ---------------------------------------------------------------------------

ODD_CODES = {
    **BAD,
    "percent": "%",
    "slash_dots": "..%2f..",
    "spaces": "   ",
    "emoji_only": "🎓🎓🎓",
    "lowercase_real": None,  # the real code in lower case with a space: may be accepted
}


@pytest.mark.parametrize("kind", ODD_CODES)
@pytest.mark.parametrize("url_name", ["certificates:verify", "attendance:check_in"])
def test_odd_codes(url_name: str, kind: str, world, db, client: Client):
    """Codes no certificate or meeting has are 404 (GET, and POST for the check-in); the real
    code typed in lower case with spaces may work (it is normalised)."""
    client.force_login(world.users["registrant"])
    code = ODD_CODES[kind]
    if code is None:
        real = world.certificate.code if url_name == "certificates:verify" else world.check_in_code
        code = f" {real.lower()} "
    path = reverse(url_name, kwargs={"code": code})
    before = _counts()
    responses = [client.get(path)]
    if url_name == "attendance:check_in":
        responses.append(client.post(path))
    for response in responses:
        assert response.status_code < 500, f"{response.status_code}: {response.content[:300]!r}"
        if kind != "lowercase_real":
            assert response.status_code == 404, f"{path[:80]}: {response.status_code}"
    assert _counts() == before


def test_the_cases_cover_every_kind_of_bad_input():
    """A control: every page has fields, every field gets every kind, and POSTs get bodies."""
    assert all(page.fields for page in PAGES)
    assert {c.values[3] for c in CASES if c.values[1] == "field"} == set(BAD)
    posts = {page.key for page in PAGES if page.method == "POST"}
    assert {c.values[0] for c in CASES if c.values[1] == "body"} == posts


@pytest.mark.parametrize("key", ["profile", "capacity", "headcount", "register"])
def test_the_judge_sees_an_accepted_form(key: str, world, db, client: Client):
    """A control: the pages' valid values are accepted, so a rejection means something."""
    page = PAGES_BY_KEY[key]
    client.force_login(world.users[page.role])
    response = _send(client, page, world, _valid_values(page, world), page.query(world))
    assert _rejected(response) == (False, "redirect with a success message")

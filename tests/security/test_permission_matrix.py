"""The permission matrix: every page and API URL, for every role, against one table.

What it checks
    `discover()` walks the URL configuration (`get_resolver()`, recursively through every
    URLResolver) and lists every pattern. Each (row of EXPECTED, role) is one test case: the
    path is built with `reverse()` from real objects of a small fixture world (PATH_ARGS), the
    role's person signs in, the request is sent, and the status must be the one in the table.
    `test_every_url_pattern_has_a_row` fails when a discovered pattern has no row (a new URL
    cannot escape the matrix), when an API view answers a method the table has no row for, or
    when a row names a pattern that no longer exists.

    Besides the status, `test_permission` checks that no response shows the name or email of
    the two people whose registrations the world holds to a role that may not see them
    (HIDDEN_FROM: anonymous, another educator, the trainer outside their roster, staff of
    another provider; the registrant does not see the applicant), except on the capability and
    public pages that show them by design (SHOWS_PEOPLE_BY_DESIGN). A control test proves the
    markers are found where people are listed.

    `test_an_unknown_object_is_404_even_for_an_alliance_admin` sends every row's request with
    values no object has (an unused id, an id beyond any column, an unknown word, a NUL
    character): 404, never a 500.

Roles (ROLES): anonymous; an educator (a signed-in person with a profile, not the owner of
    any object in the paths; they are the invitee of the invitation); the registrant (owner of
    the registration, certificate and calendar feed in the paths); the trainer of the session
    in question; the coordinator of the registrant's district; staff of the session's
    provider; staff of another provider; an Alliance admin.

Statuses: a number, or LOGIN (302 to a sign-in page). Reads are GETs. State-changing URLs get
    a POST/PUT/PATCH/DELETE with an empty or minimal body: the unauthorized must get
    401/403/404/405 and the table holds exactly what authorized roles get (2xx, 3xx or 400).

Not covered, on purpose (EXCLUDED_PREFIXES): allauth's /accounts/ URLs (allauth tests them;
    the login and signup pages are rows), Django's /admin/ (Django tests it; the admin index
    is a row) and static files (served by WhiteNoise, outside the URL configuration).

Runtime: the fixture world is built once per module by `world`, a module-scoped fixture that
    opens the database with `django_db_blocker` inside a transaction it rolls back when the
    module ends. Every case also requests `db`, so it runs in its own savepoint, rolled back
    after it: a write by one role (a cancellation, a new capacity) never reaches the next case.
    The 89 rows x 8 roles = 712 cases, plus 100 unknown-object cases, take 12-35 s on SQLite
    and 19-40 s on PostgreSQL (the world itself takes about 2 s to build).
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter
from django.utils import timezone
from rest_framework.views import APIView

from activity.services import record_activity
from attendance.models import Headcount
from attendance.services import check_in_code_for
from certificates.selectors import transcript
from certificates.services import issue_transcript
from evaluations.services import QuestionSpec, ask_for_evaluations, save_evaluation_form
from registrations.models import CalendarFeed, Invitation, Registration
from registrations.notifications import RELEASE_SALT
from tests.certificates.helpers import completed, confirmed, mark, past_session
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    alliance_admin,
    coordinator_of,
    educator,
    in_days,
    staff_of,
    unverified_educator,
)

ROLES = (
    "anonymous",
    "educator",
    "registrant",
    "trainer",
    "coordinator",
    "staff",
    "other_staff",
    "admin",
)
# Whose name and email a role must never see in a response (the leak check). The trainer sees
# the people of their session on the pages in TRAINER_SEES_PEOPLE only.
HIDDEN_FROM = {
    "anonymous": ("registrant", "applicant"),
    "educator": ("registrant", "applicant"),
    "registrant": ("applicant",),
    "trainer": ("registrant", "applicant"),
    "other_staff": ("registrant", "applicant"),
}
LOGIN = "login"  # 302 to a sign-in page

EXCLUDED_PREFIXES = {
    "accounts/": "allauth's own views, tested by allauth (login and signup pages are rows)",
    "admin/": "Django's admin, tested by Django (the admin index is a row)",
    "static/": "static files: WhiteNoise serves them outside the URL configuration",
}

# fmt: off
# Every discovered pattern (by URL name) needs at least one "METHOD name" row here; the API's
# views need one per method they answer. Columns follow ROLES.
_TABLE: dict[str, tuple] = {
    #                                       anon   educ   regis  train  coord  staff  other  admin
    # Catalog: public.
    "GET courses:home":                     (200,   200,   200,   200,   200,   200,   200,   200),
    "GET courses:catalog":                  (200,   200,   200,   200,   200,   200,   200,   200),
    "GET courses:course_detail":            (200,   200,   200,   200,   200,   200,   200,   200),
    "GET courses:session_detail":           (200,   200,   200,   200,   200,   200,   200,   200),
    # The person's own profile; an empty POST shows the form's errors.
    "GET organizations:profile":            (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "POST organizations:profile":           (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    # Unverified people naming a district: its coordinators (staff only where it has none).
    "GET organizations:district_people":    (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    "POST organizations:decide_district_member": (LOGIN, 404, 404, 404, 302,   404,   404,   404),
    # Registrations.
    "GET registrations:me":                 (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "GET registrations:approvals":          (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    "POST registrations:decide":            (LOGIN, 404,   404,   404,   302,   302,   404,   302),
    "GET registrations:group":              (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    "POST registrations:group":             (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    "GET registrations:invitation":         (200,   200,   403,   403,   403,   403,   403,   403),
    "POST registrations:invitation":        (200,   302,   403,   403,   403,   403,   403,   403),
    "POST registrations:transfer":          (LOGIN, 404,   302,   404,   302,   404,   404,   404),
    "POST registrations:reset_feed":        (LOGIN, 302,   302,   302,   302,   302,   302,   302),
    "POST registrations:register":          (LOGIN, 302,   302,   302,   302,   302,   302,   302),
    "GET registrations:session_calendar":   (200,   200,   200,   200,   200,   200,   200,   200),
    "GET registrations:feed":               (200,   200,   200,   200,   200,   200,   200,   200),
    "GET registrations:cancel":             (LOGIN, 404,   200,   404,   200,   200,   404,   200),
    "POST registrations:cancel":            (LOGIN, 404,   302,   404,   302,   302,   404,   302),
    "GET registrations:release":            (200,   200,   200,   200,   200,   200,   200,   200),
    "POST registrations:release":           (302,   302,   302,   302,   302,   302,   302,   302),
    # Provider staff's registration tools: 403 for non-staff, 404 for another provider's.
    "GET staff:sessions":                   (LOGIN, 403,   403,   403,   403,   200,   200,   200),
    "GET staff:session_registrations":      (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    "POST staff:cancel":                    (LOGIN, 403,   403,   403,   403,   303,   404,   303),
    "POST staff:promote":                   (LOGIN, 403,   403,   403,   403,   303,   404,   303),
    "POST staff:move":                      (LOGIN, 403,   403,   403,   403,   303,   404,   303),
    "POST staff:capacity":                  (LOGIN, 403,   403,   403,   403,   303,   404,   303),
    "GET staff:roster_csv":                 (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    "GET staff:billing":                    (LOGIN, 403,   403,   403,   403,   200,   200,   200),
    "GET staff:billing_csv":                (LOGIN, 403,   403,   403,   403,   200,   200,   200),
    # History (activity log): one's own registration on /me/ (404 for anyone else's, never
    # 403); a registration and a session as provider staff.
    "GET activity:my_registration":         (LOGIN, 404,   200,   404,   404,   404,   404,   404),
    "GET activity:staff_registration":      (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    "GET activity:session_history":         (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    # Attendance: the session's trainers and its provider's staff; 404 for anyone else.
    "GET attendance:trainer_home":          (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "GET attendance:roster":                (LOGIN, 404,   404,   200,   404,   200,   404,   200),
    "POST attendance:roster":               (LOGIN, 404,   404,   302,   404,   302,   404,   302),
    "POST attendance:mark_present":         (LOGIN, 404,   404,   302,   404,   302,   404,   302),
    "POST attendance:walk_in":              (LOGIN, 404,   404,   400,   404,   400,   404,   400),
    "POST attendance:add_headcount":        (LOGIN, 404,   404,   400,   404,   400,   404,   400),
    "GET attendance:remove_headcount":      (LOGIN, 404,   404,   200,   404,   200,   404,   200),
    "POST attendance:remove_headcount":     (LOGIN, 404,   404,   302,   404,   302,   404,   302),
    "GET attendance:check_in_code":         (LOGIN, 404,   404,   200,   404,   200,   404,   200),
    "POST attendance:rotate_code":          (LOGIN, 404,   404,   302,   404,   302,   404,   302),
    "GET attendance:check_in":              (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "POST attendance:check_in":             (LOGIN, 400,   400,   400,   400,   400,   400,   400),
    "GET attendance:check_in_by_code":      (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "POST attendance:check_in_by_code":     (LOGIN, 400,   400,   400,   400,   400,   400,   400),
    # The person's own data (privacy) and API token; empty POSTs show the form's errors.
    "GET privacy:my_data":                  (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "GET privacy:my_data_json":             (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "GET privacy:delete_account":           (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "POST privacy:delete_account":          (LOGIN, 400,   400,   400,   400,   400,   400,   400),
    "GET accounts:api_token":               (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "POST accounts:api_token":              (LOGIN, 302,   302,   302,   302,   302,   302,   302),
    # Certificates: 404 for whoever may not see one, never 403.
    "GET certificates:pdf":                 (LOGIN, 404,   200,   200,   404,   200,   404,   200),
    "GET certificates:verify":              (200,   200,   200,   200,   200,   200,   200,   200),
    "GET certificates:transcript_verify":   (200,   200,   200,   200,   200,   200,   200,   200),
    "GET certificates:session_zip":         (LOGIN, 404,   404,   200,   404,   200,   404,   200),
    "GET certificates:my_transcript_pdf":   (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "GET certificates:my_transcript_csv":   (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    "GET certificates:staff_transcript_pdf": (LOGIN, 404,  404,   404,   404,   200,   404,   200),
    "GET certificates:staff_transcript_csv": (LOGIN, 404,  404,   404,   404,   200,   404,   200),
    # Reports: provider staff, Alliance admins and district coordinators.
    "GET reports:reach":                    (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    "GET reports:compare":                  (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    "GET reports:export":                   (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    "GET reports:detail":                   (LOGIN, 403,   403,   403,   200,   200,   200,   200),
    # Evaluation forms: provider staff and Alliance admins; another provider's form 404. An
    # empty POST shows the builder's errors (200).
    "GET evaluation_forms:list":            (LOGIN, 403,   403,   403,   403,   200,   200,   200),
    "GET evaluation_forms:new":             (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    "POST evaluation_forms:new":            (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    "GET evaluation_forms:detail":          (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    "GET evaluation_forms:edit":            (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    "POST evaluation_forms:edit":           (LOGIN, 403,   403,   403,   403,   200,   404,   200),
    # Evaluation results: trainers (their sessions), provider staff (their provider's: other
    # staff see an empty page), Alliance admins; never educators or coordinators.
    "GET evaluation_results:results":       (LOGIN, 403,   403,   200,   403,   200,   200,   200),
    "GET evaluation_results:export":        (LOGIN, 403,   403,   200,   403,   200,   200,   200),
    # allauth's sign-in pages, Django's admin index, the health check.
    "GET account_login":                    (200,   302,   302,   302,   302,   302,   302,   302),
    "GET account_signup":                   (200,   302,   302,   302,   302,   302,   302,   302),
    "GET admin:index":                      (LOGIN, 302,   302,   302,   302,   200,   200,   200),
    "GET healthz":                          (200,   200,   200,   200,   200,   200,   200,   200),
    # API: 401 for anonymous callers of what needs a person.
    "POST api-token":                       (400,   400,   400,   400,   400,   400,   400,   400),
    "DELETE api-token":                     (401,   204,   204,   204,   204,   204,   204,   204),
    "GET api-attendance":                   (401,   403,   403,   200,   403,   200,   403,   200),
    "PUT api-attendance":                   (401,   403,   403,   200,   403,   200,   403,   200),
    "POST api-headcounts":                  (401,   403,   403,   201,   403,   201,   403,   201),
    "GET api-certificates":                 (401,   200,   200,   200,   200,   200,   200,   200),
    "GET api-certificate-pdf":              (401,   404,   200,   200,   404,   200,   404,   200),
    "GET api-certificate-verify":           (200,   200,   200,   200,   200,   200,   200,   200),
    "POST api-register":                    (401,   201,   200,   201,   201,   400,   400,   400),
    "GET registration-list":                (401,   200,   200,   200,   200,   200,   200,   200),
    "GET registration-detail":              (401,   404,   200,   404,   200,   200,   404,   200),
    "POST registration-approve":            (401,   404,   404,   404,   200,   200,   404,   200),
    "POST registration-decline":            (401,   404,   404,   404,   200,   200,   404,   200),
    "POST registration-cancel":             (401,   404,   200,   404,   200,   200,   404,   200),
    "GET api-course-list":                  (200,   200,   200,   200,   200,   200,   200,   200),
    "POST api-course-list":                 (401,   403,   403,   403,   403,   201,   403,   201),
    "GET api-course-detail":                (200,   200,   200,   200,   200,   200,   200,   200),
    "PATCH api-course-detail":              (401,   403,   403,   403,   403,   200,   404,   200),
    "DELETE api-course-detail":             (401,   403,   403,   403,   403,   400,   404,   400),
    "GET api-session-list":                 (200,   200,   200,   200,   200,   200,   200,   200),
    "POST api-session-list":                (401,   403,   403,   403,   403,   201,   403,   201),
    "GET api-session-detail":               (200,   200,   200,   200,   200,   200,   200,   200),
    "PATCH api-session-detail":             (401,   403,   403,   403,   403,   200,   404,   200),
    "DELETE api-session-detail":            (401,   403,   403,   403,   403,   400,   404,   400),
    "POST api-session-cancel":              (401,   403,   403,   403,   403,   200,   404,   200),
    # A registration's history: whoever may see the registration (404 for anyone else).
    "GET api-activity":                     (401,   404,   200,   404,   200,   200,   404,   200),
    "GET api-reports-reach":                (401,   403,   403,   403,   200,   200,   200,   200),
    # Evaluations: one's own (404 for anyone else's, never 403); an empty POST shows the
    # form's errors. Staff excuse a person (an empty reason is a message on the page they
    # come back to); 404 for anyone else.
    "GET evaluations:evaluate":             (LOGIN, 404,   200,   404,   404,   404,   404,   404),
    "POST evaluations:evaluate":            (LOGIN, 404,   400,   404,   404,   404,   404,   404),
    "POST evaluations:excuse":              (LOGIN, 404,   404,   404,   404,   303,   404,   303),
    "GET api-evaluation-form":              (200,   200,   200,   200,   200,   200,   200,   200),
    "GET api-my-evaluation":                (401,   404,   200,   404,   404,   404,   404,   404),
    "PUT api-my-evaluation":                (401,   404,   400,   404,   404,   404,   404,   404),
    "GET api-evaluation-results":           (401,   403,   403,   200,   403,   200,   200,   200),
    "GET api-schema":                       (200,   200,   200,   200,   200,   200,   200,   200),
    "GET api-docs":                         (200,   200,   200,   200,   200,   200,   200,   200),
}
# fmt: on
EXPECTED: dict[str, dict[str, int | str]] = {
    key: dict(zip(ROLES, statuses, strict=True)) for key, statuses in _TABLE.items()
}

# The objects a pattern's path is built from, by URL name (patterns without arguments: none).
PATH_ARGS: dict[str, Callable[[SimpleNamespace], dict]] = {
    "courses:course_detail": lambda w: {"slug": w.course.slug},
    "courses:session_detail": lambda w: {"pk": w.session.pk},
    "registrations:decide": lambda w: {"pk": w.pending.pk},
    "organizations:decide_district_member": lambda w: {"pk": w.claimant.pk},
    "registrations:invitation": lambda w: {"token": w.invitation.token},
    "registrations:transfer": lambda w: {"pk": w.registration.pk},
    "registrations:register": lambda w: {"pk": w.session.pk},
    "registrations:session_calendar": lambda w: {"pk": w.session.pk},
    "registrations:feed": lambda w: {"token": w.feed.token},
    "registrations:cancel": lambda w: {"pk": w.registration.pk},
    "registrations:release": lambda w: {"token": w.release_token},
    "staff:session_registrations": lambda w: {"pk": w.session.pk},
    "staff:cancel": lambda w: {"pk": w.session.pk, "registration_pk": w.registration.pk},
    "staff:promote": lambda w: {"pk": w.session.pk, "registration_pk": w.registration.pk},
    "staff:move": lambda w: {"pk": w.session.pk, "registration_pk": w.registration.pk},
    "staff:capacity": lambda w: {"pk": w.session.pk},
    "staff:roster_csv": lambda w: {"pk": w.session.pk},
    "activity:my_registration": lambda w: {"pk": w.registration.pk},
    "activity:staff_registration": lambda w: {
        "pk": w.session.pk,
        "registration_pk": w.registration.pk,
    },
    "activity:session_history": lambda w: {"pk": w.session.pk},
    "attendance:roster": lambda w: {"pk": w.session.pk},
    "attendance:mark_present": lambda w: {"meeting_pk": w.meeting.pk},
    "attendance:walk_in": lambda w: {"meeting_pk": w.meeting.pk},
    "attendance:add_headcount": lambda w: {"meeting_pk": w.meeting.pk},
    "attendance:remove_headcount": lambda w: {"pk": w.headcount.pk},
    "attendance:check_in_code": lambda w: {"meeting_pk": w.meeting.pk},
    "attendance:rotate_code": lambda w: {"meeting_pk": w.meeting.pk},
    "attendance:check_in": lambda w: {"code": w.check_in_code},
    "certificates:pdf": lambda w: {"pk": w.certificate.pk},
    "certificates:verify": lambda w: {"code": w.certificate.code},
    "certificates:transcript_verify": lambda w: {"code": w.issued_transcript.code},
    "certificates:session_zip": lambda w: {"pk": w.past_session.pk},
    "certificates:staff_transcript_pdf": lambda w: {"pk": w.registrant.pk},
    "certificates:staff_transcript_csv": lambda w: {"pk": w.registrant.pk},
    "evaluation_forms:detail": lambda w: {"pk": w.evaluation_form.pk},
    "evaluation_forms:edit": lambda w: {"pk": w.evaluation_form.pk},
    "reports:export": lambda w: {"fmt": "csv"},
    "evaluation_results:export": lambda w: {"fmt": "csv"},
    # The past session: attendance of the future one cannot be recorded yet (a 400).
    "api-attendance": lambda w: {"pk": w.past_session.pk},
    "api-headcounts": lambda w: {"pk": w.past_session.pk},
    "api-certificate-verify": lambda w: {"code": w.certificate.code},
    "api-certificate-pdf": lambda w: {"pk": w.certificate.pk},
    "api-register": lambda w: {"pk": w.session.pk},
    "registration-detail": lambda w: {"pk": w.registration.pk},
    "registration-approve": lambda w: {"pk": w.pending.pk},
    "registration-decline": lambda w: {"pk": w.pending.pk},
    "registration-cancel": lambda w: {"pk": w.registration.pk},
    "api-course-detail": lambda w: {"slug": w.course.slug},
    "api-session-detail": lambda w: {"pk": w.session.pk},
    "api-session-cancel": lambda w: {"pk": w.session.pk},
    "evaluations:evaluate": lambda w: {"pk": w.asked.pk},
    "evaluations:excuse": lambda w: {"pk": w.asked.session_id, "registration_pk": w.asked.pk},
    "api-evaluation-form": lambda w: {"pk": w.asked.session_id},
    "api-my-evaluation": lambda w: {"pk": w.asked.pk},
}
# Query strings some pages need to do their work rather than answer 400 or 404.
QUERY: dict[str, Callable[[SimpleNamespace], str]] = {
    "attendance:roster": lambda w: f"meeting={w.meeting.pk}",
    "staff:billing_csv": lambda w: "start=2000-01-01&end=2100-12-31",
    "evaluation_forms:new": lambda w: f"course={w.course.pk}",
    "api-activity": lambda w: f"registration={w.registration.pk}",
}
# Minimal valid bodies where an empty one would stop at validation before the permission
# check (every other write is sent empty). An unauthorized role must still be refused.
BODY: dict[str, Callable[[SimpleNamespace], object]] = {
    "POST registrations:decide": lambda w: {"decision": "approve"},
    "POST organizations:decide_district_member": lambda w: {"decision": "confirm"},
    "POST registrations:transfer": lambda w: {"email": w.users["educator"].email},
    "PUT api-attendance": lambda w: [
        {
            "registration": w.certificate.registration_id,
            "meeting": w.past_meeting.pk,
            "status": "present",
        }
    ],
    "POST api-headcounts": lambda w: {
        "meeting": w.past_meeting.pk,
        "audience": "youth",
        "count": 2,
    },
    "POST registration-decline": lambda w: {"reason": "The permission matrix declines."},
    "POST api-course-list": lambda w: {
        "slug": "matrix-new-course",
        "title": "Matrix new course",
        "provider": w.course.provider.slug,
        "hours": "3.00",
        "member_price": "0.00",
        "non_member_price": "0.00",
    },
    "POST api-session-list": lambda w: {
        "course": w.course.slug,
        "capacity": 10,
        "registration_closes_at": in_days(39).isoformat(),
        "meetings": [
            {"starts_at": in_days(40).isoformat(), "ends_at": in_days(40, 15).isoformat()}
        ],
    },
}
# Pages whose job is to show a person's name to whoever holds the link.
SHOWS_PEOPLE_BY_DESIGN = {
    "certificates:verify": "the public verification page names the certified person",
    "certificates:transcript_verify": "a transcript's verify page names its person, like the PDF",
    "api-certificate-verify": "the public verification API names the certified person",
    "registrations:release": "the promotion email's link greets the registrant",
}


# The trainer's own session's people, on the pages that exist for taking attendance (a bad
# headcount or walk-in form shows the roster again, with its errors).
TRAINER_SEES_PEOPLE = {
    "attendance:roster",
    "attendance:add_headcount",
    "attendance:walk_in",
    "api-attendance",
    # Each certificate in the ZIP is named by its holder (the trainer's own session).
    "certificates:session_zip",
}


# Discovery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str  # the namespaced URL name, or the route when the pattern has none
    route: str
    methods: frozenset[str] | None  # what an API view answers; None for Django views
    arguments: tuple[tuple[str, str], ...] = ()  # (keyword, "int", "slug" or "str") of the path

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _api_methods(callback) -> frozenset[str] | None:
    actions = getattr(callback, "actions", None)  # a DRF viewset's method -> action
    if actions:
        return frozenset(method.upper() for method in actions)
    cls = getattr(callback, "cls", None)
    if isinstance(cls, type) and issubclass(cls, APIView):
        return frozenset(
            method.upper()
            for method in cls.http_method_names
            if method not in {"head", "options"} and hasattr(cls, method)
        )
    return None


KINDS = {IntConverter: "int", SlugConverter: "slug"}


def _arguments(entry: URLPattern) -> tuple[tuple[str, str], ...]:
    converters = getattr(entry.pattern, "converters", {})  # a route; a regex has none
    names = converters or entry.pattern.regex.groupindex
    return tuple((name, KINDS.get(type(converters.get(name)), "str")) for name in names)


def discover(resolver=None, prefix: str = "", namespace: str = "") -> Iterator[Endpoint]:
    """Every URL pattern under `resolver` (the root one by default), with its full route."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from discover(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = route
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Endpoint(name, route, _api_methods(entry.callback), _arguments(entry))


def _excluded(endpoint: Endpoint, named: set[str]) -> bool:
    if endpoint.name in named:  # a row brings an excluded pattern back in
        return False
    return any(endpoint.route.startswith(prefix) for prefix in EXCLUDED_PREFIXES)


ROW_NAMES = {key.split(" ", 1)[1] for key in EXPECTED}
ENDPOINTS = {e.name: e for e in discover() if not _excluded(e, ROW_NAMES)}


def test_every_url_pattern_has_a_row():
    routes = [e.route for e in discover()]
    assert len(routes) > 100, "discovery found too few patterns"
    missing = sorted(f"{e.name} ({e.route})" for e in ENDPOINTS.values() if e.name not in ROW_NAMES)
    assert not missing, f"URL patterns without a row in the permission matrix: {missing}"
    methods = sorted(
        f"{method} {e.name}"
        for e in ENDPOINTS.values()
        for method in e.methods or ()
        if f"{method} {e.name}" not in EXPECTED
    )
    assert not methods, f"API methods without a row in the permission matrix: {methods}"
    stale = sorted(ROW_NAMES - set(ENDPOINTS))
    assert not stale, f"rows for URL names that no longer exist: {stale}"
    unbuildable = sorted(
        e.name for e in ENDPOINTS.values() if e.arguments and e.name not in PATH_ARGS
    )
    assert not unbuildable, f"patterns with arguments but no PATH_ARGS entry: {unbuildable}"


# The world --------------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    """Two providers; a session of the first with its trainer, a confirmed registrant, a
    pending applicant, a check-in code and a headcount; a past session where the registrant
    earned a certificate; the registrant's calendar feed; an invitation for the educator."""
    own = ProviderFactory(short_name="MTXOWN")
    other = ProviderFactory(short_name="MTXOTHER")
    district = DistrictFactory(member_of=own)
    users = {
        "educator": educator(district=district),
        "registrant": educator(
            district=district,
            email="quillon.registrant@example.org",
            first_name="Quillon",
            last_name="Registrantova",
        ),
        "trainer": educator(district=DistrictFactory(member_of=other)),
        "coordinator": coordinator_of(district),
        "staff": staff_of(own),
        "other_staff": staff_of(other),
        "admin": alliance_admin(),
    }
    applicant = educator(
        district=district,
        email="ysolde.applicant@example.org",
        first_name="Ysolde",
        last_name="Applicantis",
    )
    claimant = unverified_educator(district=district)
    course = CourseFactory(provider=own)
    session = SessionFactory(course=course)
    session.trainers.set([users["trainer"]])
    meeting = session.meetings.get()
    registration = RegistrationFactory(session=session, person=users["registrant"])
    pending = RegistrationFactory(
        session=session, person=applicant, status=Registration.Status.PENDING
    )
    # History rows for the history pages and the API to show (and the leak check to watch).
    record_activity(verb="registration.registered", target=registration, actor=users["registrant"])
    record_activity(verb="registration.pending", target=pending, actor=applicant)
    headcount = Headcount.objects.create(
        meeting=meeting,
        audience=Headcount.Audience.YOUTH,
        count=3,
        recorded_by=users["trainer"],
        recorded_at=timezone.now() - dt.timedelta(minutes=5),
    )
    past = past_session(course=CourseFactory(provider=own), trainers=[users["trainer"]])
    certificate = completed(past, users["registrant"])
    # A session with an evaluation form that the registrant completed and was asked to
    # evaluate (their certificate waits for it).
    evaluated_course = CourseFactory(provider=own)
    save_evaluation_form(
        by=None,
        title="Matrix evaluation",
        questions=[QuestionSpec("agreement", "The session met its objectives")],
        course=evaluated_course,
    )
    evaluated = past_session(course=evaluated_course, trainers=[users["trainer"]])
    asked = confirmed(evaluated, users["registrant"])
    mark(evaluated, asked)
    ask_for_evaluations()
    return SimpleNamespace(
        users=users,
        registrant=users["registrant"],
        markers={
            "registrant": [users["registrant"].email.encode(), b"Registrantova"],
            "applicant": [applicant.email.encode(), b"Applicantis"],
        },
        course=course,
        session=session,
        meeting=meeting,
        registration=registration,
        pending=pending,
        claimant=claimant,
        headcount=headcount,
        check_in_code=check_in_code_for(meeting).code,
        past_session=past,
        past_meeting=past.meetings.get(),
        certificate=certificate,
        asked=asked,
        issued_transcript=issue_transcript(
            person=users["registrant"], transcript=transcript(users["registrant"])
        ),
        feed=CalendarFeed.objects.create(person=users["registrant"]),
        invitation=Invitation.objects.create(
            session=session,
            email=users["educator"].email,
            district=district,
            invited_by=users["coordinator"],
        ),
        release_token=signing.dumps(registration.pk, salt=RELEASE_SALT),
        # A course's own form: the staff builder's pages show it.
        evaluation_form=save_evaluation_form(
            by=None,
            title="Matrix evaluation",
            questions=[QuestionSpec("agreement", "The session met its objectives")],
            course=CourseFactory(provider=own),
        ),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            built = build_world()
        yield built
        transaction.set_rollback(True)


# The cases --------------------------------------------------------------------------------------


def _path(world: SimpleNamespace, endpoint: Endpoint) -> str:
    kwargs = PATH_ARGS[endpoint.name](world) if endpoint.name in PATH_ARGS else {}
    path = reverse(endpoint.name, kwargs=kwargs)
    if endpoint.name in QUERY:
        path = f"{path}?{QUERY[endpoint.name](world)}"
    return path


def _send(client: Client, world: SimpleNamespace, key: str, endpoint: Endpoint, path: str):
    method = key.split(" ", 1)[0]
    call = getattr(client, method.lower())
    if method == "GET":
        return call(path)
    body = BODY[key](world) if key in BODY else {}
    if endpoint.is_api:
        return call(path, data=body, content_type="application/json")
    return call(path, data=body)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


CASES = [
    pytest.param(key, role, id=f"{key.replace(' ', ':')}-{role}")
    for key in EXPECTED
    if key.split(" ", 1)[1] in ENDPOINTS
    for role in ROLES
]
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def test_the_leak_check_sees_people_where_they_are_shown(world, db, client: Client):
    """A control: the markers are in a page that lists the session's people, so their absence
    from the outsiders' responses means something."""
    client.force_login(world.users["staff"])
    response = client.get(reverse("staff:roster_csv", kwargs={"pk": world.session.pk}))
    assert response.status_code == 200
    body = _body(response)
    assert all(marker in body for markers in world.markers.values() for marker in markers)


@pytest.mark.parametrize(("key", "role"), CASES)
def test_permission(key: str, role: str, world, db, client: Client):
    endpoint = ENDPOINTS[key.split(" ", 1)[1]]
    expected = EXPECTED[key][role]
    if role != "anonymous":
        client.force_login(world.users[role])
    path = _path(world, endpoint)
    response = _send(client, world, key, endpoint, path)
    body = _body(response)
    where = f"{key} {path} as {role}"
    if expected == LOGIN:
        location = urlsplit(response.get("Location", "")).path
        assert (response.status_code, location in LOGIN_PATHS) == (302, True), (
            f"{where}: got {response.status_code} to {location!r}, expected 302 to sign in"
        )
    else:
        assert response.status_code == expected, (
            f"{where}: got {response.status_code}, expected {expected}: {body[:300]!r}"
        )
    if endpoint.name in SHOWS_PEOPLE_BY_DESIGN:
        return
    if role == "trainer" and endpoint.name in TRAINER_SEES_PEOPLE:
        return
    hidden = [marker for person in HIDDEN_FROM.get(role, ()) for marker in world.markers[person]]
    leaked = [marker.decode() for marker in hidden if marker in body]
    assert not leaked, f"{where}: the response shows {leaked}"


# Objects that do not exist ----------------------------------------------------------------------

# Values no object has: an id that fits the column, one far beyond any column, a word, and a
# NUL character (PostgreSQL refuses it in a query, so a view must not pass it through).
UNKNOWN = {
    "int": (2_147_483_000, 10**30),
    "slug": ("no-such-thing", "no-such-thing-either"),
    "str": ("no-such-thing", "nul\x00"),
}
UNKNOWN_CASES = [
    pytest.param(key, variant, id=f"{key.replace(' ', ':')}-{variant}")
    for key in EXPECTED
    if (endpoint := ENDPOINTS.get(key.split(" ", 1)[1])) and endpoint.arguments
    for variant in range(2)
]


@pytest.mark.parametrize(("key", "variant"), UNKNOWN_CASES)
def test_an_unknown_object_is_404_even_for_an_alliance_admin(
    key: str, variant: int, world, db, client: Client
):
    """Who may see everything still gets a 404 (never a 500) for an object nobody has."""
    endpoint = ENDPOINTS[key.split(" ", 1)[1]]
    kwargs = {name: UNKNOWN[kind][variant] for name, kind in endpoint.arguments}
    path = reverse(endpoint.name, kwargs=kwargs)
    client.force_login(world.users["admin"])
    response = _send(client, world, key, endpoint, path)
    assert response.status_code == 404, f"{key} {path}: got {response.status_code}"

"""A small world for the schema fuzzer: two providers, courses, sessions with meetings,
registrations in every state, attendance, a headcount and certificates, and one API token per
role. Built once per module inside a transaction that is rolled back when the module ends; each
test runs in a savepoint of it (pytest-django's `db`), so writes made by one fuzzed operation
never reach the next one, nor the next module."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core import signals
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from attendance.completion import store_credited_minutes
from attendance.models import Attendance, Headcount
from certificates.models import Certificate
from courses.models import Course, Session
from organizations.models import Role
from registrations.models import Registration
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProgramFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    VenueFactory,
    alliance_admin,
    coordinator_of,
    educator,
    in_days,
    staff_of,
)

ROLES = ("anonymous", "educator", "trainer", "coordinator", "staff", "admin")


@dataclass
class FuzzWorld:
    """Ids and slugs that exist, so fuzzed paths and bodies sometimes name real objects."""

    tokens: dict[str, str] = field(default_factory=dict)
    session_ids: list[int] = field(default_factory=list)
    registration_ids: list[int] = field(default_factory=list)
    meeting_ids: list[int] = field(default_factory=list)
    district_ids: list[int] = field(default_factory=list)
    venue_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    course_slugs: list[str] = field(default_factory=list)
    provider_slugs: list[str] = field(default_factory=list)
    program_slugs: list[str] = field(default_factory=list)
    certificate_codes: list[str] = field(default_factory=list)


def _session(course: Course, days: int, **kwargs) -> Session:
    """A session whose first meeting is `days` from today; upcoming ones meet twice."""
    start = in_days(days)
    meetings = [(start, start.replace(hour=15))]
    if days > 0:
        week_later = start + dt.timedelta(days=7)
        meetings.append((week_later, week_later.replace(hour=12)))
    return SessionFactory(
        course=course,
        registration_opens_at=timezone.now() - dt.timedelta(days=60),
        registration_closes_at=in_days(days - 1, 17),
        meetings=meetings,
        **kwargs,
    )


def build_world() -> FuzzWorld:
    learn = ProviderFactory(short_name="LEARN")
    ces = ProviderFactory(short_name="CES")
    home = DistrictFactory(member_of=learn)
    other = DistrictFactory(member_of=ces)
    program = ProgramFactory(provider=learn, slug="uplift")
    venue = VenueFactory(provider=learn)

    people = {
        "educator": educator(district=home),
        "trainer": educator(district=home),
        "coordinator": coordinator_of(home),
        "staff": staff_of(learn),
        "admin": alliance_admin(),
    }
    neighbour = educator(district=other)

    uplift = CourseFactory(provider=learn, program=program, slug="uplift-foundations")
    draft = CourseFactory(provider=learn, status=Course.Status.DRAFT)
    ces_course = CourseFactory(provider=ces)
    CourseFactory(provider=learn)  # no sessions: deletable

    upcoming = _session(uplift, 14, venue=venue)
    approval = _session(uplift, 21, requires_approval=True)
    full = _session(uplift, 28, capacity=1, is_free=True)
    past = _session(uplift, -3)
    drafted = _session(draft, 35)
    elsewhere = _session(ces_course, 10)
    empty = _session(uplift, 42)
    for session in (upcoming, past):
        session.trainers.add(people["trainer"])

    def reg(session, person, status, **kwargs):
        return RegistrationFactory(session=session, person=person, status=status, **kwargs)

    registrations = [
        reg(upcoming, people["educator"], Registration.Status.CONFIRMED),
        reg(upcoming, neighbour, Registration.Status.CONFIRMED),
        reg(approval, people["educator"], Registration.Status.PENDING),
        reg(approval, neighbour, Registration.Status.PENDING),
        reg(full, neighbour, Registration.Status.CONFIRMED),
        reg(full, people["educator"], Registration.Status.WAITLISTED),
        reg(elsewhere, neighbour, Registration.Status.CONFIRMED),
        reg(drafted, people["educator"], Registration.Status.CANCELLED),
    ]
    completed = reg(past, people["educator"], Registration.Status.CONFIRMED, price=Decimal("0"))
    revoked = reg(past, neighbour, Registration.Status.CONFIRMED)
    registrations += [completed, revoked]

    now = timezone.now()
    meeting = past.meetings.get()
    for registration in (completed, revoked):
        Attendance.objects.create(
            registration=registration,
            meeting=meeting,
            status=Attendance.Status.PRESENT,
            recorded_by=people["trainer"],
            recorded_at=now,
        )
    store_credited_minutes(Registration.objects.filter(session=past))
    Headcount.objects.create(
        meeting=meeting, audience="youth", district=home, count=12, recorded_at=now
    )
    certificates = [
        Certificate.objects.create(
            registration=completed, number="FUZZ-1", credited_minutes=360, issued_at=now
        ),
        Certificate.objects.create(
            registration=revoked,
            number="FUZZ-2",
            credited_minutes=360,
            issued_at=now,
            revoked_at=now,
            revoked_reason="Attendance corrected.",
        ),
    ]

    sessions = [upcoming, approval, full, past, drafted, elsewhere, empty]
    return FuzzWorld(
        tokens={role: Token.objects.create(user=user).key for role, user in people.items()},
        session_ids=[s.pk for s in sessions],
        registration_ids=[r.pk for r in registrations],
        meeting_ids=[m for s in sessions for m in s.meetings.values_list("pk", flat=True)],
        district_ids=[home.pk, other.pk],
        venue_ids=[venue.pk],
        user_ids=[people["trainer"].pk, people["staff"].pk],
        course_slugs=[uplift.slug, draft.slug, ces_course.slug],
        provider_slugs=[learn.slug, ces.slug],
        program_slugs=[program.slug],
        certificate_codes=[c.code for c in certificates] + [certificates[0].display_code],
    )


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The world, shared by every test of a module and rolled back after the last one.

    Requests go through the real WSGI handler, which closes a connection still inside a
    transaction when each request ends; Django's test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Hashing is slow on purpose in production; the fuzzer signs in with tokens anyway.
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            assert Role.objects.count() == 3
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

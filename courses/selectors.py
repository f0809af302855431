"""Reads of the catalog and schedule. Each list costs a fixed number of queries."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from organizations.models import Provider, Role
from organizations.permissions import managed_provider_ids

from .dates import local_day_range
from .models import CertifiedTrainer, Course, Meeting, Program, Session


def with_schedule(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Annotate `first_starts_at` and `last_ends_at` from the meetings, and `offered_minutes`:
    the sum of their lengths (breaks excluded), which Session.hours_offered shows."""
    meetings = Meeting.objects.filter(session=OuterRef("pk")).order_by().values("session")
    return sessions.annotate(
        first_starts_at=Subquery(meetings.annotate(v=Min("starts_at")).values("v")),
        last_ends_at=Subquery(meetings.annotate(v=Max("ends_at")).values("v")),
        offered_minutes=Coalesce(
            Subquery(meetings.annotate(v=Sum("length_minutes")).values("v")),
            Value(0),
            output_field=IntegerField(),
        ),
    )


def hours_mismatch(session: Session) -> str:
    """A warning for staff when the session's meetings do not add up to its course's hours
    (the course's hours are only the default; the session offers what its meetings last),
    else ""."""
    offered = session.hours_offered
    expected = session.course.hours
    if offered == expected:
        return ""
    return (
        f"The meetings of {session} add up to {offered:.2f} PD hours (breaks excluded), but "
        f"the course {session.course.title} is listed at {expected:.2f} hours. The session "
        f"offers {offered:.2f} hours; change its meetings or breaks if that is not meant."
    )


# Annotates sessions with `confirmed_count`, `waitlist_count`, `pending_count` and
# `seats_left`. Registrations owns the counting and sits above courses, so a caller that needs
# seats passes `registrations.selectors.with_seat_counts` in (courses never imports it).
SeatCounts = Callable[[QuerySet[Session]], QuerySet[Session]]


def session_details(
    sessions: QuerySet[Session] | None = None, *, seats: SeatCounts
) -> QuerySet[Session]:
    """Sessions with everything a page or the API shows: course, provider, venue, meetings,
    trainers, schedule and availability (annotated by `seats`)."""
    sessions = Session.objects.all() if sessions is None else sessions
    return seats(
        with_schedule(
            sessions.select_related(
                "course__provider", "course__program", "venue"
            ).prefetch_related(
                Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")),
                "trainers",
            )
        )
    )


def public_sessions() -> QuerySet[Session]:
    """Sessions anyone may see: of published courses (cancelled ones included, marked)."""
    return Session.objects.filter(course__status=Course.Status.PUBLISHED)


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    provider: Provider | None = None
    program: Program | None = None
    format: str = ""
    audience: str = ""
    starts_after: dt.date | None = None
    starts_before: dt.date | None = None
    has_seats: bool = False


def upcoming_sessions(
    filters: CatalogFilters,
    *,
    now: dt.datetime | None = None,
    sessions: QuerySet[Session] | None = None,
    seats: SeatCounts,
) -> QuerySet[Session]:
    """Scheduled sessions whose first meeting is still ahead, narrowed by the session-level
    filters (format, local date range, seats counted by `seats`). Of published courses unless
    `sessions` says which sessions to start from."""
    now = now or timezone.now()
    sessions = public_sessions() if sessions is None else sessions
    sessions = with_schedule(sessions.filter(status=Session.Status.SCHEDULED)).filter(
        first_starts_at__gt=now
    )
    if filters.format:
        sessions = sessions.filter(format=filters.format)
    if filters.starts_after:
        sessions = sessions.filter(
            first_starts_at__gte=local_day_range(filters.starts_after, filters.starts_after)[0]
        )
    if filters.starts_before:
        sessions = sessions.filter(
            first_starts_at__lt=local_day_range(filters.starts_before, filters.starts_before)[1]
        )
    if filters.has_seats:
        sessions = seats(sessions).filter(seats_left__gt=0)
    return sessions


def _word_matches(word: str, sessions: QuerySet[Session]) -> Q:
    """`word` is in the course's own text, or in the venue name, town or title of one of its
    `sessions` (people search for where they can go: "Groton")."""
    in_a_session = sessions.filter(course=OuterRef("pk")).filter(
        Q(venue__name__icontains=word) | Q(venue__town__icontains=word) | Q(title__icontains=word)
    )
    return (
        Q(title__icontains=word)
        | Q(summary__icontains=word)
        | Q(description__icontains=word)
        | Q(program__name__icontains=word)
        | Exists(in_a_session)
    )


def _search(courses: QuerySet[Course], q: str, *, sessions: QuerySet[Session]) -> QuerySet[Course]:
    """Courses where every word of `q` is in the course's text or in the place of one of its
    `sessions`; on PostgreSQL also full-text matches of the course's text, ranked first."""
    every_word = Q()
    for word in q.split():
        every_word &= _word_matches(word, sessions)
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("description", weight="C", config="english")
            + SearchVector("program__name", weight="B", config="english")
        )
        query = SearchQuery(q, search_type="websearch", config="english")
        # Match with @@, not rank > 0: ts_rank gives 1e-20, not 0, to a document that misses
        # some words of an AND query.
        return (
            courses.alias(document=vector)
            .filter(Q(document=query) | every_word)
            .annotate(rank=SearchRank(vector, query))
        )
    return courses.filter(every_word)


def catalog_courses(
    filters: CatalogFilters,
    *,
    now: dt.datetime | None = None,
    courses: QuerySet[Course] | None = None,
    only_with_upcoming: bool = True,
    seats: SeatCounts,
) -> QuerySet[Course]:
    """Published courses with at least one upcoming session matching `filters`.

    `courses` replaces the published ones as the courses to choose from (the API passes the
    ones the person may see); `only_with_upcoming=False` keeps courses without a matching
    upcoming session (their `next_starts_at` is None, listed last).
    Each course carries `upcoming` (its matching sessions, soonest first, with availability
    annotated by `seats`)
    and `next_starts_at`; ordered by search rank when searching, else by next start.
    """
    if courses is None:
        courses = Course.objects.filter(status=Course.Status.PUBLISHED)
        sessions = upcoming_sessions(filters, now=now, seats=seats)
    else:
        # Sessions are only ever read per course below, so `courses` alone decides visibility.
        sessions = upcoming_sessions(filters, now=now, sessions=Session.objects.all(), seats=seats)
    if filters.provider:
        courses = courses.filter(provider=filters.provider)
    if filters.program:
        courses = courses.filter(program=filters.program)
    if filters.audience:
        courses = courses.filter(audience=filters.audience)
    if only_with_upcoming:
        courses = courses.filter(Exists(sessions.filter(course=OuterRef("pk"))))
    courses = courses.annotate(
        next_starts_at=Subquery(
            sessions.filter(course=OuterRef("pk"))
            .order_by("first_starts_at")
            .values("first_starts_at")[:1]
        )
    )
    ordering = [F("next_starts_at").asc(nulls_last=True), "title", "slug"]
    if filters.q.strip():
        courses = _search(courses, filters.q.strip(), sessions=sessions)
        if connection.vendor == "postgresql":
            ordering = ["-rank", *ordering]
    upcoming = seats(sessions).select_related("venue").order_by("first_starts_at")
    return (
        courses.select_related("provider", "program")
        .prefetch_related(Prefetch("sessions", queryset=upcoming, to_attr="upcoming"))
        .order_by(*ordering)
    )


def eligible_trainers(
    target: Session | Course | None = None, *, by: User | None = None
) -> QuerySet[User]:
    """The active people who may be named trainers of `target` (a session, or a course's new
    session): the single rule behind the admin's choices, the API and the services.

    A turnkey session is led by the active certified trainers of its course's program, whoever
    names them. Any other session by the course provider's staff, the people who already led
    that provider's sessions and its programs' certified trainers; an Alliance admin (and the
    system, `by=None`) may name any active person, which is how a first outside trainer is
    added. Without a target (the admin's "add" page, before a course is chosen): the pool of
    every provider `by` manages.
    """
    people = User.objects.filter(is_active=True)
    session = target if isinstance(target, Session) else None
    course = session.course if session is not None else target
    if session is not None and session.delivery == Session.Delivery.TURNKEY:
        if course.program_id is None:
            return people.none()
        certified = CertifiedTrainer.objects.filter(
            program_id=course.program_id, revoked_at__isnull=True
        )
        return people.filter(pk__in=certified.values("person"))
    managed = None if by is None else managed_provider_ids(by)
    if managed is None:
        return people
    provider_ids = [course.provider_id] if course is not None else list(managed)
    staff = Role.objects.filter(kind=Role.Kind.PROVIDER_STAFF, provider__in=provider_ids)
    led = Session.trainers.through.objects.filter(session__course__provider__in=provider_ids)
    certified = CertifiedTrainer.objects.filter(
        program__provider__in=provider_ids, revoked_at__isnull=True
    )
    return people.filter(
        Q(pk__in=staff.values("user"))
        | Q(pk__in=led.values("user"))
        | Q(pk__in=certified.values("person"))
    )

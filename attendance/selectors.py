"""Credited minutes and completion, computed in the database (DESIGN.md, Rules).

Credited minutes of a registration: per meeting, present = the meeting's length, partial = the
minutes recorded (at most the length), absent or excused = 0. Completed: confirmed, not one of
the session's trainers, the session's last meeting has ended, and credited * 100 >= threshold *
total length of the session's meetings.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from certificates.models import Certificate
from courses.dates import local_date
from courses.models import Meeting, Session
from evaluations.selectors import awaiting_evaluation
from registrations.models import Registration

from .models import Attendance


def credited_minutes_subquery() -> Coalesce:
    """Credited minutes of the registration at OuterRef("pk"), added up from its attendance.
    Only attendance.services evaluates it (to store Registration.credited_minutes)."""
    credited = Case(
        When(status=Attendance.Status.PRESENT, then=F("meeting__length_minutes")),
        When(
            status=Attendance.Status.PARTIAL,
            then=Least(F("minutes"), F("meeting__length_minutes")),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Attendance.objects.filter(registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(total=Sum(credited))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def session_minutes_subquery(session_ref: str = "session") -> Coalesce:
    rows = (
        Meeting.objects.filter(session=OuterRef(session_ref))
        .order_by()
        .values("session")
        .annotate(total=Sum("length_minutes"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def session_last_end_subquery(session_ref: str = "session") -> Subquery:
    """When the last meeting of the session at OuterRef(`session_ref`) ends (None: no meeting)."""
    rows = (
        Meeting.objects.filter(session=OuterRef(session_ref))
        .order_by()
        .values("session")
        .annotate(last=Max("ends_at"))
        .values("last")
    )
    return Subquery(rows, output_field=DateTimeField())


def with_completion(
    registrations: QuerySet[Registration], *, now: dt.datetime | None = None
) -> QuerySet[Registration]:
    """Annotate `session_minutes`, `session_ends_at` and `completes_now` (the DESIGN.md rule,
    as of `now`) from the stored `credited_minutes`, which attendance.completion keeps equal
    to credited_minutes_subquery(). The one statement of the rule: attendance.completion
    stores its result in Registration.completed, which everyone else reads. Nobody completes
    a session before its last meeting ends."""
    now = now or timezone.now()
    is_trainer = Exists(
        Session.trainers.through.objects.filter(
            session_id=OuterRef("session_id"), user_id=OuterRef("person_id")
        )
    )
    return (
        registrations.annotate(
            session_minutes=session_minutes_subquery(),
            session_ends_at=session_last_end_subquery(),
            is_trainer=is_trainer,
        )
        .annotate(
            credited_percent_basis=F("credited_minutes") * 100,
            required_percent_basis=F("session__completion_threshold") * F("session_minutes"),
        )
        .annotate(
            completes_now=ExpressionWrapper(
                Q(status=Registration.Status.CONFIRMED)
                & Q(is_trainer=False)
                & Q(session_minutes__gt=0)
                & Q(session_ends_at__lte=now)
                & Q(credited_percent_basis__gte=F("required_percent_basis")),
                output_field=BooleanField(),
            )
        )
    )


def completion_of(
    registration_ids: Iterable[int], *, now: dt.datetime | None = None
) -> dict[int, tuple[bool, int]]:
    """{registration id: (completed as of `now`, credited minutes)} in one query."""
    rows = with_completion(Registration.objects.filter(pk__in=list(registration_ids)), now=now)
    return {
        pk: (bool(completed), credited)
        for pk, completed, credited in rows.values_list("pk", "completes_now", "credited_minutes")
    }


def stale_credited_minutes(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """The registrations whose stored credited minutes differ from their attendance."""
    return registrations.exclude(credited_minutes=credited_minutes_subquery())


def stale_completions(
    registrations: QuerySet[Registration], *, now: dt.datetime | None = None
) -> QuerySet[Registration]:
    """The registrations whose stored `completed` differs from the rule as of `now` (a session
    that ended since the last settle_sessions run is one of them until it runs)."""
    return with_completion(registrations, now=now).exclude(completed=F("completes_now"))


def unsettled_completions(*, now: dt.datetime | None = None) -> QuerySet[Registration]:
    """Registrations completed as of `now` (their session's last meeting has ended) whose
    completion is not stored yet, or that hold no valid certificate though none waits for an
    evaluation: what settle_ended_sessions settles. Only registrations with credited minutes
    are looked at, and settled ones drop out, so old sessions cost nothing but an index
    lookup."""
    valid = Certificate.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True)
    candidates = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        credited_minutes__gt=0,
        session__status=Session.Status.SCHEDULED,
    ).filter(Q(completed=False) | (~Q(Exists(valid)) & ~awaiting_evaluation()))
    return with_completion(candidates, now=now).filter(completes_now=True)


def has_meeting_left_today(meetings: Iterable[Meeting], *, now: dt.datetime) -> bool:
    """Whether one of `meetings` (already loaded) is on today's local date and has not ended:
    /me/ then offers the registrant a way to type the check-in code."""
    today = local_date(now)
    return any(local_date(m.starts_at) == today and m.ends_at > now for m in meetings)

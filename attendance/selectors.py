"""Credited minutes and completion, computed in the database (DESIGN.md, Rules).

Credited minutes of a registration: per meeting, present = the meeting's length, partial = the
minutes recorded (at most the length), absent or excused = 0. Completed: confirmed, not one of
the session's trainers, and credited * 100 >= threshold * total length of the session's meetings.
"""

from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from courses.models import Meeting, Session
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


def with_completion(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate `session_minutes` and `completed` (the DESIGN.md rule) from the stored
    `credited_minutes`, which attendance.services keeps equal to credited_minutes_subquery()."""
    is_trainer = Exists(
        Session.trainers.through.objects.filter(
            session_id=OuterRef("session_id"), user_id=OuterRef("person_id")
        )
    )
    return (
        registrations.annotate(
            session_minutes=session_minutes_subquery(),
            is_trainer=is_trainer,
        )
        .annotate(
            credited_percent_basis=F("credited_minutes") * 100,
            required_percent_basis=F("session__completion_threshold") * F("session_minutes"),
        )
        .annotate(
            completed=ExpressionWrapper(
                Q(status=Registration.Status.CONFIRMED)
                & Q(is_trainer=False)
                & Q(session_minutes__gt=0)
                & Q(credited_percent_basis__gte=F("required_percent_basis")),
                output_field=BooleanField(),
            )
        )
    )


def completion_of(registration_ids: Iterable[int]) -> dict[int, tuple[bool, int]]:
    """{registration id: (completed, credited minutes)} in one query."""
    rows = with_completion(Registration.objects.filter(pk__in=list(registration_ids)))
    return {
        pk: (bool(completed), credited)
        for pk, completed, credited in rows.values_list("pk", "completed", "credited_minutes")
    }


def stale_credited_minutes(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """The registrations whose stored credited minutes differ from their attendance."""
    return registrations.exclude(credited_minutes=credited_minutes_subquery())

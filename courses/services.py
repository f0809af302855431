"""Every change to the catalog and the schedule. One function, one transaction each."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from accounts.validators import check_single_line
from activity.services import COMPLETION, SYSTEM, changes_between, record_activity
from organizations.permissions import can_manage_provider

from .models import CertifiedTrainer, Course, Meeting, Program, Session
from .selectors import eligible_trainers


@dataclass(frozen=True)
class MeetingTimes:
    starts_at: dt.datetime
    ends_at: dt.datetime
    break_minutes: int = 0  # unpaid (lunch); the meeting's length is its duration minus this

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60) - self.break_minutes


# Bounds that catch typos (a year of 2205, a meeting 72 years long) without getting in the way
# of a real schedule.
MAX_MEETING_HOURS = 16
MAX_SESSION_SPAN_DAYS = 366
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def meeting_errors(meeting: MeetingTimes, *, number: int | None = None) -> list[str]:
    """What is wrong with one meeting on its own; with `number`, each message names it."""
    duration = meeting.ends_at - meeting.starts_at
    errors = []
    if duration <= dt.timedelta(0):
        errors.append("A meeting must end after it starts.")
    elif not all(
        EARLIEST_YEAR <= timezone.localtime(moment).year <= LATEST_YEAR
        for moment in (meeting.starts_at, meeting.ends_at)
    ):
        errors.append(f"Meetings take place between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    else:
        if duration > dt.timedelta(hours=MAX_MEETING_HOURS):
            errors.append(
                f"A meeting lasts at most {MAX_MEETING_HOURS} hours; split a longer one into "
                "several meetings."
            )
        if meeting.break_minutes < 0:
            errors.append("The break cannot be negative.")
        elif meeting.length_minutes <= 0:
            errors.append(
                f"The break ({meeting.break_minutes} minutes) must be shorter than the "
                f"meeting ({int(duration.total_seconds() // 60)} minutes)."
            )
    if number is None:
        return errors
    return [f"Meeting {number}: {message[0].lower()}{message[1:]}" for message in errors]


def _record(verb: str, target, *, by: User | None, changes: dict | None = None, **kw) -> None:
    record_activity(
        verb=verb,
        target=target,
        actor=by,
        system="" if by is not None else SYSTEM,
        changes=changes,
        **kw,
    )


def _fields_of(record, names) -> dict:
    """The named fields' values as the activity log keeps them (a related record by id)."""
    return {name: getattr(getattr(record, name), "pk", getattr(record, name)) for name in names}


def _require_manager(by: User | None, provider_id: int) -> None:
    # `by=None` is the system itself (seed_demo, imports, tests).
    if by is not None and not can_manage_provider(by, provider_id):
        raise PermissionDenied("You can only manage your own provider's catalog.")


def validate_schedule(
    *,
    registration_opens_at: dt.datetime | None,
    registration_closes_at: dt.datetime | None,
    meetings: Sequence[MeetingTimes],
) -> None:
    """The rules that span a session and its meetings; raises one ValidationError per field."""
    errors: dict[str, list[str]] = {}
    for number, meeting in enumerate(meetings, start=1):
        for message in meeting_errors(meeting, number=number):
            errors.setdefault("meetings", []).append(message)
    if meetings and "meetings" not in errors:
        first = min(meeting.starts_at for meeting in meetings)
        last = max(meeting.ends_at for meeting in meetings)
        if last - first > dt.timedelta(days=MAX_SESSION_SPAN_DAYS):
            errors.setdefault("meetings", []).append(
                f"A session's meetings span at most {MAX_SESSION_SPAN_DAYS} days from the "
                "first to the last; schedule a longer series as several sessions."
            )
    if (
        registration_opens_at
        and registration_closes_at
        and registration_opens_at >= registration_closes_at
    ):
        errors.setdefault("registration_opens_at", []).append(
            "Registration must open before it closes."
        )
    if meetings and registration_closes_at:
        first_start = min(meeting.starts_at for meeting in meetings)
        if registration_closes_at > first_start:
            errors.setdefault("registration_closes_at", []).append(
                "Registration must close before the first meeting starts."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_course(*, by: User | None, **fields) -> Course:
    course = Course(**fields)
    _require_manager(by, course.provider_id)
    check_single_line(course, "title")
    if course.program_id and course.program.provider_id != course.provider_id:
        raise ValidationError({"program": "The program belongs to another provider."})
    course.full_clean()
    course.save()
    _record("course.created", course, by=by, changes={"title": [None, course.title]})
    return course


@transaction.atomic
def update_course(*, course: Course, by: User | None, **fields) -> Course:
    _require_manager(by, course.provider_id)
    before = _fields_of(course, fields)
    for name, value in fields.items():
        setattr(course, name, value)
    _require_manager(by, course.provider_id)
    check_single_line(course, "title")
    if course.program_id and course.program.provider_id != course.provider_id:
        raise ValidationError({"program": "The program belongs to another provider."})
    course.full_clean()
    course.save()
    changes = changes_between(before, _fields_of(course, fields))
    if changes:
        _record("course.updated", course, by=by, changes=changes)
    return course


@transaction.atomic
def delete_course(*, course: Course, by: User | None) -> None:
    _require_manager(by, course.provider_id)
    if course.sessions.exists():
        raise ValidationError(
            "This course has sessions; archive it instead so their records stay intact."
        )
    _record("course.deleted", course, by=by, changes={"title": [course.title, None]})
    course.delete()


def save_meetings(session: Session, meetings: Sequence[MeetingTimes]) -> None:
    """Set the session's meetings in time order, keeping existing rows (and their ids, which
    calendar invites and attendance refer to) where a meeting only moved; a moved meeting's
    calendar SEQUENCE grows. A step of schedule_session and of
    registrations.services.update_session, which holds the session lock; not called alone."""
    wanted = sorted(meetings, key=lambda m: m.starts_at)
    existing = list(session.meetings.order_by("starts_at", "pk"))
    for meeting, times in zip(existing, wanted, strict=False):
        if (meeting.starts_at, meeting.ends_at) != (times.starts_at, times.ends_at):
            meeting.starts_at, meeting.ends_at = times.starts_at, times.ends_at
            meeting.break_minutes = times.break_minutes
            meeting.sequence += 1
            meeting.save(update_fields=["starts_at", "ends_at", "break_minutes", "sequence"])
        elif meeting.break_minutes != times.break_minutes:
            # Same time and place: calendars keep their event (no new SEQUENCE); the length,
            # and with it credited minutes, changes (the caller recomputes completions).
            meeting.break_minutes = times.break_minutes
            meeting.save(update_fields=["break_minutes"])
    for meeting in existing[len(wanted) :]:
        meeting.delete()
    for times in wanted[len(existing) :]:
        Meeting.objects.create(
            session=session,
            starts_at=times.starts_at,
            ends_at=times.ends_at,
            break_minutes=times.break_minutes,
        )


def check_trainers(*, session: Session, trainers: Iterable[User], by: User | None) -> None:
    """Every trainer must be one `by` may name for `session` (selectors.eligible_trainers).

    The error names ids only, never a person, and reads the same for an id nobody has: a
    trainer list must not tell staff who else has an account.
    """
    trainers = list(trainers)
    if session.delivery == Session.Delivery.TURNKEY and session.course.program_id is None:
        raise ValidationError(
            {"delivery": "A turnkey session needs a course of a train-the-trainer program."}
        )
    ids = [t.pk for t in trainers]
    allowed = set(eligible_trainers(session, by=by).filter(pk__in=ids).values_list("pk", flat=True))
    refused = sorted({pk for pk in ids if pk not in allowed})
    if refused:
        raise ValidationError({"trainers": refused_trainers_message(session, refused)})


def refused_trainers_message(session: Session, ids: Iterable[object]) -> str:
    message = f"Not a trainer you can assign: {', '.join(str(pk) for pk in ids)}."
    if session.delivery == Session.Delivery.TURNKEY:
        message += (
            f" Turnkey sessions are led by certified trainers of {session.course.program}, "
            "people who completed its train-the-trainer course."
        )
    return message


def check_session(session: Session, meetings: Sequence[MeetingTimes]) -> None:
    """The catalog rules of a session with these meetings (single-line title, the venue's
    provider, the schedule, the model's own); raises ValidationError by field. Writes nothing."""
    check_single_line(session, "title")
    if session.venue_id and session.venue.provider_id != session.course.provider_id:
        raise ValidationError({"venue": "The venue belongs to another provider."})
    validate_schedule(
        registration_opens_at=session.registration_opens_at,
        registration_closes_at=session.registration_closes_at,
        meetings=meetings,
    )
    session.full_clean(exclude=["trainers"])


@transaction.atomic
def schedule_session(
    *,
    course: Course,
    meetings: Sequence[MeetingTimes],
    by: User | None,
    trainers: Iterable[User] = (),
    **fields,
) -> Session:
    """Create a session of `course` with its meetings (at least one)."""
    _require_manager(by, course.provider_id)
    if not meetings:
        raise ValidationError({"meetings": "A session needs at least one meeting."})
    session = Session(course=course, **fields)
    check_session(session, meetings)
    trainers = list(trainers)
    check_trainers(session=session, trainers=trainers, by=by)
    session.save()
    save_meetings(session, meetings)
    session.trainers.set(trainers)
    _record(
        "session.scheduled",
        session,
        by=by,
        changes={"meetings": [None, len(meetings)], "capacity": [None, session.capacity]},
    )
    return session


@transaction.atomic
def delete_session(*, session: Session, by: User | None) -> None:
    """Delete a session nobody registered for; one with registrations is cancelled instead."""
    _require_manager(by, session.course.provider_id)
    try:
        with transaction.atomic():
            _record("session.deleted", session, by=by, changes={"title": [str(session), None]})
            session.delete()
    except ProtectedError as error:
        raise ValidationError(
            "People have registered for this session; cancel it instead of deleting it."
        ) from error


@transaction.atomic
def certify_trainer(
    *, program: Program, person: User, at: dt.datetime, source_session: Session | None = None
) -> CertifiedTrainer:
    """Make `person` a certified trainer of `program` (idempotent while active)."""
    current = CertifiedTrainer.objects.filter(
        program=program, person=person, revoked_at__isnull=True
    ).first()
    if current is not None:
        return current
    certification = CertifiedTrainer.objects.create(
        program=program, person=person, certified_at=at, source_session=source_session
    )
    record_activity(
        verb="trainer.certified",
        target=certification,
        system=COMPLETION,
        person=person,
        session=source_session,
        changes={"program": [None, program.pk]},
    )
    return certification


@transaction.atomic
def revoke_trainer_certification(
    *, certification: CertifiedTrainer, by: User | None, reason: str, at: dt.datetime | None = None
) -> CertifiedTrainer:
    _require_manager(by, certification.program.provider_id)
    if certification.revoked_at is None:
        certification.revoked_at = at or timezone.now()
        certification.revoked_by = by
        certification.revoked_reason = reason.strip()[:300]
        certification.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        _record(
            "trainer.revoked",
            certification,
            by=by,
            reason=certification.revoked_reason,
        )
    return certification

"""Recording who was there, and the completions and certificates that follow.

Every change recomputes the completion of the registrations it touched in the same
transaction: completing issues a certificate, and a correction that undoes a completion
revokes it (certificates.services). Nobody completes a session before its last meeting ends:
credited minutes are stored at once, and settle_ended_sessions (the settle_sessions command,
every few minutes) issues the certificates of sessions that have just ended.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from activity.services import SYSTEM, record_activity
from courses.models import Meeting, Session
from organizations.models import District
from organizations.permissions import can_manage_provider
from registrations.locking import lock_session, seat_transaction
from registrations.models import Registration

from .completion import recompute_completion
from .models import Attendance, CheckInCode, Headcount, new_check_in_code
from .permissions import can_take_attendance, locks_at
from .selectors import (
    unsettled_completions,
)

EARLY = dt.timedelta(minutes=30)
Status = Attendance.Status


@dataclass(frozen=True)
class AttendanceEntry:
    registration_id: int
    meeting_id: int
    status: str
    minutes: int | None = None


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "D, M j, Y, g:i A T")


def _check_may_record(session: Session, by: User | None, now: dt.datetime) -> None:
    """Trainers and staff may record; trainers only until 14 days after the last meeting."""
    if by is None:
        return
    if not can_take_attendance(by, session):
        raise PermissionDenied(
            "Only the session's trainers and the provider's staff take attendance."
        )
    if can_manage_provider(by, session.course.provider_id):
        return
    last_end = session.meetings.aggregate(v=Max("ends_at"))["v"]
    if last_end is not None and now > locks_at(last_end):
        raise ValidationError(
            f"Attendance of this session locked on {_local(locks_at(last_end))}; "
            "the provider's staff can still correct it.",
            code="locked",
        )


def _rows_named(rows: list[int], shown: int = 10) -> str:
    named = ", ".join(str(n) for n in rows[:shown])
    return named + (f" and {len(rows) - shown} more" if len(rows) > shown else "")


def _check_rows_fit_the_roster(session: Session, entries: Sequence[AttendanceEntry]) -> None:
    """Each (registration, meeting) pair at most once, and no more rows than the roster holds;
    cheap (no lock, two counts), so a huge or repetitive request never holds the session."""
    rows: dict[tuple[int, int], list[int]] = {}
    for index, entry in enumerate(entries, start=1):
        rows.setdefault((entry.registration_id, entry.meeting_id), []).append(index)
    repeated = [
        f"Rows {_rows_named(numbers)}: registration {registration} and meeting {meeting} "
        "appear more than once; send each registration and meeting once."
        for (registration, meeting), numbers in rows.items()
        if len(numbers) > 1
    ]
    if repeated:
        raise ValidationError({"entries": repeated[:20]}, code="duplicate")
    if not entries:
        return
    confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
    meetings = session.meetings.count()
    if len(entries) > confirmed * meetings:
        raise ValidationError(
            {
                "entries": [
                    f"{len(entries)} rows, but the roster has {confirmed * meetings} "
                    f"({confirmed} confirmed x {meetings} meetings); send at most one row per "
                    "confirmed registration and meeting."
                ]
            },
            code="too_many",
        )


def _check_started(meeting: Meeting, now: dt.datetime, number: int | None = None) -> str | None:
    if now < meeting.starts_at - EARLY:
        which = f"Meeting {number}" if number else "This meeting"
        return f"{which} starts {_local(meeting.starts_at)}; attendance opens 30 minutes before."
    return None


@seat_transaction
def record_attendance(
    *,
    session: Session,
    entries: Sequence[AttendanceEntry],
    by: User | None,
    source: str = Attendance.Source.ROSTER,
    now: dt.datetime | None = None,
) -> list[Attendance]:
    """Record many attendance rows at once: all are valid and saved, or none is.

    A request that repeats a (registration, meeting) pair, or sends more rows than the roster
    has (confirmed registrations x meetings), is refused before the session is locked."""
    now = now or timezone.now()
    _check_rows_fit_the_roster(session, entries)
    session = lock_session(session.pk)
    _check_may_record(session, by, now)
    meetings = {m.pk: m for m in session.meetings.order_by("starts_at")}
    numbers = {pk: n for n, pk in enumerate(meetings, start=1)}
    confirmed = set(
        session.registrations.filter(
            pk__in={e.registration_id for e in entries}, status=Registration.Status.CONFIRMED
        ).values_list("pk", flat=True)
    )
    errors: list[str] = []
    for index, entry in enumerate(entries, start=1):
        meeting = meetings.get(entry.meeting_id)
        if entry.registration_id not in confirmed:
            errors.append(
                f"Row {index}: registration {entry.registration_id} is not confirmed in this session."
            )
        if meeting is None:
            errors.append(
                f"Row {index}: meeting {entry.meeting_id} is not a meeting of this session."
            )
            continue
        if entry.status not in Status.values:
            errors.append(f"Row {index}: the status must be present, partial, absent or excused.")
        elif entry.status == Status.PARTIAL and not (
            isinstance(entry.minutes, int) and 1 <= entry.minutes <= meeting.length_minutes
        ):
            errors.append(
                f"Row {index}: partial attendance needs the minutes attended, from 1 to {meeting.length_minutes}."
            )
        if problem := _check_started(meeting, now, numbers[meeting.pk]):
            errors.append(f"Row {index}: {problem}")
    if errors:
        raise ValidationError({"entries": errors})
    existing = {
        (a.registration_id, a.meeting_id): a
        for a in Attendance.objects.select_for_update().filter(
            registration_id__in=confirmed, meeting_id__in=meetings
        )
    }
    saved = []
    for entry in entries:
        minutes = entry.minutes if entry.status == Status.PARTIAL else None
        row = existing.get((entry.registration_id, entry.meeting_id))
        if row is not None and (row.status, row.minutes) == (entry.status, minutes):
            saved.append(row)
            continue
        before = [row.status, row.minutes] if row is not None else [None, None]
        row = row or Attendance(registration_id=entry.registration_id, meeting_id=entry.meeting_id)
        row.status, row.minutes = entry.status, minutes
        row.source, row.recorded_by, row.recorded_at = source, by, now
        row._history_user = by
        row.save()
        record_activity(
            verb="attendance.recorded",
            target=row,
            actor=by,
            system="" if by is not None else SYSTEM,
            session=session,
            changes={
                "meeting": numbers[row.meeting_id],
                "status": [before[0], row.status],
                **({"minutes": [before[1], row.minutes]} if before[1] != row.minutes else {}),
            },
        )
        existing[(entry.registration_id, entry.meeting_id)] = row
        saved.append(row)
    recompute_completion(registration_ids={e.registration_id for e in entries}, now=now)
    return saved


def mark_all_present(*, meeting: Meeting, by: User | None, now: dt.datetime | None = None) -> int:
    """Mark every confirmed person not yet marked for `meeting` present. Returns how many."""
    marked = Attendance.objects.filter(meeting=meeting).values("registration_id")
    unmarked = meeting.session.registrations.filter(status=Registration.Status.CONFIRMED).exclude(
        pk__in=marked
    )
    entries = [
        AttendanceEntry(pk, meeting.pk, Status.PRESENT)
        for pk in unmarked.values_list("pk", flat=True)
    ]
    if entries:
        record_attendance(session=meeting.session, entries=entries, by=by, now=now)
    return len(entries)


def settle_ended_sessions(*, now: dt.datetime | None = None) -> int:
    """Issue the certificates of registrations completed now that their session's last meeting
    has ended (the settle_sessions command, every few minutes). One query finds them; each
    session is then settled in its own transaction under its lock, so a run concurrent with an
    attendance change, or with another run, issues nothing twice. Returns how many were issued."""
    now = now or timezone.now()
    by_session: dict[int, list[int]] = {}
    for pk, session_id in unsettled_completions(now=now).values_list("pk", "session_id"):
        by_session.setdefault(session_id, []).append(pk)
    issued = 0
    for session_id, candidates in sorted(by_session.items()):
        with transaction.atomic():
            lock_session(session_id)
            # Read again under the lock: another run or a correction may have settled some.
            due = list(
                unsettled_completions(now=now)
                .filter(pk__in=candidates)
                .values_list("pk", flat=True)
            )
            if due:
                recompute_completion(registration_ids=due, now=now)
                issued += len(due)
    return issued


@seat_transaction
def record_headcount(
    *,
    meeting: Meeting,
    audience: str,
    count: int,
    district: District | None = None,
    by: User | None,
    now: dt.datetime | None = None,
) -> Headcount:
    """Count participants without accounts (youth are only ever counted, never named)."""
    now = now or timezone.now()
    session = lock_session(meeting.session_id)
    _check_may_record(session, by, now)
    errors: dict[str, str] = {}
    if audience not in Headcount.Audience.values:
        errors["audience"] = "Choose youth or adults."
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10_000:
        errors["count"] = "A headcount is a whole number from 1 to 10,000."
    if problem := _check_started(meeting, now):
        errors["meeting"] = problem
    if errors:
        raise ValidationError(errors)
    headcount = Headcount(
        meeting=meeting,
        audience=audience,
        count=count,
        district=district,
        recorded_by=by,
        recorded_at=now,
    )
    headcount._history_user = by
    headcount.save()
    record_activity(
        verb="headcount.recorded",
        target=headcount,
        actor=by,
        system="" if by is not None else SYSTEM,
        session=session,
        changes={"audience": [None, audience], "count": [None, count]},
    )
    return headcount


@seat_transaction
def delete_headcount(
    *, headcount: Headcount, by: User | None, now: dt.datetime | None = None
) -> None:
    now = now or timezone.now()
    session = lock_session(headcount.meeting.session_id)
    _check_may_record(session, by, now)
    headcount._history_user = by
    record_activity(
        verb="headcount.deleted",
        target=headcount,
        actor=by,
        system="" if by is not None else SYSTEM,
        session=session,
        changes={"audience": [headcount.audience, None], "count": [headcount.count, None]},
    )
    headcount.delete()


def check_in_code_for(meeting: Meeting) -> CheckInCode:
    code, _ = CheckInCode.objects.get_or_create(meeting=meeting)
    return code


@transaction.atomic
def rotate_check_in_code(*, meeting: Meeting, by: User | None) -> CheckInCode:
    """A new code for a meeting whose code leaked; the old one stops working at once."""
    if by is not None and not can_take_attendance(by, meeting.session):
        raise PermissionDenied(
            "Only the session's trainers and the provider's staff manage check-in."
        )
    code = check_in_code_for(meeting)
    code.code = new_check_in_code()
    code.save(update_fields=["code", "created_at"])
    # The code itself is a secret of the room: the log says only that it changed.
    record_activity(
        verb="meeting.check_in_code_rotated",
        target=meeting,
        actor=by,
        system="" if by is not None else SYSTEM,
    )
    return code


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:16]


@seat_transaction
def check_in(*, code: str, person: User, now: dt.datetime | None = None) -> Attendance:
    """A registrant marks themself present with the meeting's code, during the meeting (from
    30 minutes before its start to its end), if they are confirmed in its session."""
    now = now or timezone.now()
    found = (
        CheckInCode.objects.select_related("meeting__session")
        .filter(code=normalize_code(code))
        .first()
    )
    if found is None:
        raise ValidationError(
            "This check-in code is not valid. Check it with your trainer.", code="unknown"
        )
    meeting = found.meeting
    if now < meeting.starts_at - EARLY:
        raise ValidationError(
            f"Check-in opens at {_local(meeting.starts_at - EARLY)}, 30 minutes before the meeting.",
            code="too_early",
        )
    if now > meeting.ends_at:
        raise ValidationError(
            f"This check-in code expired when the meeting ended ({_local(meeting.ends_at)}).",
            code="expired",
        )
    lock_session(meeting.session_id)
    registration = Registration.objects.filter(
        session_id=meeting.session_id, person=person, status=Registration.Status.CONFIRMED
    ).first()
    if registration is None:
        raise ValidationError(
            "You are not confirmed for this session, so this code cannot check you in.",
            code="not_registered",
        )
    row = (
        Attendance.objects.select_for_update()
        .filter(registration=registration, meeting=meeting)
        .first()
    )
    if row is not None and row.status != Status.ABSENT:
        return row  # the trainer's record stands (present, partial or excused)
    was = row.status if row is not None else None
    row = row or Attendance(registration=registration, meeting=meeting)
    row.status, row.minutes = Status.PRESENT, None
    row.source, row.recorded_by, row.recorded_at = Attendance.Source.CHECK_IN, person, now
    row._history_user = person
    row.save()
    record_activity(
        verb="attendance.checked_in",
        target=row,
        actor=person,
        session=meeting.session,
        changes={"status": [was, Status.PRESENT]},
    )
    recompute_completion(registration_ids=[registration.pk], now=now)
    return row

"""Reads behind the trainer's pages: their sessions, a meeting's roster, a check-in code.

Each costs a fixed number of queries whatever the number of sessions or registrations.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from accounts.models import User
from courses.dates import local_date, local_day_range
from courses.models import Meeting, Session
from courses.selectors import with_schedule
from organizations.permissions import can_manage_provider
from registrations.models import Registration

from .models import Attendance, CheckInCode, Headcount
from .permissions import LOCK_AFTER, locks_at
from .services import EARLY, normalize_code

CONFIRMED = Registration.Status.CONFIRMED


# The trainer's home ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainerSessions:
    today: list[Session]
    upcoming: list[Session]
    needs_attendance: list[Session]

    @property
    def is_empty(self) -> bool:
        return not (self.today or self.upcoming or self.needs_attendance)


def _unmarked_registrations() -> QuerySet[Registration]:
    """Confirmed registrations of the meeting at OuterRef("pk") without attendance for it."""
    marked = Attendance.objects.filter(
        registration=OuterRef("pk"), meeting=OuterRef(OuterRef("pk"))
    )
    return Registration.objects.filter(session_id=OuterRef("session_id"), status=CONFIRMED).exclude(
        Exists(marked)
    )


def trainer_sessions(user: User, *, now: dt.datetime | None = None) -> TrainerSessions:
    """Sessions `user` trains, not cancelled: those meeting today (local date), those meeting
    later, and past ones with attendance still to record (a meeting that has ended with a
    confirmed registration not yet marked for it, before attendance locks for trainers).

    A multi-day session may meet today (or later) and still need attendance for its earlier
    days: it is then listed in both groups, with `needs_attendance` set on it, so the page
    never says "All caught up" beside a card that asks for attendance. One query.
    """
    now = now or timezone.now()
    day_start, day_end = local_day_range(local_date(now), local_date(now))
    meetings = Meeting.objects.filter(session=OuterRef("pk")).order_by().values("session")
    ended_unmarked = Meeting.objects.filter(session=OuterRef("pk"), ends_at__lte=now).filter(
        Exists(_unmarked_registrations())
    )
    confirmed = (
        Registration.objects.filter(session=OuterRef("pk"), status=CONFIRMED)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sessions = (
        with_schedule(Session.objects.filter(trainers=user))
        .exclude(status=Session.Status.CANCELLED)
        .select_related("course", "venue")
        .annotate(
            today_starts_at=Subquery(
                meetings.filter(starts_at__gte=day_start, starts_at__lt=day_end)
                .annotate(v=Min("starts_at"))
                .values("v")
            ),
            next_starts_at=Subquery(
                meetings.filter(starts_at__gte=day_end).annotate(v=Min("starts_at")).values("v")
            ),
            unmarked_meeting_id=Subquery(ended_unmarked.order_by("starts_at").values("pk")[:1]),
            unmarked_ends_at=Subquery(ended_unmarked.order_by("starts_at").values("ends_at")[:1]),
            confirmed_count=Subquery(confirmed),
        )
        .filter(
            Q(today_starts_at__isnull=False)
            | Q(next_starts_at__isnull=False)
            | Q(unmarked_meeting_id__isnull=False, last_ends_at__gte=now - LOCK_AFTER)
        )
    )
    today_list, upcoming, needs = [], [], []
    for session in sessions:
        session.locks_at = locks_at(session.last_ends_at) if session.last_ends_at else None
        # Decided once, here: the "Attendance to record" list and the flag on a card of
        # today's (or an upcoming) session read this one value, so they never disagree.
        session.needs_attendance = bool(
            session.unmarked_meeting_id and session.locks_at and now <= session.locks_at
        )
        if session.needs_attendance:
            needs.append(session)
        if session.today_starts_at is not None:
            today_list.append(session)
        elif session.next_starts_at is not None:
            upcoming.append(session)
    return TrainerSessions(
        today=sorted(today_list, key=lambda s: s.today_starts_at),
        upcoming=sorted(upcoming, key=lambda s: s.next_starts_at),
        needs_attendance=sorted(needs, key=lambda s: s.last_ends_at, reverse=True),
    )


# A meeting's roster ---------------------------------------------------------------------------


def session_for_roster(pk: int) -> Session:
    """The session with what the permission checks read (course and provider). Raises
    Session.DoesNotExist."""
    return Session.objects.select_related("course__provider", "venue").get(pk=pk)


def meeting_for_roster(pk: int) -> Meeting:
    return Meeting.objects.select_related("session__course__provider", "session__venue").get(pk=pk)


def choose_meeting(meetings: list[Meeting], *, now: dt.datetime) -> Meeting | None:
    """Today's meeting (local date), else the next one, else the last one."""
    if not meetings:
        return None
    day = local_date(now)
    for meeting in meetings:
        if local_date(meeting.starts_at) == day:
            return meeting
    for meeting in meetings:
        if meeting.starts_at > now:
            return meeting
    return meetings[-1]


def roster_registrations(meeting: Meeting) -> QuerySet[Registration]:
    """Confirmed registrations of the meeting's session, by name, each annotated with its
    attendance for this meeting: `marked_status`, `marked_minutes`, `marked_source` (None when
    not marked)."""
    row = Attendance.objects.filter(registration=OuterRef("pk"), meeting=meeting)
    return (
        Registration.objects.filter(session_id=meeting.session_id, status=CONFIRMED)
        .select_related("person", "district", "school")
        .annotate(
            marked_status=Subquery(row.values("status")[:1]),
            marked_minutes=Subquery(row.values("minutes")[:1]),
            marked_source=Subquery(row.values("source")[:1]),
        )
        .order_by(F("person__last_name"), F("person__first_name"), "person__email", "pk")
    )


def is_confirmed(*, person: User, session: Session) -> bool:
    return session.registrations.filter(person=person, status=CONFIRMED).exists()


@dataclass
class Totals:
    present: int = 0
    partial: int = 0
    absent: int = 0
    excused: int = 0
    unmarked: int = 0
    youth: int = 0
    adults: int = 0


@dataclass
class Roster:
    """Everything the roster page shows for one meeting of a session."""

    session: Session
    meetings: list[Meeting]
    meeting: Meeting
    number: int
    registrations: list[Registration]
    shown: list[Registration]  # the registrations whose name matches `query` (all without one)
    query: str
    headcounts: list[Headcount]
    totals: Totals
    locked: bool  # for this user: a trainer after the 14-day lock
    locks_at: dt.datetime
    opens_at: dt.datetime  # attendance for this meeting is accepted from then on
    is_open: bool


def folded(text: str) -> str:
    """`text` without accents, case-folded: "José" and "jose" match (static/js/roster.js
    folds the same way for the instant filter)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_matches(person: User, query: str) -> bool:
    """Every word of `query` is part of the person's name (or their email when they have no
    name), in any order: "ri al" finds Alex Rivera."""
    name = folded(str(person))
    return all(word in name for word in folded(query).split())


def roster(
    *,
    session: Session,
    user: User,
    meeting_id: int | None,
    query: str = "",
    now: dt.datetime | None = None,
) -> Roster:
    """The roster of one meeting of `session` (the chosen one, or today's/next/last), with
    the people whose name matches `query` as `shown` (totals count everyone).

    Raises Meeting.DoesNotExist when `meeting_id` is not one of the session's meetings or the
    session has none. Three queries: meetings, registrations, headcounts.
    """
    now = now or timezone.now()
    meetings = list(session.meetings.order_by("starts_at"))
    if meeting_id is None:
        meeting = choose_meeting(meetings, now=now)
    else:
        meeting = next((m for m in meetings if m.pk == meeting_id), None)
    if meeting is None:
        raise Meeting.DoesNotExist
    meeting.session = session
    registrations = list(roster_registrations(meeting))
    headcounts = list(meeting.headcounts.select_related("district").order_by("recorded_at"))
    totals = Totals()
    for registration in registrations:
        key = registration.marked_status or "unmarked"
        setattr(totals, key, getattr(totals, key) + 1)
    for headcount in headcounts:
        if headcount.audience == Headcount.Audience.YOUTH:
            totals.youth += headcount.count
        else:
            totals.adults += headcount.count
    lock = locks_at(max(m.ends_at for m in meetings))
    locked = now > lock and not can_manage_provider(user, session.course.provider_id)
    return Roster(
        session=session,
        meetings=meetings,
        meeting=meeting,
        number=meetings.index(meeting) + 1,
        registrations=registrations,
        shown=[r for r in registrations if name_matches(r.person, query)],
        query=query.strip(),
        headcounts=headcounts,
        totals=totals,
        locked=locked,
        locks_at=lock,
        opens_at=meeting.starts_at - EARLY,
        is_open=now >= meeting.starts_at - EARLY,
    )


# Self check-in --------------------------------------------------------------------------------


def check_in_target(code: str) -> CheckInCode | None:
    """The check-in code (with its meeting, session and course) for what a person typed or
    scanned, or None."""
    return (
        CheckInCode.objects.select_related("meeting__session__course__provider")
        .filter(code=normalize_code(code))
        .first()
    )


def own_attendance(*, person: User, meeting: Meeting) -> Attendance | None:
    return Attendance.objects.filter(
        meeting=meeting, registration__person=person, registration__status=CONFIRMED
    ).first()

"""Sessions completed through attendance.services, so certificates are issued for real."""

import datetime as dt

from attendance.services import AttendanceEntry, record_attendance
from registrations.models import Registration
from tests.factories import SessionFactory, educator, in_days


def past_session(*, hours=(6,), trainers=(), days_ago=2, meetings=None, **kwargs):
    """A session whose meetings (of the given lengths in hours) ended `days_ago` days ago,
    or the given `meetings` [(start, end), ...]."""
    if meetings is None:
        meetings = [
            (in_days(-days_ago - i, 9), in_days(-days_ago - i, 9 + h)) for i, h in enumerate(hours)
        ]
    first = min(start for start, _ in meetings)
    session = SessionFactory(
        registration_closes_at=first - dt.timedelta(days=1),
        registration_opens_at=first - dt.timedelta(days=40),
        meetings=meetings,
        **kwargs,
    )
    session.trainers.set(trainers)
    return session


def confirmed(session, person=None) -> Registration:
    person = person or educator()
    return Registration.objects.create(
        session=session,
        person=person,
        status="confirmed",
        district=person.profile.district,
        school=person.profile.school,
        position=person.profile.position,
    )


def mark(session, registration, status="present", *, now=None):
    """Mark `registration` with `status` at every meeting of `session`."""
    entries = [
        AttendanceEntry(registration.pk, meeting.pk, status)
        for meeting in session.meetings.order_by("starts_at")
    ]
    return record_attendance(session=session, entries=entries, by=None, now=now)


def completed(session, person=None, *, now=None):
    """A confirmed registration marked present throughout: its certificate is issued."""
    registration = confirmed(session, person)
    mark(session, registration, now=now)
    return registration.certificate

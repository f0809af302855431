"""Calendar files (RFC 5545) for sessions, built with icalendar. Pure functions of their inputs.

Each meeting is one VEVENT whose UID is stable for the meeting's life and whose SEQUENCE grows
with every change of its time or place, so calendar programs update the event they already have.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from courses.models import Meeting, Session

PRODID = "-//RESC Alliance//PD Platform//EN"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@pd.rescalliance.example.org"


def online_link(session: Session) -> str:
    """The session's meeting link, for the people it is meant for only (confirmed registrants:
    their invites, feed, emails and /me/), never on a public page or file."""
    return session.online_url if session.format != Session.Format.IN_PERSON else ""


def _location(session: Session, *, with_link: bool) -> str:
    link = online_link(session) if with_link else ""
    if session.format == Session.Format.ONLINE:
        return link or "Online"
    if session.venue:
        return ", ".join(
            p for p in (session.venue.name, session.venue.address, session.venue.town) if p
        )
    return link


def _description(session: Session, *, with_link: bool) -> str:
    page = f"{settings.SITE_URL}{session.get_absolute_url()}"
    lines = [
        f"{session.course.provider.name}.",
        f"PD hours: {session.hours_offered.normalize():f}.",
    ]
    link = online_link(session) if with_link else ""
    if link:
        lines.append(f"Join online: {link}")
    lines.append(f"Details: {page}")
    return "\n".join(lines)


def _event(
    meeting: Meeting, *, extra_sequence: int = 0, cancelled: bool = False, with_link: bool = False
) -> Event:
    session = meeting.session
    link = online_link(session) if with_link else ""
    event = Event.new(
        uid=meeting_uid(meeting),
        summary=str(session),
        start=timezone.localtime(meeting.starts_at),
        end=timezone.localtime(meeting.ends_at),
        stamp=timezone.now(),
        sequence=meeting.sequence + extra_sequence,
        location=_location(session, with_link=with_link) or None,
        url=link or f"{settings.SITE_URL}{session.get_absolute_url()}",
        description=_description(session, with_link=with_link),
    )
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def session_calendar(
    sessions: Iterable[Session],
    *,
    method: str | None = None,
    cancelled: bool = False,
    with_link: bool = False,
) -> bytes:
    """A calendar of every meeting of `sessions`. METHOD REQUEST for an invite, CANCEL for a
    cancellation (its SEQUENCE one above the last invite's), none for a feed or download.
    `with_link` puts an online session's meeting link in LOCATION, URL and DESCRIPTION: only
    for files that go to confirmed registrants."""
    calendar = Calendar.new(prodid=PRODID, method=method, name="RESC Alliance PD")
    for session in sessions:
        for meeting in session.meetings.all():
            calendar.add_component(
                _event(
                    meeting,
                    extra_sequence=1 if cancelled else 0,
                    cancelled=cancelled,
                    with_link=with_link,
                )
            )
    calendar.add_missing_timezones()
    return calendar.to_ical()

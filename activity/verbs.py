"""How an activity reads on a page: a label per verb, and `changes` as lines a person can read
(field names in words, values shown plainly, times in America/New_York like the rest of the
site). Pure functions of their inputs; the one lookup (session titles for `to_session` and
the like) is done once per page by the caller (activity.presenters)."""

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_date, parse_datetime

from courses.dates import LOCAL_TZ

# Dotted, past tense, as the services record them (activity.services.record_activity).
VERB_LABELS = {
    "registration.registered": "Registered",
    "registration.waitlisted": "Put on the waitlist",
    "registration.pending": "Sent for approval",
    "registration.approved": "Approved",
    "registration.declined": "Declined",
    "registration.cancelled": "Cancelled",
    "registration.promoted": "Confirmed from the waitlist",
    "registration.moved": "Moved to another session",
    "registration.moved_in": "Moved in from another session",
    "registration.transfer_requested": "Seat transfer requested",
    "registration.transferred": "Seat transferred",
    "registration.transferred_in": "Seat taken over from a colleague",
    "registration.walk_in": "Added as a walk-in",
    "registration.invited": "Invited",
    "session.scheduled": "Session scheduled",
    "session.updated": "Session changed",
    "session.capacity_changed": "Capacity changed",
    "session.cancelled": "Session cancelled",
    "session.deleted": "Session deleted",
    "meeting.updated": "Meeting changed",
    "attendance.recorded": "Attendance recorded",
    "attendance.checked_in": "Checked in",
    "certificate.issued": "Certificate issued",
    "certificate.revoked": "Certificate revoked",
    "certificate.reinstated": "Certificate issued again",
    "certificate.updated": "Certificate hours changed",
    "headcount.recorded": "Headcount recorded",
    "headcount.deleted": "Headcount removed",
    "meeting.check_in_code_rotated": "Check-in code replaced",
    "course.created": "Course created",
    "course.updated": "Course changed",
    "course.deleted": "Course deleted",
    "trainer.certified": "Certified as a trainer",
    "trainer.revoked": "Trainer certification revoked",
    "evaluation_form.created": "Evaluation form created",
    "evaluation_form.updated": "Evaluation form changed",
    "evaluation_form.versioned": "New version of the evaluation form",
    "evaluation_form.retired": "Evaluation form retired",
    "evaluation.requested": "Asked to evaluate the session",
    "evaluation.submitted": "Evaluation sent",
    "evaluation.changed": "Evaluation changed",
    "evaluation.waived": "Excused from the evaluation",
}

FIELD_LABELS = {
    "status": "Status",
    "capacity": "Capacity",
    "to_session": "Moved to",
    "from_session": "Moved from",
    "session": "Session",
    "payer": "Payer",
    "purchase_order": "PO number",
    "price": "Price",
    "registration_opens_at": "Registration opens",
    "registration_closes_at": "Registration closes",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "online_url": "Online meeting link",
    "is_free": "Free (grant-funded)",
    "requires_approval": "Requires approval",
    "completion_threshold": "Completion threshold (%)",
    "minutes": "Minutes",
    "hours": "PD hours",
    "number": "Certificate number",
}

VALUE_LABELS = {
    "pending": "Pending approval",
    "confirmed": "Confirmed",
    "waitlisted": "Waitlisted",
    "cancelled": "Cancelled",
    "declined": "Declined",
    "scheduled": "Scheduled",
    "present": "Present",
    "partial": "Partial",
    "absent": "Absent",
    "excused": "Excused",
    "self": "Pays themself",
    "district": "The district",
    "in_person": "In person",
    "online": "Online",
    "hybrid": "Hybrid",
    "direct": "Direct",
    "turnkey": "Turnkey",
}

# Keys whose value names a session by id: shown as the session's title and first date.
SESSION_KEYS = frozenset({"to_session", "from_session", "session"})
EMPTY = "—"


@dataclass(frozen=True)
class ChangeLine:
    """One line of an activity's changes: "Status: Waitlisted → Confirmed" (`before` and
    `after`), or a plain fact "Moved to: Trauma-informed practice, Tue, Mar 3" (`value`)."""

    label: str
    before: str = ""
    after: str = ""
    value: str = ""

    @property
    def is_change(self) -> bool:
        return bool(self.before or self.after)


def verb_label(verb: str) -> str:
    """The label of `verb`; an unknown one reads from its last part ("invoice.issued" →
    "Issued (invoice)")."""
    if verb in VERB_LABELS:
        return VERB_LABELS[verb]
    subject, _, action = verb.rpartition(".")
    words = (action or verb).replace("_", " ").strip().capitalize() or "Changed"
    return f"{words} ({subject.replace('_', ' ')})" if subject else words


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key) or str(key).replace("_", " ").strip().capitalize()


def local_time(moment: dt.datetime) -> str:
    """The way the site writes a moment: "Tue, Mar 3, 2026, 9:00 AM EST"."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return date_format(timezone.localtime(moment, LOCAL_TZ), "D, M j, Y, g:i A T")


def render_value(key: str, value: Any, *, sessions: dict[int, str] | None = None) -> str:
    """`value` as a person reads it. JSON brings datetimes, dates and decimals back as strings
    (DjangoJSONEncoder), so ISO strings are recognised and shown in local time."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in SESSION_KEYS and isinstance(value, int) and sessions and value in sessions:
        return sessions[value]
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return local_time(value)
    if isinstance(value, dt.date):
        return date_format(value, "D, M j, Y")
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(k)}: {render_value(k, v, sessions=sessions)}" for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(render_value(key, item, sessions=sessions) for item in value) or EMPTY
    text = str(value)
    if "T" in text and len(text) >= 16 and text[:4].isdigit():
        moment = _parse_datetime(text)
        if moment is not None:
            return local_time(moment)
    if len(text) == 10 and text[:4].isdigit():
        day = _parse_date(text)
        if day is not None:
            return date_format(day, "D, M j, Y")
    return VALUE_LABELS.get(text, text)


def render_changes(changes: dict, *, sessions: dict[int, str] | None = None) -> list[ChangeLine]:
    """{field: [before, after]} as "Field: before → after"; other keys as plain facts."""
    if not isinstance(changes, dict):
        return []
    lines = []
    for key, value in changes.items():
        label = field_label(key)
        if isinstance(value, list) and len(value) == 2:
            before, after = (render_value(key, item, sessions=sessions) for item in value)
            lines.append(ChangeLine(label, before=before, after=after))
        else:
            lines.append(ChangeLine(label, value=render_value(key, value, sessions=sessions)))
    return lines


def session_ids_in(changes: dict) -> set[int]:
    """Ids of sessions named in `changes` (to look their titles up once per page)."""
    found: set[int] = set()
    if not isinstance(changes, dict):
        return found
    for key in SESSION_KEYS & changes.keys():
        values = changes[key] if isinstance(changes[key], list) else [changes[key]]
        found.update(value for value in values if isinstance(value, int))
    return found


def _parse_datetime(text: str) -> dt.datetime | None:
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def _parse_date(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None

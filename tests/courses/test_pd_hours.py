"""A session's PD hours: its meetings' lengths (duration minus the unpaid break) / 60, the one
figure every page, invite, email, certificate and the API show (DESIGN.md, Rules)."""

import datetime as dt
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from icalendar import Calendar

from courses.models import Meeting, Session
from registrations.models import Registration
from tests.certificates.helpers import completed, confirmed
from tests.courses.test_admin import _session_post, _split
from tests.factories import (
    CourseFactory,
    SessionFactory,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions/"


def _full_day(days: int) -> tuple[dt.datetime, dt.datetime]:
    start = in_days(days, 8).replace(minute=30)
    return start, start.replace(hour=15, minute=0)


def _session_with_lunch(days: int, **kwargs) -> Session:
    """One 8:30-3:00 meeting with a 30-minute unpaid lunch, `days` from today."""
    starts_at, ends_at = _full_day(days)
    session = SessionFactory(
        meetings=[],
        registration_opens_at=starts_at - dt.timedelta(days=60),
        registration_closes_at=starts_at - dt.timedelta(days=1),
        **kwargs,
    )
    Meeting.objects.create(session=session, starts_at=starts_at, ends_at=ends_at, break_minutes=30)
    return session


def _hours_in(text: str, pattern: str) -> Decimal:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text[:3000]!r}"
    return Decimal(match.group(1))


def test_every_page_file_and_email_shows_6_hours_for_a_day_of_8_30_to_3_with_lunch(
    client, django_capture_on_commit_callbacks
):
    course = CourseFactory(hours=Decimal("6.00"), title="Trauma-Informed Classrooms")
    upcoming = _session_with_lunch(14, course=course)
    past = _session_with_lunch(-3, course=course)
    person = educator()
    certificate = completed(past, person)
    assert past.meetings.get().length_minutes == 6 * 60

    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sessions/{upcoming.pk}/register/", {"payer": "self"})
    confirmation = next(m for m in mail.outbox if m.subject.startswith("You are registered"))
    invite = Calendar.from_ical(confirmation.attachments[0][1]).events[0]
    pdf = client.get(reverse("certificates:pdf", kwargs={"pk": certificate.pk}))
    pdf_text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    me = client.get("/me/").content.decode()

    shown = {
        "catalog": _hours_in(client.get("/courses/").content.decode(), r"([\d.]+) PD hours<"),
        "course page": _hours_in(
            client.get(course.get_absolute_url()).content.decode(), r"([\d.]+) PD hours<"
        ),
        "session page": _hours_in(
            client.get(upcoming.get_absolute_url()).content.decode(),
            r"<dt>PD hours</dt><dd>([\d.]+)</dd>",
        ),
        "past session page": _hours_in(
            client.get(past.get_absolute_url()).content.decode(),
            r"<dt>PD hours</dt><dd>([\d.]+)</dd>",
        ),
        "public ICS": _hours_in(
            client.get(f"/sessions/{upcoming.pk}/calendar.ics").content.decode(),
            r"PD hours: ([\d.]+)\.",
        ),
        "invite": _hours_in(str(invite["DESCRIPTION"]), r"PD hours: ([\d.]+)\."),
        "confirmation email": _hours_in(confirmation.body, r"PD hours: ([\d.]+)"),
        "API": Decimal(client.get(f"{SESSIONS}{upcoming.pk}/").json()["hours"]),
        "certificate PDF": _hours_in(pdf_text, r"PD hours: ([\d.]+)"),
        "/me/ registration": _hours_in(me, r"· ([\d.]+) PD hours"),
        "/me/ transcript": _hours_in(me, r"All years: <strong>([\d.]+)</strong> PD hours"),
    }

    assert shown == dict.fromkeys(shown, Decimal(6)), shown
    assert certificate.credited_minutes == 360


def test_the_session_line_shows_the_sessions_own_hours_not_the_courses(client):
    course = CourseFactory(hours=Decimal("6.00"))
    start = in_days(10, 9)
    SessionFactory(course=course, meetings=[(start, start.replace(hour=12))])

    catalog = client.get("/courses/").content.decode()

    assert _hours_in(catalog, r"([\d.]+) PD hours<") == 3
    assert "About 6" in catalog


def test_the_api_answers_a_breaks_length_and_the_sessions_hours(api_client):
    session = _session_with_lunch(14)

    body = api_client.get(f"{SESSIONS}{session.pk}/").json()

    assert body["hours"] == "6.00"
    assert (body["meetings"][0]["break_minutes"], body["meetings"][0]["length_minutes"]) == (
        30,
        360,
    )


# --- the staff warning ------------------------------------------------------------------------


def _api_body(course, *, break_minutes=30, **overrides) -> dict:
    starts_at, ends_at = _full_day(20)
    return {
        "course": course.slug,
        "capacity": 30,
        "registration_closes_at": (starts_at - dt.timedelta(days=2)).isoformat(),
        "meetings": [
            {
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "break_minutes": break_minutes,
            }
        ],
        **overrides,
    }


def test_the_api_warns_staff_when_the_meetings_miss_the_course_hours_but_saves(
    api_client, provider
):
    course = CourseFactory(provider=provider, hours=Decimal("6.00"))
    api_client.force_authenticate(staff_of(provider))

    created = api_client.post(SESSIONS, _api_body(course, break_minutes=0), format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["hours"] == "6.50"
    [warning] = created.json()["warnings"]
    assert "6.50 PD hours" in warning and "6.00 hours" in warning
    session = Session.objects.get()

    meetings = _api_body(course)["meetings"]
    changed = api_client.patch(f"{SESSIONS}{session.pk}/", {"meetings": meetings}, format="json")

    assert changed.status_code == 200, changed.json()
    assert (changed.json()["hours"], changed.json()["warnings"]) == ("6.00", [])


def test_the_api_refuses_a_break_as_long_as_the_meeting(api_client, provider):
    course = CourseFactory(provider=provider)
    api_client.force_authenticate(staff_of(provider))

    response = api_client.post(SESSIONS, _api_body(course, break_minutes=390), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "meetings": [
            "Meeting 1: the break (390 minutes) must be shorter than the meeting (390 minutes)."
        ]
    }
    assert not Session.objects.exists()


def test_the_api_refuses_a_negative_break(api_client, provider):
    api_client.force_authenticate(staff_of(provider))

    response = api_client.post(
        SESSIONS, _api_body(CourseFactory(provider=provider), break_minutes=-5), format="json"
    )

    assert response.status_code == 400 and "meetings" in response.json()


def _admin_post_with_break(course, break_minutes, **kwargs) -> dict:
    starts_at, ends_at = _full_day(20)
    data = _session_post(
        course=course,
        meetings=[(starts_at, ends_at)],
        closes_at=starts_at - dt.timedelta(days=2),
        **kwargs,
    )
    return data | {"meetings-0-break_minutes": str(break_minutes)}


def test_the_admin_warns_when_the_meetings_miss_the_course_hours_but_saves(client, provider):
    course = CourseFactory(provider=provider, hours=Decimal("6.00"))
    client.force_login(staff_of(provider))

    response = client.post(
        reverse("admin:courses_session_add"), _admin_post_with_break(course, 0), follow=True
    )

    assert response.status_code == 200
    session = Session.objects.get()
    assert session.hours_offered == Decimal("6.50")
    warnings = [m.message for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and "6.50 PD hours" in warnings[0]


def test_the_admin_does_not_warn_when_the_lunch_makes_the_hours_match(client, provider):
    course = CourseFactory(provider=provider, hours=Decimal("6.00"))
    client.force_login(staff_of(provider))

    response = client.post(
        reverse("admin:courses_session_add"), _admin_post_with_break(course, 30), follow=True
    )

    assert Session.objects.get().meetings.get().length_minutes == 360
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


def test_the_admin_refuses_a_break_as_long_as_the_meeting(client, provider):
    client.force_login(staff_of(provider))

    response = client.post(
        reverse("admin:courses_session_add"),
        _admin_post_with_break(CourseFactory(provider=provider), 390),
    )

    assert response.status_code == 200
    assert (
        "The break (390 minutes) must be shorter than the meeting (390 minutes)." in response.text
    )
    assert not Session.objects.exists()


def test_the_database_refuses_a_break_as_long_as_the_meeting():
    session = SessionFactory(meetings=[])
    starts_at, ends_at = _full_day(5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            session=session, starts_at=starts_at, ends_at=ends_at, break_minutes=390
        )


# --- credited minutes follow the break --------------------------------------------------------


def test_a_lunch_added_through_the_admin_recredits_the_certificate(client, provider):
    course = CourseFactory(provider=provider, hours=Decimal("6.00"))
    session = SessionFactory(course=course, meetings=[_full_day(-3)])
    session.registration_closes_at = session.meetings.get().starts_at - dt.timedelta(days=1)
    session.save()
    certificate = completed(session)
    assert certificate.credited_minutes == 390
    meeting = session.meetings.get()
    client.force_login(staff_of(provider))
    data = _session_post(
        course=course,
        meetings=[(meeting.starts_at, meeting.ends_at)],
        closes_at=session.registration_closes_at,
        existing=[meeting],
    ) | {"meetings-0-break_minutes": "30", "registration_opens_at_0": ""}
    data |= _split(session.registration_opens_at, "registration_opens_at")

    response = client.post(reverse("admin:courses_session_change", args=[session.pk]), data)

    assert response.status_code == 302, response.text[:3000]
    certificate.refresh_from_db()
    assert (certificate.credited_minutes, certificate.hours) == (360, Decimal("6.00"))
    assert certificate.revoked_at is None


def test_a_lunch_added_through_the_api_recredits_the_certificate(api_client, provider):
    course = CourseFactory(provider=provider, hours=Decimal("6.00"))
    starts_at, ends_at = _full_day(-3)
    session = SessionFactory(
        course=course,
        meetings=[(starts_at, ends_at)],
        registration_closes_at=starts_at - dt.timedelta(days=1),
    )
    certificate = completed(session)
    waiting = confirmed(SessionFactory(course=course))  # another session: untouched
    api_client.force_authenticate(staff_of(provider))

    meetings = [
        {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "break_minutes": 30}
    ]
    response = api_client.patch(f"{SESSIONS}{session.pk}/", {"meetings": meetings}, format="json")

    assert response.status_code == 200, response.json()
    certificate.refresh_from_db()
    assert certificate.credited_minutes == 360
    assert Registration.objects.get(pk=waiting.pk).credited_minutes == 0

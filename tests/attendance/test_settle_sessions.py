"""No completion and no certificate before a session's last meeting ends; the settle_sessions
command issues them once it has (DESIGN.md, Completed). The clock is frozen throughout."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from attendance.models import Attendance
from attendance.services import check_in_code_for
from certificates.models import Certificate
from registrations.models import Registration
from tests.factories import SessionFactory, educator, staff_of

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
# The issue's meeting: 3:20 to 5:30 PM on a Tuesday, the person checked in at 3:08 PM.
STARTS = dt.datetime(2026, 11, 10, 15, 20, tzinfo=TZ)
ENDS = dt.datetime(2026, 11, 10, 17, 30, tzinfo=TZ)


def _at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def registration():
    with _at(STARTS - dt.timedelta(days=20)):
        session = SessionFactory(
            meetings=[(STARTS, ENDS)],
            registration_closes_at=STARTS - dt.timedelta(days=1),
            title="Afternoon cohort",
        )
        person = educator(email="robin.ash@example.org")
        return Registration.objects.create(
            session=session,
            person=person,
            status="confirmed",
            district=person.profile.district,
            school=person.profile.school,
            position=person.profile.position,
        )


def _settle(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("settle_sessions", stdout=out)
    return out.getvalue()


def _certificate_emails():
    return [m for m in mail.outbox if m.subject.startswith("Your certificate")]


@pytest.mark.parametrize(
    "checked_in_at",
    [
        STARTS - dt.timedelta(minutes=12),
        STARTS + dt.timedelta(minutes=30),
        ENDS - dt.timedelta(seconds=1),
    ],
    ids=["3:08 PM, before the meeting", "during", "a second before the end"],
)
def test_checking_in_credits_the_minutes_but_issues_nothing_before_the_end(
    client, registration, checked_in_at, django_capture_on_commit_callbacks
):
    code = check_in_code_for(registration.session.meetings.get())
    client.force_login(registration.person)
    with _at(checked_in_at), django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/checkin/{code.code}/", follow=True)
        assert b"You are checked in for" in done.content
    registration.refresh_from_db()
    assert registration.credited_minutes == 130
    assert Attendance.objects.get().status == "present"
    assert not Certificate.objects.exists()
    assert _certificate_emails() == []


def test_settle_sessions_issues_once_the_last_meeting_has_ended_and_only_once(
    client, registration, django_capture_on_commit_callbacks
):
    code = check_in_code_for(registration.session.meetings.get())
    client.force_login(registration.person)
    with _at(STARTS - dt.timedelta(minutes=12)):
        client.post(f"/checkin/{code.code}/")
    with _at(ENDS - dt.timedelta(seconds=1)):
        assert _settle(django_capture_on_commit_callbacks).startswith("Settled 0 completion(s);")
    assert not Certificate.objects.exists() and _certificate_emails() == []
    with _at(ENDS + dt.timedelta(minutes=4)):
        assert _settle(django_capture_on_commit_callbacks).startswith("Settled 1 completion(s);")
    certificate = Certificate.objects.get()
    assert certificate.registration == registration and certificate.is_valid
    assert str(certificate.hours) == "2.17"
    [email] = _certificate_emails()
    assert email.to == ["robin.ash@example.org"] and certificate.display_code in email.body
    with _at(ENDS + dt.timedelta(minutes=9)):
        assert _settle(django_capture_on_commit_callbacks).startswith("Settled 0 completion(s);")
    assert Certificate.objects.count() == 1 and len(_certificate_emails()) == 1


def test_a_correction_after_the_end_revokes_and_reissues_at_once(
    api_client, registration, django_capture_on_commit_callbacks
):
    session = registration.session
    meeting = session.meetings.get()
    staff = staff_of(session.course.provider)
    api_client.force_authenticate(staff)
    url = f"/api/v1/sessions/{session.pk}/attendance/"

    def put(status):
        row = {"registration": registration.pk, "meeting": meeting.pk, "status": status}
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.put(url, [row], format="json")
        assert response.status_code == 200, response.content
        return response.json()["registrations"][0]["completed"]

    with _at(STARTS + dt.timedelta(minutes=5)):
        assert put("present") is False  # under way: not completed yet
    assert not Certificate.objects.exists()
    with _at(ENDS + dt.timedelta(days=1)):  # before any settle run: a correction settles it
        assert put("absent") is False
        assert not Certificate.objects.exists()
        assert put("present") is True
    certificate = Certificate.objects.get()
    assert certificate.is_valid and len(_certificate_emails()) == 1
    with _at(ENDS + dt.timedelta(days=2)):
        assert put("absent") is False
    certificate.refresh_from_db()
    assert not certificate.is_valid and "corrected" in certificate.revoked_reason
    with _at(ENDS + dt.timedelta(days=2, minutes=5)):
        assert _settle(django_capture_on_commit_callbacks).startswith("Settled 0 completion(s);")
        assert put("present") is True
    certificate.refresh_from_db()
    assert certificate.is_valid

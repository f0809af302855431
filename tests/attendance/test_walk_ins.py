"""Walk-ins over HTTP (DESIGN.md, "Who may change a registration"): a trainer, or the
provider's staff, adds someone only while the meeting's check-in is open, only to a published
course's scheduled session; the person is emailed who added them and how to say it was not
them; the answer never reveals whether an address has an account."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from registrations.models import Registration
from tests.factories import (
    CourseFactory,
    ProviderFactory,
    SessionFactory,
    UserFactory,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
STARTS = dt.datetime(2026, 11, 10, 15, 20, tzinfo=TZ)
ENDS = dt.datetime(2026, 11, 10, 17, 30, tzinfo=TZ)
ANSWER = (
    "If that address belongs to an educator with a complete profile, they are now on the roster "
    "and have been emailed. Otherwise ask them to sign up and register on the session page."
)


def _at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def trainer():
    return UserFactory(first_name="Terry", last_name="Quinn", email="terry.quinn@example.org")


def _session(trainer, *, status="published", **kwargs):
    provider = ProviderFactory(short_name="LEARN", name="LEARN", email="pd@learn.example.org")
    with _at(STARTS - dt.timedelta(days=30)):
        session = SessionFactory(
            course=CourseFactory(provider=provider, status=status, title="Restorative Circles"),
            meetings=[(STARTS, ENDS)],
            registration_closes_at=STARTS - dt.timedelta(days=2),
            **kwargs,
        )
    session.trainers.add(trainer)
    return session


def _post(client, session, email, at, *, follow=False):
    url = f"/trainer/meetings/{session.meetings.get().pk}/walk-in/"
    with _at(at):
        return client.post(url, {"email": email}, follow=follow)


@pytest.mark.parametrize(
    "at",
    [
        STARTS - dt.timedelta(days=20),
        STARTS - dt.timedelta(minutes=31),
        ENDS + dt.timedelta(seconds=1),
    ],
    ids=["weeks before", "31 minutes before", "after the end"],
)
def test_a_walk_in_outside_the_check_in_window_is_400_and_creates_nothing(
    client, trainer, at, django_capture_on_commit_callbacks
):
    session = _session(trainer)
    walker = educator(email="wally@example.org")
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, session, walker.email, at)
    assert response.status_code == 400
    assert (
        "Walk-ins are added while this meeting&#x27;s check-in is open: from Tue, Nov 10, "
        "2026, 2:50 PM EST" in response.content.decode()
    )
    assert not Registration.objects.exists() and mail.outbox == []


@pytest.mark.parametrize(
    "at", [STARTS - dt.timedelta(minutes=30), ENDS], ids=["opens 30 minutes before", "at the end"]
)
def test_during_the_window_the_person_is_confirmed_and_emailed_who_added_them(
    client, trainer, at, django_capture_on_commit_callbacks
):
    session = _session(trainer)
    walker = educator(email="wally@example.org", first_name="Wally", last_name="Walker")
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, session, "WALLY@example.org", at)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.person, registration.status, registration.created_by) == (
        walker,
        "confirmed",
        trainer,
    )
    [email] = mail.outbox
    assert email.to == ["wally@example.org"]
    assert email.subject == f"You were added to {session}"
    assert f"Terry Quinn added you to {session} as a walk-in" in email.body
    assert "Was this not you? Reply to this email or write to LEARN at pd@learn.example.org" in (
        email.body
    )
    assert email.reply_to == ["pd@learn.example.org"]
    assert [a[2].split(";")[0] for a in email.attachments] == ["text/calendar"]


def test_the_answer_is_the_same_for_no_account_an_incomplete_profile_and_success(
    client, trainer, django_capture_on_commit_callbacks
):
    session = _session(trainer)
    educator(email="complete@example.org")
    UserFactory(email="incomplete@example.org")
    client.force_login(trainer)
    answers = {}
    for email in ("nobody@example.org", "incomplete@example.org", "complete@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client, session, email, STARTS + dt.timedelta(minutes=5), follow=True)
        messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
        answers[email] = (response.redirect_chain, response.status_code, messages)
    assert len(set(map(repr, answers.values()))) == 1, answers
    assert answers["nobody@example.org"][2] == [("info", ANSWER)]
    assert list(Registration.objects.values_list("person__email", flat=True)) == [
        "complete@example.org"
    ]
    assert [m.to for m in mail.outbox] == [["complete@example.org"]]
    # Asking again for someone already confirmed answers the same and emails nobody.
    again = _post(
        client, session, "complete@example.org", STARTS + dt.timedelta(minutes=6), follow=True
    )
    assert [str(m) for m in again.context["messages"]] == [ANSWER]
    assert Registration.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_draft_or_archived_courses_session_takes_no_walk_in(client, trainer, status):
    session = _session(trainer, status=status)
    walker = educator()
    client.force_login(trainer)
    response = _post(client, session, walker.email, STARTS + dt.timedelta(minutes=5))
    assert response.status_code == 400
    assert b"Walk-ins are added only to sessions of published courses." in response.content
    assert not Registration.objects.exists()


def test_staff_add_walk_ins_within_the_same_window_and_never_to_a_cancelled_session(client):
    session = _session(UserFactory())
    staff = staff_of(session.course.provider)
    client.force_login(staff)
    walker = educator()
    early = _post(client, session, walker.email, STARTS - dt.timedelta(days=3))
    assert early.status_code == 400 and not Registration.objects.exists()
    during = _post(client, session, walker.email, STARTS + dt.timedelta(minutes=5))
    assert during.status_code == 302
    assert Registration.objects.get().created_by == staff
    session.status = "cancelled"
    session.save()
    cancelled = _post(client, session, educator().email, STARTS + dt.timedelta(minutes=6))
    assert cancelled.status_code == 400 and b"This session was cancelled." in cancelled.content
    assert Registration.objects.count() == 1


@override_settings(RATE_LIMITS={"register": "3/m", "checkin": "3/m"})
def test_walk_ins_are_rate_limited(client, trainer):
    session = _session(trainer)
    client.force_login(trainer)
    moment = STARTS + dt.timedelta(minutes=5, seconds=1)
    statuses = [
        _post(client, session, f"guess{n}@example.org", moment).status_code for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]

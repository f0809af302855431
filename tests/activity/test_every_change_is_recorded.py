"""Each state change has one service, whichever interface calls it: the page, the API, the
admin and an emailed link keep the same rules and write exactly one activity row for the
record they change (DESIGN.md: every change ... is recorded in one activity log)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import signing
from django.core.management import call_command
from django.urls import reverse

from activity.models import Activity
from activity.services import EMAILED_LINK, SETTLE_COMMAND, WAITLIST
from attendance.services import AttendanceEntry, record_attendance
from registrations.models import Registration
from registrations.notifications import RELEASE_SALT
from tests.courses.test_admin import _session_post
from tests.factories import (
    CourseFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def learn():
    return ProviderFactory(short_name="LEARN")


@pytest.fixture
def session(learn):
    return SessionFactory(course=CourseFactory(provider=learn), capacity=1)


def _rows(registration: Registration, verb: str) -> list[Activity]:
    return list(Activity.objects.filter(registration=registration, verb=verb))


def _release_url(registration: Registration) -> str:
    return reverse(
        "registrations:release", args=[signing.dumps(registration.pk, salt=RELEASE_SALT)]
    )


def _cancel_by_page(client, api_client, registration, actor):
    client.force_login(actor)
    return client.post(f"/registrations/{registration.pk}/cancel/")


def _cancel_by_api(client, api_client, registration, actor):
    api_client.force_authenticate(actor)
    return api_client.post(f"/api/v1/registrations/{registration.pk}/cancel/")


def _cancel_by_link(client, api_client, registration, actor):
    return client.post(_release_url(registration))


CANCELLERS = {"page": _cancel_by_page, "api": _cancel_by_api, "emailed link": _cancel_by_link}


@pytest.mark.parametrize("interface", CANCELLERS)
def test_a_registrant_cancelling_writes_one_row_naming_them(client, api_client, session, interface):
    registration = RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=Status.WAITLISTED)

    response = CANCELLERS[interface](client, api_client, registration, registration.person)

    assert response.status_code in (200, 302, 303)
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    [row] = _rows(registration, "registration.cancelled")
    assert row.actor == registration.person
    assert row.system == (EMAILED_LINK if interface == "emailed link" else "")
    assert row.changes == {"status": [Status.CONFIRMED, Status.CANCELLED]}
    assert row.session_id == session.pk and row.person_id == registration.person_id
    # The freed seat went to the waitlist, recorded as the waitlist's doing.
    [promoted] = _rows(waiting, "registration.promoted")
    assert promoted.actor is None and promoted.system == WAITLIST


@pytest.mark.parametrize("interface", CANCELLERS)
def test_after_the_start_no_interface_lets_the_registrant_cancel_and_nothing_is_recorded(
    client, api_client, session, interface
):
    registration = RegistrationFactory(session=session)
    started = session.meetings.get().starts_at + dt.timedelta(minutes=5)

    with time_machine.travel(started, tick=False):
        CANCELLERS[interface](client, api_client, registration, registration.person)

    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    assert not Activity.objects.exists()


def test_staff_cancelling_from_the_staff_page_is_recorded_with_their_name(client, learn, session):
    registration = RegistrationFactory(session=session)
    staff = staff_of(learn)
    client.force_login(staff)

    client.post(f"/staff/sessions/{session.pk}/registrations/{registration.pk}/cancel/")

    [row] = _rows(registration, "registration.cancelled")
    assert row.actor == staff and row.system == ""


def test_someone_elses_cancel_writes_nothing(client, api_client, session):
    registration = RegistrationFactory(session=session)
    stranger = educator()

    _cancel_by_page(client, api_client, registration, stranger)
    _cancel_by_api(client, api_client, registration, stranger)

    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    assert not Activity.objects.exists()


@pytest.mark.parametrize("interface", ["page", "api"])
def test_approving_and_declining_are_recorded_with_the_reason(client, api_client, learn, interface):
    session = SessionFactory(course=CourseFactory(provider=learn), requires_approval=True)
    first = RegistrationFactory(session=session, status=Status.PENDING)
    second = RegistrationFactory(session=session, status=Status.PENDING)
    staff = staff_of(learn)
    if interface == "page":
        client.force_login(staff)
        client.post(f"/approvals/{first.pk}/decide/", {"decision": "approve"})
        client.post(f"/approvals/{second.pk}/decide/", {"decision": "decline", "reason": "Full"})
    else:
        api_client.force_authenticate(staff)
        api_client.post(f"/api/v1/registrations/{first.pk}/approve/")
        api_client.post(
            f"/api/v1/registrations/{second.pk}/decline/", {"reason": "Full"}, format="json"
        )

    [approved] = _rows(first, "registration.approved")
    assert approved.actor == staff
    assert approved.changes == {"status": [Status.PENDING, Status.CONFIRMED]}
    [declined] = _rows(second, "registration.declined")
    assert declined.actor == staff and declined.reason == "Full"


@pytest.mark.parametrize("interface", ["page", "api"])
def test_registering_is_recorded_once_and_repeating_it_records_nothing(
    client, api_client, session, interface
):
    person = educator()
    for _ in range(2):
        if interface == "page":
            client.force_login(person)
            client.post(f"/sessions/{session.pk}/register/", {"payer": "self"})
        else:
            api_client.force_authenticate(person)
            api_client.post(f"/api/v1/sessions/{session.pk}/register/", {}, format="json")

    registration = Registration.objects.get(person=person)
    [row] = Activity.objects.filter(registration=registration)
    assert (row.verb, row.actor) == ("registration.registered", person)


def test_moving_records_the_old_and_the_new_registration(client, learn):
    course = CourseFactory(provider=learn)
    source, target = SessionFactory(course=course), SessionFactory(course=course)
    registration = RegistrationFactory(session=source)
    staff = staff_of(learn)
    client.force_login(staff)

    client.post(
        f"/staff/sessions/{source.pk}/registrations/{registration.pk}/move/",
        {"to_session": target.pk},
    )

    [moved] = _rows(registration, "registration.moved")
    new = Registration.objects.get(moved_from=registration)
    [moved_in] = _rows(new, "registration.moved_in")
    assert moved.actor == moved_in.actor == staff
    assert moved.changes["session"] == moved_in.changes["session"] == [source.pk, target.pk]


def test_the_api_and_the_admin_record_a_session_change_with_before_and_after(
    client, api_client, learn, session
):
    staff = staff_of(learn)
    api_client.force_authenticate(staff)
    api_client.patch(f"/api/v1/sessions/{session.pk}/", {"notes": "Bring a laptop"}, format="json")
    [by_api] = Activity.objects.filter(session=session, verb="session.updated")
    assert by_api.actor == staff and by_api.changes == {"notes": ["", "Bring a laptop"]}

    client.force_login(staff)
    meeting = session.meetings.get()
    response = client.post(
        reverse("admin:courses_session_change", args=[session.pk]),
        _session_post(
            course=session.course,
            meetings=[(meeting.starts_at, meeting.ends_at)],
            existing=[meeting],
            closes_at=session.registration_closes_at,
            capacity=3,
        ),
    )
    assert response.status_code == 302
    [capacity] = Activity.objects.filter(session=session, verb="session.capacity_changed")
    assert capacity.actor == staff and capacity.changes == {"capacity": [1, 3]}


def test_the_admin_refuses_what_the_service_refuses_and_records_nothing(client, learn, session):
    RegistrationFactory.create_batch(1, session=session)
    other = SessionFactory(course=CourseFactory(provider=ProviderFactory(short_name="CES")))
    staff = staff_of(learn)
    client.force_login(staff)
    meeting = session.meetings.get()

    response = client.post(
        reverse("admin:courses_session_change", args=[session.pk]),
        _session_post(
            course=session.course,
            meetings=[(meeting.starts_at, meeting.ends_at)],
            existing=[meeting],
            closes_at=session.registration_closes_at,
            capacity=0,
        ),
    )

    assert response.status_code == 200  # the form again, with the service's message
    assert "Capacity cannot be lower than the 1 people already confirmed." in response.text
    assert not Activity.objects.filter(session__in=[session, other]).exists()


@pytest.mark.parametrize("interface", ["api", "admin"])
def test_cancelling_a_session_records_it_and_each_cancelled_seat(
    client, api_client, learn, session, interface
):
    registration = RegistrationFactory(session=session)
    staff = staff_of(learn)
    if interface == "api":
        api_client.force_authenticate(staff)
        api_client.post(f"/api/v1/sessions/{session.pk}/cancel/")
    else:
        client.force_login(staff)
        client.post(
            reverse("admin:courses_session_changelist"),
            {"action": "cancel_sessions", "_selected_action": [session.pk]},
        )

    [cancelled] = Activity.objects.filter(session=session, verb="session.cancelled")
    assert cancelled.actor == staff
    [seat] = _rows(registration, "registration.cancelled")
    assert seat.reason == "The session was cancelled."


def test_attendance_and_the_certificate_it_earns_are_recorded(learn):
    start = in_days(-3)
    session = SessionFactory(
        course=CourseFactory(provider=learn),
        meetings=[(start, start + dt.timedelta(hours=3))],
        registration_opens_at=start - dt.timedelta(days=30),
        registration_closes_at=start - dt.timedelta(days=1),
    )
    registration = RegistrationFactory(session=session)
    staff = staff_of(learn)
    meeting = session.meetings.get()

    record_attendance(
        session=session, entries=[AttendanceEntry(registration.pk, meeting.pk, "present")], by=staff
    )

    [row] = _rows(registration, "attendance.recorded")
    assert row.actor == staff and row.changes["status"] == [None, "present"]
    [issued] = _rows(registration, "certificate.issued")
    assert issued.actor is None and issued.system == "completion rule"
    registration.refresh_from_db()
    assert registration.completed


def test_certificates_issued_by_the_settle_command_name_it(learn):
    start = in_days(1)
    session = SessionFactory(
        course=CourseFactory(provider=learn),
        meetings=[(start, start + dt.timedelta(hours=3))],
        registration_opens_at=start - dt.timedelta(days=30),
        registration_closes_at=start - dt.timedelta(days=1),
    )
    registration = RegistrationFactory(session=session)
    meeting = session.meetings.get()
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        record_attendance(
            session=session,
            entries=[AttendanceEntry(registration.pk, meeting.pk, "present")],
            by=staff_of(learn),
        )
    assert not _rows(registration, "certificate.issued")  # not before the session ends

    with time_machine.travel(start + dt.timedelta(hours=4), tick=False):
        call_command("settle_sessions", stdout=io.StringIO())

    [issued] = _rows(registration, "certificate.issued")
    assert issued.actor is None and issued.system == SETTLE_COMMAND


def _ended_session(learn):
    start = in_days(-3)
    return SessionFactory(
        course=CourseFactory(provider=learn),
        meetings=[(start, start + dt.timedelta(hours=3))],
        registration_opens_at=start - dt.timedelta(days=30),
        registration_closes_at=start - dt.timedelta(days=1),
    )


@pytest.mark.parametrize("interface", ["roster page", "api"])
def test_taking_attendance_writes_one_row_per_change_from_the_roster_and_the_api(
    client, api_client, learn, interface
):
    session = _ended_session(learn)
    registration = RegistrationFactory(session=session)
    meeting = session.meetings.get()
    staff = staff_of(learn)
    for _ in range(2):  # the second save changes nothing and records nothing
        if interface == "roster page":
            client.force_login(staff)
            client.post(
                f"/trainer/sessions/{session.pk}/roster/?meeting={meeting.pk}",
                {f"status-{registration.pk}": "present"},
            )
        else:
            api_client.force_authenticate(staff)
            api_client.put(
                f"/api/v1/sessions/{session.pk}/attendance/",
                [{"registration": registration.pk, "meeting": meeting.pk, "status": "present"}],
                format="json",
            )

    [row] = _rows(registration, "attendance.recorded")
    assert row.actor == staff and row.changes["status"] == [None, "present"]


def test_a_trainer_of_another_session_records_nothing(client, learn):
    session = _ended_session(learn)
    registration = RegistrationFactory(session=session)
    client.force_login(staff_of(ProviderFactory(short_name="CES")))

    client.post(
        f"/trainer/sessions/{session.pk}/roster/?meeting={session.meetings.get().pk}",
        {f"status-{registration.pk}": "present"},
    )

    assert not Activity.objects.exists()


def test_promoting_by_hand_and_changing_capacity_from_the_staff_page(client, learn):
    session = SessionFactory(course=CourseFactory(provider=learn), capacity=1)
    RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=Status.WAITLISTED)
    staff = staff_of(learn)
    client.force_login(staff)

    client.post(f"/staff/sessions/{session.pk}/capacity/", {"capacity": 2})

    [capacity] = Activity.objects.filter(session=session, verb="session.capacity_changed")
    assert capacity.actor == staff and capacity.changes == {"capacity": [1, 2]}
    # Raising it promoted the first waiting person, by the waitlist's rule.
    [promoted] = _rows(waiting, "registration.promoted")
    assert promoted.system == WAITLIST

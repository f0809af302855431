"""Completion follows the session: moving, shortening or removing a meeting, changing the
threshold or the trainers recomputes credited minutes and certificates in the same transaction,
wherever the change is made (service, API, admin)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance.services import AttendanceEntry, record_attendance
from certificates.models import Certificate
from courses.services import MeetingTimes
from organizations.models import Role
from registrations.services import update_session
from reports.selectors import ReachScope, reach_figures
from tests.certificates.helpers import confirmed, past_session
from tests.factories import in_days, staff_of

pytestmark = pytest.mark.django_db

P, PART, ABS = "present", "partial", "absent"


def _session(*, lengths=(3, 3), threshold=100):
    """A session whose meetings (lengths in hours) were this week; registration is closed."""
    return past_session(hours=lengths, completion_threshold=threshold)


def _mark(session, registration, statuses):
    meetings = list(session.meetings.order_by("starts_at"))
    entries = [
        AttendanceEntry(registration.pk, m.pk, *((s, None) if isinstance(s, str) else (PART, s)))
        for m, s in zip(meetings, statuses, strict=True)
    ]
    record_attendance(session=session, entries=entries, by=None)


def _times(session):
    return [MeetingTimes(m.starts_at, m.ends_at) for m in session.meetings.order_by("starts_at")]


def _state(registration):
    registration.refresh_from_db()
    certificate = Certificate.objects.filter(registration=registration).first()
    valid = certificate is not None and certificate.revoked_at is None
    return (
        registration.credited_minutes,
        valid,
        certificate.credited_minutes if certificate else None,
    )


def _staff(session):
    return staff_of(session.course.provider)


def test_removing_the_missed_meeting_completes_and_certifies():
    session = _session()
    both = confirmed(session)
    first_only = confirmed(session)
    _mark(session, both, [P, P])
    _mark(session, first_only, [P, ABS])
    assert _state(first_only) == (180, False, None)

    update_session(session=session, by=_staff(session), meetings=_times(session)[:1])

    assert _state(first_only) == (180, True, 180)
    assert _state(both) == (180, True, 180)  # the certificate now says 3 hours, not 6


def test_shortening_a_meeting_caps_partial_minutes_and_present_gets_the_new_length():
    session = _session(lengths=(3,), threshold=80)
    present = confirmed(session)
    partial = confirmed(session)
    _mark(session, present, [P])
    _mark(session, partial, [150])
    assert _state(partial) == (150, True, 150)  # 150 of 180 is 83 %
    (meeting,) = _times(session)

    update_session(
        session=session,
        by=_staff(session),
        meetings=[MeetingTimes(meeting.starts_at, meeting.starts_at + dt.timedelta(hours=2))],
    )

    assert _state(present) == (120, True, 120)
    assert _state(partial) == (120, True, 120)


def test_lengthening_a_meeting_can_undo_a_completion_and_revoke_its_certificate():
    session = _session(lengths=(3,), threshold=80)
    partial = confirmed(session)
    _mark(session, partial, [150])
    (meeting,) = _times(session)

    update_session(
        session=session,
        by=_staff(session),
        meetings=[MeetingTimes(meeting.starts_at, meeting.starts_at + dt.timedelta(hours=4))],
    )

    assert _state(partial) == (150, False, 150)  # 150 of 240 is 62 %
    assert Certificate.objects.get(registration=partial).revoked_reason


def test_raising_the_threshold_revokes_and_lowering_it_reinstates():
    session = _session(lengths=(3,), threshold=80)
    partial = confirmed(session)
    _mark(session, partial, [150])
    scope = ReachScope(start=in_days(-30).date(), end=in_days(1).date())
    assert reach_figures(scope).completions == 1

    update_session(session=session, by=_staff(session), completion_threshold=90)
    assert _state(partial) == (150, False, 150)
    assert reach_figures(scope).completions == 0

    update_session(session=session, by=_staff(session), completion_threshold=75)
    assert _state(partial) == (150, True, 150)
    assert reach_figures(scope).completions == 1


def test_naming_a_participant_as_trainer_revokes_their_certificate():
    session = _session(lengths=(3,))
    registration = confirmed(session)
    _mark(session, registration, [P])
    # A colleague on the provider's staff who took the session, then is named its trainer.
    Role.objects.create(
        user=registration.person,
        kind=Role.Kind.PROVIDER_STAFF,
        provider=session.course.provider,
    )

    update_session(session=session, by=_staff(session), trainers=[registration.person])

    assert _state(registration) == (180, False, 180)


def test_the_api_recomputes_when_a_meeting_is_removed(api_client):
    session = _session()
    first_only = confirmed(session)
    _mark(session, first_only, [P, ABS])
    api_client.force_authenticate(_staff(session))
    (first, _second) = _times(session)

    answer = api_client.patch(
        f"/api/v1/sessions/{session.pk}/",
        {
            "meetings": [
                {"starts_at": first.starts_at.isoformat(), "ends_at": first.ends_at.isoformat()}
            ]
        },
        format="json",
    )

    assert answer.status_code == 200, answer.content
    assert _state(first_only) == (180, True, 180)


def _admin_post(session, meetings, *, threshold):
    def split(value, name):
        local = timezone.localtime(value)
        return {f"{name}_0": f"{local:%Y-%m-%d}", f"{name}_1": f"{local:%H:%M:%S}"}

    existing = list(session.meetings.order_by("starts_at"))
    data = {
        "course": session.course_id,
        "title": session.title,
        "delivery": session.delivery,
        "format": session.format,
        "venue": session.venue_id or "",
        "online_url": session.online_url,
        "capacity": session.capacity,
        **split(session.registration_opens_at, "registration_opens_at"),
        **split(session.registration_closes_at, "registration_closes_at"),
        "member_price": "",
        "non_member_price": "",
        "completion_threshold": str(threshold),
        **({"evaluation_required": "on"} if session.evaluation_required else {}),
        "notes": "",
        "meetings-TOTAL_FORMS": str(len(existing)),
        "meetings-INITIAL_FORMS": str(len(existing)),
        "meetings-MIN_NUM_FORMS": "1",
        "meetings-MAX_NUM_FORMS": "1000",
    }
    for number, meeting in enumerate(existing):
        starts_at, ends_at = meetings[number] if number < len(meetings) else (None, None)
        data[f"meetings-{number}-id"] = meeting.pk
        data[f"meetings-{number}-session"] = session.pk
        if starts_at is None:
            data[f"meetings-{number}-DELETE"] = "on"
            starts_at, ends_at = meeting.starts_at, meeting.ends_at
        data |= split(starts_at, f"meetings-{number}-starts_at")
        data |= split(ends_at, f"meetings-{number}-ends_at")
    return data


def test_the_admin_recomputes_after_deleting_a_meeting_and_changing_the_threshold(client):
    session = _session(threshold=100)
    first_only = confirmed(session)
    _mark(session, first_only, [P, ABS])
    client.force_login(_staff(session))
    first = _times(session)[0]
    url = reverse("admin:courses_session_change", args=[session.pk])

    answer = client.post(
        url, _admin_post(session, [(first.starts_at, first.ends_at)], threshold=100)
    )

    assert answer.status_code == 302, answer.text[:2000]
    assert session.meetings.count() == 1
    assert _state(first_only) == (180, True, 180)

    answer = client.post(
        url,
        _admin_post(
            session,
            [(first.starts_at, first.ends_at + dt.timedelta(hours=1))],
            threshold=100,
        ),
    )
    assert answer.status_code == 302, answer.text[:2000]
    assert _state(first_only) == (240, True, 240)


def test_a_change_of_an_unrelated_field_leaves_certificates_alone():
    session = _session(lengths=(3,))
    registration = confirmed(session)
    _mark(session, registration, [P])
    certificate = Certificate.objects.get(registration=registration)

    update_session(session=session, by=_staff(session), notes="Room 12")

    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.credited_minutes == 180
    assert Certificate.objects.count() == 1


def _updates_cost(size):
    session = _session(lengths=(3,))
    for _ in range(size):
        _mark(session, confirmed(session), [P])
    staff = _staff(session)
    with CaptureQueriesContext(connection) as queries:
        update_session(session=session, by=staff, notes="Bring a laptop")
    return len(queries)


def test_an_unrelated_change_costs_the_same_queries_for_2_and_20_attendees():
    assert _updates_cost(2) == _updates_cost(20)


def test_the_admin_recomputes_nothing_when_only_the_notes_change(client, monkeypatch):
    session = _session(threshold=100)
    registration = confirmed(session)
    _mark(session, registration, [P, P])
    client.force_login(_staff(session))
    calls = []
    monkeypatch.setattr("registrations.services.recompute_session", lambda **kw: calls.append(kw))
    times = [(m.starts_at, m.ends_at) for m in _times(session)]
    data = _admin_post(session, times, threshold=100) | {"notes": "Room 12"}

    answer = client.post(reverse("admin:courses_session_change", args=[session.pk]), data)

    assert answer.status_code == 302, answer.text[:2000]
    session.refresh_from_db()
    assert session.notes == "Room 12"
    assert calls == []

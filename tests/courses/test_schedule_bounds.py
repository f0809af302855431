"""Bounds on a meeting's length, a session's span and the years a schedule may name: a typo
(a meeting 72 years long) is a 400 / a form error with a message, never saved."""

import datetime as dt

import pytest
from django.urls import reverse

from courses.models import Session
from tests.courses.test_admin import _session_post
from tests.factories import CourseFactory, SessionFactory, in_days, staff_of

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions/"


@pytest.fixture
def staff_api(api_client, staff):
    api_client.force_authenticate(staff)
    return api_client


def _body(course, meetings: list[tuple[dt.datetime, dt.datetime]]) -> dict:
    first = min(start for start, _ in meetings)
    return {
        "course": course.slug,
        "capacity": 20,
        "registration_closes_at": (first - dt.timedelta(days=1)).isoformat(),
        "meetings": [
            {"starts_at": start.isoformat(), "ends_at": end.isoformat()} for start, end in meetings
        ],
    }


def test_the_api_refuses_a_meeting_72_years_long(staff_api, provider):
    start = in_days(20, 9)
    body = _body(CourseFactory(provider=provider), [(start, start.replace(year=start.year + 72))])

    response = staff_api.post(SESSIONS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "meetings": [
            "Meeting 1: a meeting lasts at most 16 hours; split a longer one into several meetings."
        ]
    }
    assert not Session.objects.exists()


def test_a_meeting_of_16_hours_is_accepted_and_one_minute_more_is_not(staff_api, provider):
    course = CourseFactory(provider=provider)
    start = in_days(20, 6)

    longest = staff_api.post(
        SESSIONS, _body(course, [(start, start + dt.timedelta(hours=16))]), format="json"
    )
    too_long = staff_api.post(
        SESSIONS,
        _body(course, [(start, start + dt.timedelta(hours=16, minutes=1))]),
        format="json",
    )

    assert longest.status_code == 201, longest.json()
    assert too_long.status_code == 400 and "at most 16 hours" in too_long.json()["meetings"][0]


def test_the_api_refuses_meetings_spanning_more_than_366_days(staff_api, provider):
    start = in_days(20, 9)
    later = start + dt.timedelta(days=367)

    response = staff_api.post(
        SESSIONS,
        _body(
            CourseFactory(provider=provider),
            [(start, start.replace(hour=12)), (later, later.replace(hour=12))],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "meetings": [
            "A session's meetings span at most 366 days from the first to the last; schedule "
            "a longer series as several sessions."
        ]
    }


def test_the_api_refuses_a_meeting_in_an_unlikely_year(staff_api, provider):
    start = in_days(20, 9).replace(year=2205)

    response = staff_api.post(
        SESSIONS,
        _body(CourseFactory(provider=provider), [(start, start.replace(hour=12))]),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "meetings": ["Meeting 1: meetings take place between 2000 and 2100."]
    }


def test_patching_a_meeting_to_72_years_is_refused_and_changes_nothing(staff_api, provider):
    session = SessionFactory(course=CourseFactory(provider=provider))
    meeting = session.meetings.get()
    far = meeting.ends_at.replace(year=meeting.ends_at.year + 72)
    body = {"meetings": [{"starts_at": meeting.starts_at.isoformat(), "ends_at": far.isoformat()}]}

    response = staff_api.patch(f"{SESSIONS}{session.pk}/", body, format="json")

    assert response.status_code == 400 and "at most 16 hours" in response.json()["meetings"][0]
    assert session.meetings.get().ends_at == meeting.ends_at


def test_the_admin_shows_the_length_limit_by_the_meeting(client, provider):
    client.force_login(staff_of(provider))
    start = in_days(20, 9)
    data = _session_post(
        course=CourseFactory(provider=provider),
        meetings=[(start, start + dt.timedelta(days=3))],
        closes_at=start - dt.timedelta(days=1),
    )

    response = client.post(reverse("admin:courses_session_add"), data)

    assert response.status_code == 200
    assert "A meeting lasts at most 16 hours" in response.text
    assert not Session.objects.exists()

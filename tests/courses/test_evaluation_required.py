"""Session.evaluation_required, where sessions are edited: the admin's session form and the
sessions API. Turning it off releases the certificates it held."""

import pytest
from django.urls import reverse

from activity.models import Activity
from certificates.models import Certificate
from courses.models import Session
from evaluations.services import QuestionSpec, ask_for_evaluations, save_evaluation_form
from tests.certificates.helpers import confirmed, mark, past_session
from tests.courses.test_admin import _session_post, _split
from tests.courses.test_api import new_session_body
from tests.factories import CourseFactory, ProgramFactory, SessionFactory, in_days

pytestmark = pytest.mark.django_db


def _held(provider):
    """An ended session of a program with a form, and a completer whose certificate waits for
    their evaluation."""
    program = ProgramFactory(provider=provider)
    save_evaluation_form(
        by=None,
        title="Evaluation",
        questions=[QuestionSpec("agreement", "Useful")],
        program=program,
    )
    session = past_session(course=CourseFactory(provider=provider, program=program))
    registration = confirmed(session)
    mark(session, registration)
    ask_for_evaluations()
    assert not Certificate.objects.filter(registration=registration).exists()
    return session, registration


def test_the_api_reads_and_writes_evaluation_required(api_client, provider, staff):
    session, registration = _held(provider)
    url = f"/api/v1/sessions/{session.pk}/"
    assert api_client.get(url).json()["evaluation_required"] is True

    api_client.force_authenticate(staff)
    response = api_client.patch(url, {"evaluation_required": False}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["evaluation_required"] is False
    session.refresh_from_db()
    assert session.evaluation_required is False
    # The certificate no longer waits, and the change is in the session's history.
    assert Certificate.objects.get(registration=registration).is_valid
    change = Activity.objects.get(verb="session.updated", session=session)
    assert change.changes == {"evaluation_required": [True, False]}


def test_the_api_takes_it_when_scheduling(api_client, provider, staff):
    api_client.force_authenticate(staff)
    body = new_session_body(CourseFactory(provider=provider), evaluation_required=False)
    response = api_client.post("/api/v1/sessions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Session.objects.get().evaluation_required is False


def test_the_api_refuses_a_non_boolean(api_client, provider, staff):
    session = SessionFactory(course=CourseFactory(provider=provider))
    api_client.force_authenticate(staff)
    response = api_client.patch(
        f"/api/v1/sessions/{session.pk}/", {"evaluation_required": "perhaps"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["evaluation_required"]


def test_the_admin_session_form_shows_and_saves_it(client, provider, staff):
    client.force_login(staff)
    course = CourseFactory(provider=provider)
    add = reverse("admin:courses_session_add")
    page = client.get(add).content.decode()
    assert 'name="evaluation_required"' in page and "Evaluation before the certificate" in page

    start = in_days(10)
    data = _session_post(
        course=course, meetings=[(start, start.replace(hour=15))], closes_at=in_days(5)
    )
    del data["evaluation_required"]  # the box unticked
    response = client.post(add, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Session.objects.get().evaluation_required is False


def test_unticking_it_in_the_admin_releases_held_certificates(client, provider, staff):
    session, registration = _held(provider)
    client.force_login(staff)
    meetings = [(m.starts_at, m.ends_at) for m in session.meetings.order_by("starts_at")]
    data = _session_post(
        course=session.course,
        meetings=meetings,
        closes_at=session.registration_closes_at,
        capacity=session.capacity,
        existing=list(session.meetings.order_by("starts_at")),
    )
    data |= {"title": session.title, "completion_threshold": str(session.completion_threshold)}
    if session.registration_opens_at:
        data |= _split(session.registration_opens_at, "registration_opens_at")
    del data["evaluation_required"]

    response = client.post(reverse("admin:courses_session_change", args=[session.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.evaluation_required is False
    assert Certificate.objects.get(registration=registration).is_valid

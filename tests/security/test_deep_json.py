"""A JSON body nested too deeply is a 400 with JSON, never a 500 (security review): Python's
json module recursed until RecursionError, answered with Django's HTML error page."""

import pytest
from rest_framework.test import APIClient

from pd_platform.parsers import MAX_DEPTH, json_depth_exceeds
from tests.factories import CourseFactory, SessionFactory, educator, staff_of

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def _post(client: APIClient, method: str, url: str, body: str):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def client():
    return APIClient(raise_request_exception=False)


def _assert_refused(response):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "nested more than" in response.json()["detail"]


def test_the_anonymous_token_endpoint_refuses_deep_json(client):
    _assert_refused(_post(client, "post", "/api/v1/auth/token/", DEEP))


def test_registering_refuses_deep_json(client):
    session = SessionFactory()
    client.force_authenticate(educator())
    _assert_refused(_post(client, "post", f"/api/v1/sessions/{session.pk}/register/", DEEP))


def test_changing_a_session_refuses_deep_json(client):
    session = SessionFactory()
    client.force_authenticate(staff_of(session.course.provider))
    _assert_refused(_post(client, "patch", f"/api/v1/sessions/{session.pk}/", DEEP))


def test_creating_a_course_refuses_deep_objects(client):
    course = CourseFactory()
    client.force_authenticate(staff_of(course.provider))
    deep_objects = '{"a":' * 5000 + "1" + "}" * 5000
    _assert_refused(_post(client, "post", "/api/v1/courses/", deep_objects))


def test_attendance_refuses_deep_json(client):
    session = SessionFactory()
    client.force_authenticate(staff_of(session.course.provider))
    _assert_refused(_post(client, "put", f"/api/v1/sessions/{session.pk}/attendance/", DEEP))


def test_brackets_inside_strings_do_not_count():
    body = ('{"title": "' + "[" * 1000 + '"}').encode()
    assert not json_depth_exceeds(body)
    assert json_depth_exceeds(b"[" * (MAX_DEPTH + 1))
    assert not json_depth_exceeds(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)

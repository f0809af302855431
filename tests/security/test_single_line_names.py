"""A line break in a name or title stopped every email about it ("Header values may not
contain linefeed"): names and titles refuse control characters at input, and email subjects
are built from one-line values so a record stored earlier still gets its email."""

import pytest
from django.core import mail
from django.test import Client

from accounts.validators import one_line
from organizations.models import Position, Profile
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    SchoolFactory,
    SessionFactory,
    UserFactory,
    coordinator_of,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_the_profile_form_refuses_a_name_with_a_line_break(field):
    person = UserFactory(first_name="", last_name="")
    school = SchoolFactory()
    data = {
        "first_name": "Ann",
        "last_name": "Lee",
        "district": school.district.pk,
        "school": school.pk,
        "position": Position.TEACHER,
        "certification_number": "",
        field: "Ann\r\nBcc: x@example.org",
    }

    response = _signed_in(person).post("/profile/", data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("", "")
    assert not Profile.objects.filter(user=person).exists()


@pytest.mark.parametrize("title", ["Line\nbreak", "Carriage\rreturn", "Tab\there", "Nul\x00x"])
def test_the_api_refuses_a_session_title_with_a_control_character(api_client, title):
    session = SessionFactory(title="Before")
    api_client.force_authenticate(staff_of(session.course.provider))

    response = api_client.patch(f"/api/v1/sessions/{session.pk}/", {"title": title}, format="json")

    assert response.status_code == 400
    assert "single line" in response.json()["title"][0]
    session.refresh_from_db()
    assert session.title == "Before"


def test_the_api_refuses_a_course_title_with_a_line_break(api_client):
    course = CourseFactory(title="Before")
    api_client.force_authenticate(staff_of(course.provider))

    response = api_client.patch(
        f"/api/v1/courses/{course.slug}/", {"title": "A\u2028B"}, format="json"
    )

    assert response.status_code == 400 and "title" in response.json()
    course.refresh_from_db()
    assert course.title == "Before"


def test_the_admin_refuses_a_venue_name_with_a_line_break():
    course = CourseFactory()
    client = _signed_in(staff_of(course.provider))

    response = client.post(
        "/admin/courses/venue/add/",
        {"name": "Hall\r\nBcc: x", "provider": course.provider.pk, "town": "Hartford"},
    )

    assert response.status_code == 200
    assert "single line" in str(response.context["adminform"].form.errors)


def test_a_name_stored_with_a_line_break_still_gets_the_approval_email_sent(
    django_capture_on_commit_callbacks,
):
    district = DistrictFactory()
    coordinator = coordinator_of(district)
    person = educator(district=district, first_name="Ann\r\nBcc: x@example.org", last_name="Lee")
    session = SessionFactory(requires_approval=True, title="Two\nlines")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(person).post(f"/sessions/{session.pk}/register/", {"payer": "self"})

    assert response.status_code == 302
    approval = next(m for m in mail.outbox if m.subject.startswith("Approval needed"))
    assert approval.to == [coordinator.email]
    assert "\n" not in approval.subject and "\r" not in approval.subject
    assert "Ann Bcc: x@example.org Lee" in approval.subject
    assert approval.bcc == []
    confirmation = [m for m in mail.outbox if m.to == [person.email]]
    assert confirmation and all("\n" not in m.subject for m in confirmation)


def test_one_line_collapses_every_break():
    assert one_line(" A\r\n\tB\x85C\u2029 ") == "A B C"

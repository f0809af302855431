"""Attendance, headcounts, certificates and certified trainers in the admin: scoped to the
staff's providers, read-only, with the audit trail of every attendance change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance.models import Attendance, Headcount
from attendance.services import AttendanceEntry, record_attendance, record_headcount
from certificates.models import Certificate
from courses.models import CertifiedTrainer
from registrations.models import Registration
from tests.certificates.helpers import past_session
from tests.factories import (
    CourseFactory,
    ProgramFactory,
    alliance_admin,
    educator,
)

pytestmark = pytest.mark.django_db


def _attended(session, person=None, status="present", by=None, minutes=None) -> Attendance:
    person = person or educator()
    registration = Registration.objects.filter(session=session, person=person).first()
    if registration is None:
        registration = Registration.objects.create(
            session=session,
            person=person,
            status=Registration.Status.CONFIRMED,
            district=person.profile.district,
            position=person.profile.position,
        )
    meeting = session.meetings.get()
    (row,) = record_attendance(
        session=session,
        entries=[AttendanceEntry(registration.pk, meeting.pk, status, minutes)],
        by=by,
        source=Attendance.Source.STAFF if by else Attendance.Source.ROSTER,
    )
    return row


@pytest.fixture
def learn_staff(client, staff):
    client.force_login(staff)
    return staff


def test_learn_staff_see_learn_attendance_but_not_ces(
    client, provider, other_provider, learn_staff
):
    ours = _attended(
        past_session(hours=(3,), course__provider=provider),
        educator(first_name="Lena", last_name="Ours"),
    )
    theirs = _attended(
        past_session(hours=(3,), course__provider=other_provider),
        educator(first_name="Theo", last_name="Theirs"),
    )

    response = client.get(reverse("admin:attendance_attendance_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ours]
    assert "Lena Ours" in response.content.decode()
    assert "Theo Theirs" not in response.content.decode()

    own_history = reverse("admin:attendance_attendance_history", args=[ours.pk])
    assert client.get(own_history).status_code == 200
    their_history = reverse("admin:attendance_attendance_history", args=[theirs.pk])
    assert client.get(their_history).status_code == 403
    their_page = reverse("admin:attendance_attendance_change", args=[theirs.pk])
    assert client.get(their_page).status_code == 302  # "does not exist" for them


def test_the_history_of_a_corrected_row_lists_both_changes_with_who(client, provider, learn_staff):
    session = past_session(hours=(3,), course__provider=provider)
    trainer = educator(first_name="Toni", last_name="Trainer")
    session.trainers.set([trainer])
    person = educator()
    row = _attended(session, person, by=trainer)
    corrected = _attended(session, person, status="partial", minutes=120, by=learn_staff)
    assert corrected.pk == row.pk

    response = client.get(reverse("admin:attendance_attendance_history", args=[row.pk]))
    assert response.status_code == 200
    records = list(response.context["page_obj"].object_list)
    assert len(records) == 2
    assert [(r.status, r.minutes, r.history_user) for r in records] == [
        ("partial", 120, learn_staff),
        ("present", None, trainer),
    ]
    page = response.content.decode()
    assert "Toni Trainer" in page or trainer.email in page
    assert "partial" in page.lower() and "120" in page


def test_attendance_and_headcounts_are_read_only_in_the_admin(client, provider, learn_staff):
    row = _attended(past_session(hours=(3,), course__provider=provider))
    assert client.get(reverse("admin:attendance_attendance_add")).status_code == 403
    assert client.get(reverse("admin:attendance_headcount_add")).status_code == 403
    change = reverse("admin:attendance_attendance_change", args=[row.pk])
    response = client.get(change)
    assert response.status_code == 200 and not response.context["has_change_permission"]
    client.post(change, {"status": "absent"})
    row.refresh_from_db()
    assert row.status == "present"
    delete = reverse("admin:attendance_attendance_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Attendance.objects.filter(pk=row.pk).exists()


def test_learn_staff_see_learn_headcounts_only(client, provider, other_provider, learn_staff):
    ours, theirs = (
        past_session(hours=(3,), course__provider=provider),
        past_session(hours=(3,), course__provider=other_provider),
    )
    mine = record_headcount(meeting=ours.meetings.get(), audience="youth", count=30, by=None)
    record_headcount(meeting=theirs.meetings.get(), audience="youth", count=70, by=None)
    response = client.get(reverse("admin:attendance_headcount_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    history = reverse("admin:attendance_headcount_history", args=[mine.pk])
    assert client.get(history).status_code == 200
    assert Headcount.objects.count() == 2


def test_the_attendance_list_costs_the_same_queries_for_2_and_10_rows(
    client, provider, learn_staff
):
    url = reverse("admin:attendance_attendance_changelist")
    counts = []
    for size in (2, 8):
        session = past_session(hours=(3,), course__provider=provider)
        for _ in range(size):
            _attended(session)
        client.get(url)  # warm the session and the content-type cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
    assert len(response.context["cl"].result_list) == 10
    assert counts[0] == counts[1], counts


def test_certificates_are_a_read_only_scoped_list(client, provider, other_provider, learn_staff):
    ours = _attended(
        past_session(hours=(3,), course__provider=provider),
        educator(first_name="Lena", last_name="Ours"),
    )
    _attended(past_session(hours=(3,), course__provider=other_provider))
    assert Certificate.objects.count() == 2
    response = client.get(reverse("admin:certificates_certificate_changelist"))
    assert response.status_code == 200
    (certificate,) = response.context["cl"].result_list
    assert certificate.registration_id == ours.registration_id
    page = response.content.decode()
    assert certificate.number in page and "Lena Ours" in page and "3.00" in page
    assert client.get(reverse("admin:certificates_certificate_add")).status_code == 403


def test_an_alliance_admin_sees_every_providers_attendance(client, provider, other_provider):
    _attended(past_session(hours=(3,), course__provider=provider))
    _attended(past_session(hours=(3,), course__provider=other_provider))
    client.force_login(alliance_admin())
    response = client.get(reverse("admin:attendance_attendance_changelist"))
    assert len(response.context["cl"].result_list) == 2


# --- certified trainers ----------------------------------------------------------------------


def _certified(program, person=None) -> CertifiedTrainer:
    """`person` completes `program`'s train-the-trainer course and so is certified."""
    course = CourseFactory(provider=program.provider, program=program, trains_trainers=True)
    _attended(past_session(hours=(3,), course=course), person)
    return CertifiedTrainer.objects.get(program=program, person=person)


def test_certified_trainers_are_listed_per_program_for_the_programs_provider(
    client, provider, other_provider, learn_staff
):
    uplift = ProgramFactory(provider=provider, name="UPLIFT")
    ours = _certified(uplift, educator(first_name="Avery", last_name="Chen"))
    _certified(
        ProgramFactory(provider=other_provider), educator(first_name="Theo", last_name="Theirs")
    )
    response = client.get(reverse("admin:courses_certifiedtrainer_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ours]
    page = response.content.decode()
    assert "Avery Chen" in page and "UPLIFT" in page and "Theo Theirs" not in page
    assert client.get(reverse("admin:courses_certifiedtrainer_add")).status_code == 403


def test_the_revoke_action_revokes_through_the_service(
    client, provider, other_provider, learn_staff
):
    uplift = ProgramFactory(provider=provider)
    certification = _certified(uplift, educator())
    theirs = _certified(ProgramFactory(provider=other_provider), educator())
    response = client.post(
        reverse("admin:courses_certifiedtrainer_changelist"),
        {
            "action": "revoke_certifications",
            "_selected_action": [certification.pk, theirs.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Revoked 1 certification" in response.content.decode()
    certification.refresh_from_db()
    assert not certification.is_active
    assert certification.revoked_by == learn_staff
    assert certification.revoked_reason == "Revoked by staff"
    theirs.refresh_from_db()
    assert theirs.is_active  # another provider's: out of reach

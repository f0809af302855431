"""A registration that stops being confirmed after its session was completed no longer holds a
valid certificate: staff cancelling or moving it, or cancelling the whole session, revokes the
certificate in the same transaction (the verify page then says revoked). Declining is for pending
registrations only, so it never touches a certificate."""

import pytest
from django.urls import reverse

from certificates.models import Certificate
from registrations.models import Registration
from tests.certificates.helpers import completed, confirmed, past_session
from tests.factories import SessionFactory, UserFactory, educator, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return past_session(trainers=[UserFactory()])


@pytest.fixture
def staff(session):
    return staff_of(session.course.provider)


def _verify(client, certificate) -> str:
    client.logout()
    return client.get(certificate.get_verify_path()).content.decode()


def _revoked(certificate) -> str:
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    return certificate.revoked_reason


def test_staff_cancelling_a_completed_registration_revokes_its_certificate(client, session, staff):
    certificate = completed(session)
    other = completed(session)
    registration = certificate.registration
    assert "Valid" in _verify(client, certificate)
    client.force_login(staff)

    answer = client.post(reverse("staff:cancel", args=[session.pk, registration.pk]), follow=True)

    assert answer.status_code == 200
    assert "Their certificate for this session is revoked." in answer.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert _revoked(certificate) == "The registration was cancelled."
    assert "Revoked" in _verify(client, certificate)
    other.refresh_from_db()
    assert other.revoked_at is None  # only the cancelled one


def test_an_educator_cannot_cancel_after_the_start_so_the_certificate_stays(client, session):
    certificate = completed(session)
    client.force_login(certificate.registration.person)

    client.post(reverse("registrations:cancel", args=[certificate.registration.pk]))

    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert "Valid" in _verify(client, certificate)


def test_staff_moving_a_completed_registration_revokes_the_old_certificate(client, session, staff):
    certificate = completed(session)
    registration = certificate.registration
    later = SessionFactory(course=session.course, starts_in_days=10)
    client.force_login(staff)

    client.post(reverse("staff:move", args=[session.pk, registration.pk]), {"to_session": later.pk})

    moved = Registration.objects.get(moved_from=registration)
    assert moved.session == later
    assert _revoked(certificate) == "The registration was moved to another session."
    assert not Certificate.objects.filter(registration=moved).exists()


def test_declining_a_completed_registration_through_the_api_is_refused_and_keeps_it(
    api_client, session, staff
):
    """Only pending registrations are declined: staff who mean it cancel, which is recorded
    as a correction (above)."""
    certificate = completed(session)
    api_client.force_authenticate(staff)

    answer = api_client.post(
        f"/api/v1/registrations/{certificate.registration.pk}/decline/",
        {"reason": "Registered by mistake"},
        format="json",
    )

    assert answer.status_code == 400, answer.content
    assert answer.json() == {"non_field_errors": ["Only a pending registration can be declined."]}
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert certificate.registration.status == Registration.Status.CONFIRMED


def test_cancelling_a_session_through_the_api_revokes_every_certificate(api_client, session, staff):
    certificates = [completed(session) for _ in range(3)]
    attended_only = confirmed(session)  # no attendance, no certificate
    api_client.force_authenticate(staff)

    answer = api_client.post(f"/api/v1/sessions/{session.pk}/cancel/")

    assert answer.status_code == 200, answer.content
    assert [_revoked(c) for c in certificates] == ["The session was cancelled."] * 3
    assert not Certificate.objects.filter(registration=attended_only).exists()


def test_cancelling_sessions_in_the_admin_revokes_their_certificates(client, session, staff):
    certificate = completed(session)
    client.force_login(staff)

    client.post(
        reverse("admin:courses_session_changelist"),
        {"action": "cancel_sessions", "_selected_action": [session.pk]},
    )

    session.refresh_from_db()
    assert session.is_cancelled
    assert _revoked(certificate) == "The session was cancelled."


def test_cancelling_a_registration_that_never_completed_issues_nothing(client, session, staff):
    registration = confirmed(session, educator())
    client.force_login(staff)

    answer = client.post(reverse("staff:cancel", args=[session.pk, registration.pk]), follow=True)

    body = answer.content.decode()
    assert "Cancelled the registration of" in body and "certificate for this session" not in body
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert not Certificate.objects.exists()

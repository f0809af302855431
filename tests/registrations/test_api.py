"""The registration API: status codes, JSON bodies, scoping, query counts."""

import pytest
from rest_framework.test import APIClient

from registrations.models import Registration
from registrations.services import register
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    coordinator_of,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_registering_returns_201_then_200_with_the_same_registration(api_client):
    session, person = SessionFactory(capacity=1), educator()
    client = _client(api_client, person)
    first = client.post(f"/api/v1/sessions/{session.pk}/register/", {}, format="json")
    assert first.status_code == 201
    assert first.json()["status"] == "confirmed"
    again = client.post(f"/api/v1/sessions/{session.pk}/register/", {}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


def test_a_full_session_answers_waitlisted(api_client):
    session = SessionFactory(capacity=0)
    response = _client(api_client, educator()).post(f"/api/v1/sessions/{session.pk}/register/")
    assert response.status_code == 201 and response.json()["status"] == "waitlisted"


def test_anonymous_registration_is_401(api_client):
    assert api_client.post(f"/api/v1/sessions/{SessionFactory().pk}/register/").status_code == 401


def test_a_draft_courses_session_is_404(api_client):
    session = SessionFactory(course=CourseFactory(status="draft"))
    response = _client(api_client, educator()).post(f"/api/v1/sessions/{session.pk}/register/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_rule_broken_is_400_with_json(api_client):
    session = SessionFactory(status="cancelled")
    response = _client(api_client, educator()).post(f"/api/v1/sessions/{session.pk}/register/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This session was cancelled."]}
    assert not Registration.objects.exists()


def test_an_incomplete_profile_is_400(api_client):
    response = _client(api_client, UserFactory()).post(
        f"/api/v1/sessions/{SessionFactory().pk}/register/"
    )
    assert response.status_code == 400
    assert "complete your profile" in response.json()["non_field_errors"][0]


def test_a_bad_payer_is_400_per_field(api_client):
    response = _client(api_client, educator()).post(
        f"/api/v1/sessions/{SessionFactory().pk}/register/", {"payer": "martians"}, format="json"
    )
    assert response.status_code == 400 and "payer" in response.json()


def test_malformed_json_is_400(api_client):
    response = _client(api_client, educator()).post(
        f"/api/v1/sessions/{SessionFactory().pk}/register/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400


def test_educators_list_only_their_own_registrations(api_client):
    mine = RegistrationFactory()
    RegistrationFactory()
    response = _client(api_client, mine.person).get("/api/v1/registrations/")
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_coordinators_see_their_districts_and_staff_their_providers(api_client):
    district = DistrictFactory()
    provider = ProviderFactory()
    ours = RegistrationFactory(person=educator(district=district))
    at_provider = RegistrationFactory(
        session=SessionFactory(course=CourseFactory(provider=provider))
    )
    coordinator = coordinator_of(district)
    ids = {
        row["id"]
        for row in _client(api_client, coordinator).get("/api/v1/registrations/").json()["results"]
    }
    assert ours.pk in ids and at_provider.pk not in ids
    staff = staff_of(provider)
    ids = {
        row["id"]
        for row in _client(api_client, staff).get("/api/v1/registrations/").json()["results"]
    }
    assert ids == {at_provider.pk}


def test_filter_by_status_and_session(api_client):
    person = educator()
    a = RegistrationFactory(person=person, status="waitlisted")
    RegistrationFactory(person=person)
    client = _client(api_client, person)
    assert [
        r["id"] for r in client.get("/api/v1/registrations/?status=waitlisted").json()["results"]
    ] == [a.pk]
    assert [
        r["id"]
        for r in client.get(f"/api/v1/registrations/?session={a.session_id}").json()["results"]
    ] == [a.pk]
    assert client.get("/api/v1/registrations/?status=bogus").status_code == 400


def test_cancel_frees_the_seat_and_promotes(api_client):
    session = SessionFactory(capacity=1)
    holder = register(person=educator(), session=session).registration
    waiting = register(person=educator(), session=session).registration
    response = _client(api_client, holder.person).post(f"/api/v1/registrations/{holder.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_someone_elses_registration_is_404_not_403(api_client):
    registration = RegistrationFactory()
    response = _client(api_client, educator()).post(
        f"/api/v1/registrations/{registration.pk}/cancel/"
    )
    assert response.status_code == 404


def test_coordinator_approves_and_declines_for_their_district_only(api_client):
    district = DistrictFactory()
    session = SessionFactory(requires_approval=True)
    first = register(person=educator(district=district), session=session).registration
    second = register(person=educator(district=district), session=session).registration
    stranger = register(person=educator(), session=session).registration
    client = _client(api_client, coordinator_of(district))
    assert client.post(f"/api/v1/registrations/{first.pk}/approve/").json()["status"] == "confirmed"
    missing_reason = client.post(f"/api/v1/registrations/{second.pk}/decline/", {}, format="json")
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()
    declined = client.post(
        f"/api/v1/registrations/{second.pk}/decline/", {"reason": "Full schedule"}, format="json"
    )
    assert declined.json()["status"] == "declined"
    assert client.post(f"/api/v1/registrations/{stranger.pk}/approve/").status_code == 404


def test_an_educator_cannot_approve_their_own_request(api_client):
    pending = register(
        person=educator(), session=SessionFactory(requires_approval=True)
    ).registration
    response = _client(api_client, pending.person).post(
        f"/api/v1/registrations/{pending.pk}/approve/"
    )
    assert response.status_code == 403


def test_approving_twice_is_400(api_client):
    session = SessionFactory(requires_approval=True)
    pending = register(person=educator(), session=session).registration
    client = _client(api_client, staff_of(session.course.provider))
    assert client.post(f"/api/v1/registrations/{pending.pk}/approve/").status_code == 200
    again = client.post(f"/api/v1/registrations/{pending.pk}/approve/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Only a pending registration can be approved."]}


def _list(client):
    assert client.get("/api/v1/registrations/?page_size=100").status_code == 200


def test_the_list_costs_the_same_queries_for_5_and_200_rows(api_client, count_queries):
    staff_provider = ProviderFactory()
    course = CourseFactory(provider=staff_provider)
    staff = staff_of(staff_provider)
    client = _client(api_client, staff)
    for _ in range(5):
        RegistrationFactory(session=SessionFactory(course=course))
    count_queries(_list, client)  # the first request also reads the user's roles
    small = count_queries(_list, client)
    session = SessionFactory(course=course)
    for _ in range(195):
        RegistrationFactory(session=session)
    assert count_queries(_list, client) == small


def test_registering_is_rate_limited_per_person_with_a_429(api_client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"register": "3/min"})
    session = SessionFactory()
    client = _client(api_client, educator())
    answers = [
        client.post(f"/api/v1/sessions/{session.pk}/register/").status_code for _ in range(4)
    ]
    assert answers == [201, 200, 200, 429]
    assert "detail" in client.post(f"/api/v1/sessions/{session.pk}/register/").json()
    other = _client(APIClient(), educator())
    assert other.post(f"/api/v1/sessions/{session.pk}/register/").status_code == 201


def test_declining_someone_elses_registration_is_404_even_without_a_reason(api_client):
    registration = RegistrationFactory(status="pending")
    response = _client(api_client, educator()).post(
        f"/api/v1/registrations/{registration.pk}/decline/", {}, format="json"
    )
    assert response.status_code == 404


def test_a_coordinator_cannot_decline_a_completed_registration_of_a_past_session(api_client):
    """Only pending registrations are decided: declining a completed one would revoke its
    certificate and lower the reach figures of another provider's session."""
    from tests.certificates.helpers import completed, past_session

    district = DistrictFactory()
    certificate = completed(past_session(), educator(district=district))
    client = _client(api_client, coordinator_of(district))

    answer = client.post(
        f"/api/v1/registrations/{certificate.registration.pk}/decline/",
        {"reason": "Not approved"},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": ["Only a pending registration can be declined."]}
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert certificate.registration.status == "confirmed"
    verified = APIClient().get(f"/api/v1/certificates/verify/{certificate.code}/").json()
    assert verified["status"] == "valid"


@pytest.mark.parametrize("status", ["confirmed", "waitlisted"])
def test_only_a_pending_registration_can_be_declined_or_approved(api_client, status):
    district = DistrictFactory()
    session = SessionFactory(requires_approval=True)
    held = RegistrationFactory(session=session, person=educator(district=district), status=status)
    pending = register(person=educator(district=district), session=session).registration
    client = _client(api_client, coordinator_of(district))
    reason = {"reason": "Budget is spent"}

    declined = client.post(f"/api/v1/registrations/{held.pk}/decline/", reason, format="json")
    approved = client.post(f"/api/v1/registrations/{held.pk}/approve/")

    assert (declined.status_code, approved.status_code) == (400, 400)
    assert declined.json() == {"non_field_errors": ["Only a pending registration can be declined."]}
    held.refresh_from_db()
    assert held.status == status
    answer = client.post(f"/api/v1/registrations/{pending.pk}/decline/", reason, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "declined"

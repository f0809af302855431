"""The certificates API: a person's own certificates, public verification, query counts."""

import pytest
from rest_framework.test import APIClient

from attendance.services import AttendanceEntry, record_attendance
from certificates.models import Certificate
from registrations.models import Registration
from tests.certificates.helpers import past_session
from tests.factories import (
    PASSWORD,
    CourseFactory,
    UserFactory,
    educator,
    in_days,
)

pytestmark = pytest.mark.django_db


def _completed(person, session=None) -> Certificate:
    """`person` completes a (new) past session; returns the certificate issued."""
    session = session or past_session(hours=(3,))
    registration = Registration.objects.create(
        session=session,
        person=person,
        status=Registration.Status.CONFIRMED,
        district=person.profile.district,
        position=person.profile.position,
    )
    _mark(registration, "present")
    return Certificate.objects.get(registration=registration)


def _mark(registration, status):
    meeting = registration.session.meetings.get()
    record_attendance(
        session=registration.session,
        entries=[AttendanceEntry(registration.pk, meeting.pk, status)],
        by=None,
    )


def _as(api_client, user):
    api_client.force_login(user)
    return api_client


def _token_client(person) -> APIClient:
    """A script's client: a key from POST /api/v1/auth/token/, no session cookie."""
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": person.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


# --- my certificates -------------------------------------------------------------------------


def test_the_list_shows_my_certificates_valid_and_revoked_and_nobody_elses(api_client):
    me, someone = educator(), educator()
    kept = _completed(
        me, past_session(hours=(3,), course=CourseFactory(title="Restorative Circles"))
    )
    revoked = _completed(me)
    _mark(revoked.registration, "absent")
    _completed(someone)

    response = _as(api_client, me).get("/api/v1/certificates/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_number = {c["number"]: c for c in body["results"]}
    assert set(by_number) == {kept.number, revoked.number}
    assert by_number[revoked.number]["status"] == "revoked"
    assert by_number[revoked.number]["revoked_at"]
    mine = by_number[kept.number]
    assert mine["status"] == "valid" and mine["revoked_at"] is None
    assert mine["code"] == kept.display_code and len(mine["code"]) == 19
    assert mine["course"] == "Restorative Circles"
    assert mine["session"] == kept.registration.session_id
    assert mine["hours"] == "3.00"
    assert mine["issued_at"]
    assert mine["pdf_url"] == f"http://testserver/api/v1/certificates/{kept.pk}/pdf/"
    assert mine["page_url"] == f"http://testserver/certificates/{kept.pk}.pdf"
    assert mine["verify_url"] == f"http://testserver{kept.get_verify_path()}"


def test_the_list_is_empty_for_someone_without_certificates(api_client):
    _completed(educator())
    response = _as(api_client, UserFactory()).get("/api/v1/certificates/")
    assert response.status_code == 200 and response.json()["results"] == []


def test_the_list_is_401_for_anonymous_callers(api_client):
    response = api_client.get("/api/v1/certificates/")
    assert response.status_code == 401 and "detail" in response.json()


def _list(client):
    assert client.get("/api/v1/certificates/", {"page_size": 100}).status_code == 200


def test_the_list_costs_the_same_queries_for_2_and_20_certificates(api_client, count_queries):
    few, many = educator(), educator()
    for _ in range(2):
        _completed(few)
    for _ in range(20):
        _completed(many)
    few_count = count_queries(_list, _as(api_client, few))
    assert few_count == count_queries(_list, _as(api_client, many)) <= 5


# --- verification ----------------------------------------------------------------------------


def test_verifying_a_valid_certificate_shows_the_name_course_dates_and_hours(api_client):
    person = educator(first_name="Robin", last_name="Hale")
    session = past_session(hours=(3,), course=CourseFactory(title="Data Teams"))
    certificate = _completed(person, session)
    response = api_client.get(f"/api/v1/certificates/verify/{certificate.display_code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid"
    assert body["name"] == "Robin Hale"
    assert body["course"] == "Data Teams"
    assert body["hours"] == "3.00"
    assert body["number"] == certificate.number
    assert body["dates"] == [in_days(-2).date().isoformat()]


def test_a_revoked_certificate_says_revoked_without_the_name(api_client):
    certificate = _completed(educator(first_name="Robin", last_name="Hale"))
    _mark(certificate.registration, "absent")
    body = api_client.get(f"/api/v1/certificates/verify/{certificate.code}/").json()
    assert body["status"] == "revoked"
    assert body["name"] is None
    assert "Robin" not in str(body)
    assert body["revoked_at"]


@pytest.mark.parametrize("form", ["lower", "no-dashes", "spaces"])
def test_the_code_may_be_typed_in_any_case_with_or_without_dashes(api_client, form):
    certificate = _completed(educator())
    code = {
        "lower": certificate.display_code.lower(),
        "no-dashes": certificate.code,
        "spaces": certificate.display_code.replace("-", " "),
    }[form]
    response = api_client.get(f"/api/v1/certificates/verify/{code}/")
    assert response.status_code == 200 and response.json()["status"] == "valid"


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "x", "%00", "-" * 40])
def test_an_unknown_code_is_404_with_json(api_client, code):
    _completed(educator())
    response = api_client.get(f"/api/v1/certificates/verify/{code}/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_verification_ignores_a_bad_token(api_client):
    certificate = _completed(educator())
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get(f"/api/v1/certificates/verify/{certificate.code}/")
    assert response.status_code == 200


def test_the_certificates_api_is_in_the_schema(api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"200", "401"} <= set(paths["/api/v1/certificates/"]["get"]["responses"])
    verify = paths["/api/v1/certificates/verify/{code}/"]["get"]["responses"]
    assert {"200", "404"} <= set(verify)


# --- the PDF for token clients ----------------------------------------------------------------


def test_a_token_client_follows_pdf_url_to_the_pdf():
    me = educator()
    certificate = _completed(me)
    client = _token_client(me)
    [listed] = client.get("/api/v1/certificates/").json()["results"]
    response = client.get(listed["pdf_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f"certificate-{certificate.number}.pdf" in response["Content-Disposition"]


def test_the_api_pdf_is_404_for_another_persons_token_and_401_anonymous():
    certificate = _completed(educator())
    url = f"/api/v1/certificates/{certificate.pk}/pdf/"
    response = _token_client(educator()).get(url)
    assert response.status_code == 404 and "detail" in response.json()
    response = APIClient().get(url)
    assert response.status_code == 401 and "detail" in response.json()


def test_the_api_pdf_of_a_revoked_certificate_is_410():
    me = educator()
    certificate = _completed(me)
    _mark(certificate.registration, "absent")
    response = _token_client(me).get(f"/api/v1/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 410 and "revoked" in response.json()["detail"]

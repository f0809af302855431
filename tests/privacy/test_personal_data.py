"""/me/data/: the export of everything we hold about a person, and deleting the account."""

import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from rest_framework.authtoken.models import Token

from accounts.models import User
from certificates.models import IssuedTranscript
from courses.dates import fiscal_year_of, local_date
from organizations.models import Profile
from privacy.services import delete_personal_data
from registrations.models import CalendarFeed, Registration
from reports.selectors import ReachScope, reach_report
from tests.certificates.helpers import completed, past_session
from tests.factories import (
    PASSWORD,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Robin (who will leave) and Casey (who stays), each with a certificate of a past session;
    Robin also holds the only seat of an upcoming session that Casey waits for."""
    robin = educator(email="robin.leaving@example.org", first_name="Robin", last_name="Quill")
    Profile.objects.filter(user=robin).update(certification_number="CT-998877")
    casey = educator(email="casey.staying@example.org", first_name="Casey", last_name="Fenn")
    Profile.objects.filter(user=casey).update(certification_number="CT-112233")
    past = past_session(course__title="Trauma-Informed Classrooms")
    robin_certificate = completed(past, robin)
    casey_certificate = completed(past, casey)
    upcoming = SessionFactory(capacity=1, course__title="Restorative Circles")
    seat = RegistrationFactory(
        session=upcoming,
        person=robin,
        payer="district",
        purchase_order="PO-4711",
        price=Decimal("100.00"),
    )
    waiting = RegistrationFactory(session=upcoming, person=casey, status="waitlisted")
    CalendarFeed.objects.create(person=robin)
    Token.objects.create(user=robin)
    return {
        "robin": robin,
        "casey": casey,
        "past": past,
        "robin_certificate": robin_certificate,
        "casey_certificate": casey_certificate,
        "seat": seat,
        "waiting": waiting,
    }


@pytest.mark.parametrize("url", ["/me/data/", "/me/data.json", "/me/delete/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_data_page_offers_the_download_and_the_deletion(client, world):
    client.force_login(world["robin"])
    page = client.get("/me/data/").content.decode()
    assert 'href="/me/data.json"' in page
    assert 'href="/me/delete/"' in page


def test_the_export_holds_the_persons_account_profile_registrations_and_certificates(client, world):
    client.force_login(world["robin"])
    response = client.get("/me/data.json")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["account"]["email"] == "robin.leaving@example.org"
    assert (data["account"]["first_name"], data["account"]["last_name"]) == ("Robin", "Quill")
    assert data["account"]["date_joined"]
    assert data["email_addresses"] == [
        {"email": "robin.leaving@example.org", "verified": True, "primary": True}
    ]
    profile = data["profile"]
    assert profile["certification_number"] == "CT-998877"
    assert profile["district"] and profile["school"] and profile["position"] == "Teacher"
    by_course = {row["course"]: row for row in data["registrations"]}
    assert set(by_course) == {"Trauma-Informed Classrooms", "Restorative Circles"}
    upcoming = by_course["Restorative Circles"]
    assert (upcoming["status"], upcoming["payer"], upcoming["purchase_order"]) == (
        "confirmed",
        "district",
        "PO-4711",
    )
    assert upcoming["price"] == "100.00" and upcoming["starts_at"]
    assert [row["status"] for row in data["attendance"]] == ["present"]
    [certificate] = data["certificates"]
    assert certificate["number"] == world["robin_certificate"].number
    assert certificate["verification_code"] == world["robin_certificate"].display_code
    assert (certificate["hours"], certificate["status"]) == ("6.00", "valid")
    assert data["calendar_feed"]["exists"] is True
    assert data["api_token"]["exists"] is True
    assert data["roles"] == []


def test_the_export_contains_nothing_of_another_person(client, world):
    client.force_login(world["robin"])
    body = client.get("/me/data.json").content.decode()

    for other in ("casey", "Casey", "Fenn", "CT-112233", world["casey_certificate"].number):
        assert other not in body
    # Nor the secrets that work without signing in.
    assert Token.objects.get(user=world["robin"]).key not in body
    assert CalendarFeed.objects.get(person=world["robin"]).token not in body


def _reach(world):
    year = fiscal_year_of(local_date(world["past"].meetings.get().starts_at))
    upcoming_year = fiscal_year_of(local_date(world["seat"].session.meetings.get().starts_at))
    return [reach_report(ReachScope.fiscal_year(y)) for y in sorted({year, upcoming_year})]


def test_deleting_requires_typing_the_accounts_email(client, world):
    client.force_login(world["robin"])
    page = client.get("/me/delete/")
    assert b"Type your email address to confirm" in page.content

    response = client.post("/me/delete/", {"email": "someone.else@example.org"})

    assert response.status_code == 400
    assert b"not the email address of this account" in response.content
    robin = User.objects.get(pk=world["robin"].pk)
    assert robin.is_active and robin.email == "robin.leaving@example.org"


def test_deleting_anonymizes_the_account_and_keeps_the_records_others_rely_on(
    client, world, django_capture_on_commit_callbacks
):
    robin = world["robin"]
    reach_before = _reach(world)
    client.force_login(robin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/delete/", {"email": " Robin.Leaving@example.org "})

    assert response.status_code == 302 and response["Location"] == "/"
    robin.refresh_from_db()
    assert robin.email == f"deleted-{robin.pk}@invalid.example"
    assert (robin.first_name, robin.last_name) == ("", "")
    assert not robin.is_active and not robin.has_usable_password()
    assert not Profile.objects.filter(user=robin).exists()
    assert not EmailAddress.objects.filter(user=robin).exists()
    assert not Token.objects.filter(user=robin).exists()
    assert not CalendarFeed.objects.filter(person=robin).exists()
    # The past registration, its attendance and certificate stay; the upcoming seat is given up
    # and goes to the person waiting.
    world["seat"].refresh_from_db()
    world["waiting"].refresh_from_db()
    assert world["seat"].status == Registration.Status.CANCELLED
    assert world["waiting"].status == Registration.Status.CONFIRMED
    certificate = world["robin_certificate"]
    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.registration.attendance.count() == 1
    # Reports already sent to funders do not change.
    assert _reach(world) == reach_before
    # Casey is told about the seat; nothing is sent to the placeholder address.
    recipients = [address for message in mail.outbox for address in message.to]
    assert "casey.staying@example.org" in recipients
    assert not any(address.endswith("invalid.example") for address in recipients)
    # The browser that deleted the account is signed out.
    assert client.get("/me/data/").status_code == 302


def test_a_deleted_persons_certificate_verifies_without_a_name(client, world):
    robin, certificate = world["robin"], world["robin_certificate"]
    delete_personal_data(person=robin)
    robin.refresh_from_db()

    page = client.get(certificate.get_verify_path())
    api = client.get(f"/api/v1/certificates/verify/{certificate.display_code}/")

    assert page.status_code == 200 and b"Valid" in page.content
    assert b"Trauma-Informed Classrooms" in page.content
    for body in (page.content.decode(), api.content.decode()):
        assert robin.email not in body and "invalid.example" not in body
        assert "Robin" not in body and "Quill" not in body
    assert api.json()["status"] == "valid"
    assert api.json()["name"] == "(name not given)"  # certificates.selectors.NO_NAME


def test_a_deleted_persons_transcripts_no_longer_verify(client, world):
    robin = world["robin"]
    client.force_login(robin)
    assert client.get("/me/transcript.pdf").status_code == 200
    issued = IssuedTranscript.objects.get(person=robin)
    delete_personal_data(person=robin)
    client.logout()
    response = client.get(issued.get_verify_path())
    assert response.status_code == 404 and b"Robin" not in response.content
    assert not IssuedTranscript.objects.filter(person=robin).exists()


def test_a_deleted_account_cannot_sign_in(client, api_client, world):
    delete_personal_data(person=world["robin"])

    assert not client.login(email="robin.leaving@example.org", password=PASSWORD)
    page = client.post(
        "/accounts/login/", {"login": "robin.leaving@example.org", "password": PASSWORD}
    )
    assert page.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session
    token = api_client.post(
        "/api/v1/auth/token/",
        {"email": "robin.leaving@example.org", "password": PASSWORD},
        format="json",
    )
    assert token.status_code == 400


def test_other_sign_in_sessions_of_the_person_end_too(client, world):
    other_browser = client.__class__()
    other_browser.force_login(world["robin"])
    client.force_login(world["robin"])

    client.post("/me/delete/", {"email": "robin.leaving@example.org"})

    assert other_browser.get("/me/data/").status_code == 302


def test_staff_are_told_to_ask_an_alliance_admin_and_nothing_is_deleted(client):
    person = staff_of(ProviderFactory(), email="staff.person@example.org")
    client.force_login(person)

    assert b"contact an Alliance admin" in client.get("/me/data/").content
    response = client.post("/me/delete/", {"email": "staff.person@example.org"})

    assert response.status_code == 400
    assert b"contact an Alliance admin" in response.content
    person.refresh_from_db()
    assert person.is_active and person.email == "staff.person@example.org"


def test_a_trainer_of_an_upcoming_session_is_refused_too(client):
    trainer = educator(email="trainer.person@example.org")
    SessionFactory().trainers.add(trainer)
    client.force_login(trainer)

    response = client.post("/me/delete/", {"email": "trainer.person@example.org"})

    assert response.status_code == 400
    assert User.objects.get(pk=trainer.pk).is_active


def test_a_person_without_a_completed_profile_can_still_export_and_delete(client):
    person = educator(email="new.person@example.org")
    Profile.objects.filter(user=person).update(completed_at=None)
    client.force_login(person)

    assert client.get("/me/data.json").status_code == 200
    response = client.post("/me/delete/", {"email": "new.person@example.org"})

    assert response.status_code == 302
    assert not User.objects.get(pk=person.pk).is_active


def test_the_export_costs_the_same_queries_for_few_and_many_records(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["robin"])
    with django_assert_max_num_queries(25) as few:
        client.get("/me/data.json")
    for _ in range(3):
        completed(past_session(), world["robin"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/me/data.json")
    assert json.loads(client.get("/me/data.json").content)["certificates"][3]["status"] == "valid"


# --- security review: invitations, attendance recorded, the admin's history ------------------


def test_the_export_holds_invitations_to_the_persons_address(client, world):
    from registrations.models import Invitation
    from tests.factories import DistrictFactory

    coordinator = educator(first_name="Coord", last_name="Inator")
    Invitation.objects.create(
        session=world["seat"].session,
        email="Robin.Leaving@example.org",
        district=DistrictFactory(name="Quill District"),
        invited_by=coordinator,
        purchase_order="PO-77",
    )
    client.force_login(world["robin"])

    body = json.loads(client.get("/me/data.json").content)

    assert [i["purchase_order"] for i in body["invitations"]] == ["PO-77"]
    assert body["invitations"][0]["district"] == "Quill District"
    assert "Inator" not in json.dumps(body)


def test_the_export_holds_the_attendance_the_person_recorded(client):
    from attendance.services import AttendanceEntry, record_attendance
    from tests.certificates.helpers import confirmed

    trainer = educator(email="tracy.trainer@example.org", first_name="Tracy", last_name="Train")
    session = past_session(trainers=[trainer])
    attendee = confirmed(session, educator(first_name="Alex", last_name="Attendee"))
    meeting = session.meetings.get()
    for status in ("present", "absent"):
        record_attendance(
            session=session,
            entries=[AttendanceEntry(attendee.pk, meeting.pk, status)],
            by=trainer,
        )
    client.force_login(trainer)

    body = json.loads(client.get("/me/data.json").content)

    recorded = body["attendance_recorded"]
    assert [(r["registration_id"], r["status"]) for r in recorded] == [
        (attendee.pk, "present"),
        (attendee.pk, "absent"),
    ]
    assert "Attendee" not in json.dumps(body)


def test_deleting_leaves_no_name_in_the_admins_history(client, world):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from tests.factories import alliance_admin

    robin = world["robin"]
    admin = alliance_admin()
    admin_client = type(client)()
    admin_client.force_login(admin)
    changed = admin_client.post(
        f"/admin/accounts/user/{robin.pk}/change/",
        {"email": robin.email, "first_name": "Robin", "last_name": "Quill", "is_active": "on"},
    )
    other = LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(world["seat"].pk),
        object_repr=f"Robin Quill in {world['seat'].session}",
        action_flag=CHANGE,
    )
    unrelated = LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(world["waiting"].pk),
        object_repr="Casey Fenn in a session",
        action_flag=CHANGE,
    )
    user_type = ContentType.objects.get_for_model(User)
    if not LogEntry.objects.filter(content_type=user_type, object_id=str(robin.pk)).exists():
        # The admin form may ask for fields this test does not send; the entry it writes:
        LogEntry.objects.create(
            user=admin,
            content_type=user_type,
            object_id=str(robin.pk),
            object_repr=str(robin),
            action_flag=CHANGE,
        )
    assert changed.status_code in (200, 302)
    client.force_login(robin)

    client.post("/me/delete/", {"email": "robin.leaving@example.org"})

    reprs = list(LogEntry.objects.values_list("object_repr", flat=True))
    assert not [r for r in reprs if "Robin" in r or "robin.leaving" in r]
    other.refresh_from_db()
    assert other.object_repr == f"deleted account {robin.pk}"
    unrelated.refresh_from_db()
    assert unrelated.object_repr == "Casey Fenn in a session"

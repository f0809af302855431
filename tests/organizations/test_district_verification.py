"""A person's district is verified by a district email domain or a coordinator's confirmation;
until then the district approves what it pays for or prices as a member (DESIGN.md, Rules)."""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError, transaction

from organizations.models import DistrictDomain, Profile
from registrations.models import Registration
from tests.factories import (
    DistrictFactory,
    ProviderFactory,
    SessionFactory,
    UserFactory,
    alliance_admin,
    coordinator_of,
    educator,
    staff_of,
    unverified_educator,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def waterford():
    district = DistrictFactory(name="Waterford Public Schools", member_of=ProviderFactory())
    DistrictDomain.objects.create(district=district, domain="waterfordschools.org")
    return district


@pytest.fixture
def session():
    # Member $100, non-member $150; no approval required by the session itself.
    return SessionFactory()


def _register(client, person, session, **data):
    client.force_login(person)
    response = client.post(f"/sessions/{session.pk}/register/", {"payer": "self", **data})
    assert response.status_code == 302
    return Registration.objects.get(person=person, session=session)


def test_a_self_declared_member_district_billed_to_it_waits_for_its_approval(
    client, waterford, session, django_capture_on_commit_callbacks
):
    coordinator = coordinator_of(waterford)
    claimant = unverified_educator(district=waterford)  # person…@example.org
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(client, claimant, session, payer="district")
    assert registration.status == Status.PENDING
    assert registration.price == Decimal("100.00")
    assert not session.registrations.filter(status=Status.CONFIRMED).exists()
    approval = [m for m in mail.outbox if m.subject.startswith("Approval needed")]
    assert [m.to for m in approval] == [[coordinator.email]]
    client.force_login(coordinator)
    assert claimant.get_full_name().encode() in client.get("/approvals/").content


def test_an_unverified_self_payer_of_a_member_district_waits_at_the_member_price(
    client, waterford, session
):
    claimant = unverified_educator(district=waterford)
    client.force_login(claimant)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Your district, Waterford Public Schools, is not verified yet." in page
    assert "charged the member price ($100.00)" in page
    assert "waits for your district's approval" in page
    registration = _register(client, claimant, session, payer="self")
    assert (registration.status, registration.price) == (Status.PENDING, Decimal("100.00"))


def test_an_unverified_self_payer_of_a_non_member_district_registers_at_once(client, session):
    person = unverified_educator(district=DistrictFactory(member_of=None))
    registration = _register(client, person, session, payer="self")
    assert (registration.status, registration.price) == (Status.CONFIRMED, Decimal("150.00"))


def test_a_verified_address_at_a_district_domain_gets_the_member_price_at_once(
    client, waterford, session
):
    person = unverified_educator(district=waterford, email="robin@WaterfordSchools.org")
    client.force_login(person)
    assert b"is not verified yet" not in client.get(session.get_absolute_url()).content
    registration = _register(client, person, session, payer="district")
    assert (registration.status, registration.price) == (Status.CONFIRMED, Decimal("100.00"))


def test_an_unverified_address_at_the_domain_does_not_verify(client, waterford, session):
    person = unverified_educator(district=waterford, email="robin@waterfordschools.org")
    EmailAddress.objects.filter(user=person).update(verified=False)
    assert _register(client, person, session, payer="district").status == Status.PENDING


def test_a_domain_of_another_district_does_not_verify(client, waterford, session):
    person = unverified_educator(district=DistrictFactory(), email="robin@waterfordschools.org")
    assert _register(client, person, session, payer="district").status == Status.PENDING


def test_a_coordinator_confirms_from_the_people_page_and_the_person_registers_at_once(
    client, waterford, session, django_capture_on_commit_callbacks
):
    coordinator = coordinator_of(waterford)
    claimant = unverified_educator(district=waterford)
    client.force_login(coordinator)
    assert claimant.email.encode() in client.get("/approvals/people/").content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/approvals/people/{claimant.pk}/decide/", {"decision": "confirm"}, follow=True
        )
    assert response.status_code == 200
    assert claimant.email.encode() not in client.get("/approvals/people/").content
    profile = Profile.objects.get(user=claimant)
    assert profile.district_confirmed_by == coordinator and profile.district_confirmed_at
    assert [m.to for m in mail.outbox] == [[claimant.email]]
    assert "verified" in mail.outbox[0].subject
    client.force_login(claimant)
    profile_page = client.get("/profile/").content.decode()
    assert "Waterford Public Schools is verified" in profile_page
    assert coordinator.get_full_name() in profile_page
    registration = _register(client, claimant, session, payer="district")
    assert (registration.status, registration.price) == (Status.CONFIRMED, Decimal("100.00"))


def test_changing_district_needs_a_new_confirmation(client, waterford, session):
    claimant = educator(district=DistrictFactory())  # confirmed for their first district
    client.force_login(claimant)
    response = client.post(
        "/profile/",
        {
            "first_name": "Robin",
            "last_name": "Ashby",
            "district": waterford.pk,
            "school": "",
            "position": "teacher",
            "certification_number": "",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=claimant)
    assert profile.district_confirmed_at is None and profile.district_confirmed_by is None
    page = client.get("/profile/").content.decode()
    assert "Waterford Public Schools is not verified yet." in page
    assert "@waterfordschools.org" in page
    assert _register(client, claimant, session, payer="district").status == Status.PENDING


def test_saving_the_profile_with_the_same_district_keeps_the_confirmation(client, waterford):
    claimant = educator(district=waterford)
    client.force_login(claimant)
    client.post(
        "/profile/",
        {
            "first_name": "Robin",
            "last_name": "Ashby",
            "district": waterford.pk,
            "school": "",
            "position": "nurse",
            "certification_number": "",
        },
    )
    assert Profile.objects.get(user=claimant).district_confirmed_at is not None


def test_rejecting_clears_the_claim_and_tells_the_person(
    client, waterford, session, django_capture_on_commit_callbacks
):
    coordinator = coordinator_of(waterford)
    claimant = unverified_educator(district=waterford)
    client.force_login(coordinator)
    empty = client.post(f"/approvals/people/{claimant.pk}/decide/", {"decision": "reject"})
    assert empty.status_code == 302
    assert Profile.objects.get(user=claimant).district == waterford
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/approvals/people/{claimant.pk}/decide/",
            {"decision": "reject", "reason": "Not on our staff list."},
        )
    profile = Profile.objects.get(user=claimant)
    assert profile.district is None and not profile.is_complete
    assert [m.to for m in mail.outbox] == [[claimant.email]]
    assert "Not on our staff list." in mail.outbox[0].body
    client.force_login(claimant)
    response = client.post(f"/sessions/{session.pk}/register/", {"payer": "district"}, follow=True)
    assert b"complete your profile" in response.content
    assert not Registration.objects.filter(person=claimant).exists()


def test_only_the_districts_coordinators_confirm_its_people(client, waterford):
    coordinator_of(waterford)
    claimant = unverified_educator(district=waterford)
    other_district = DistrictFactory(member_of=waterford.member_of)
    outsiders = [
        coordinator_of(other_district),
        # The district has a coordinator, so its provider's staff and admins leave it to them.
        staff_of(waterford.member_of),
        alliance_admin(),
    ]
    for outsider in outsiders:
        client.force_login(outsider)
        assert claimant.email.encode() not in client.get("/approvals/people/").content
        for decision in ("confirm", "reject"):
            response = client.post(
                f"/approvals/people/{claimant.pk}/decide/",
                {"decision": decision, "reason": "No."},
            )
            assert response.status_code == 404, (outsider, decision)
    client.force_login(educator(district=waterford))
    assert client.get("/approvals/people/").status_code == 403
    profile = Profile.objects.get(user=claimant)
    assert profile.district == waterford and profile.district_confirmed_at is None


def test_without_a_coordinator_the_providers_staff_confirm(client, waterford):
    claimant = unverified_educator(district=waterford)
    client.force_login(staff_of(ProviderFactory()))
    assert (
        client.post(f"/approvals/people/{claimant.pk}/decide/", {"decision": "confirm"}).status_code
        == 404
    )
    client.force_login(staff_of(waterford.member_of))
    assert claimant.email.encode() in client.get("/approvals/people/").content
    client.post(f"/approvals/people/{claimant.pk}/decide/", {"decision": "confirm"})
    assert Profile.objects.get(user=claimant).district_confirmed_at is not None


def test_domains_are_stored_lowercase_and_unique_across_districts(waterford):
    domain = DistrictDomain.objects.create(district=DistrictFactory(), domain="@Ledyard.NET")
    assert domain.domain == "ledyard.net"
    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictDomain.objects.create(district=DistrictFactory(), domain="WATERFORDSCHOOLS.org")


def test_the_admin_lists_a_districts_domains(client, waterford):
    client.force_login(alliance_admin(is_superuser=False))
    page = client.get(f"/admin/organizations/district/{waterford.pk}/change/")
    assert page.status_code == 200
    assert b"waterfordschools.org" in page.content


def test_a_person_without_an_email_address_record_is_not_verified(client, waterford, session):
    person = UserFactory(email="sam@waterfordschools.org", verified=False)
    Profile.objects.create(
        user=person, district=waterford, position="teacher", completed_at=person.date_joined
    )
    assert _register(client, person, session, payer="district").status == Status.PENDING

"""Group registration by the provider's staff (DESIGN.md: /approvals/ is for coordinators and
staff): staff name the district, type the addresses, and their registrations count as
approved; a coordinator of several districts chooses which one invitations are for."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from organizations.models import Role
from registrations.models import Invitation, Registration
from registrations.services import register_group
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    SessionFactory,
    coordinator_of,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status
URL = "/approvals/group/"


@pytest.fixture
def session(provider):
    return SessionFactory(
        course=CourseFactory(provider=provider), capacity=5, requires_approval=True
    )


def test_staff_register_a_districts_people_confirmed_and_invite_the_rest(
    client, session, staff, django_capture_on_commit_callbacks
):
    district = DistrictFactory(name="Waterford Public Schools")
    first, second = educator(district=district), educator(district=district)
    outsider = educator()
    client.force_login(staff)
    page = client.get(URL)
    assert page.status_code == 200
    assert b"Register a group from a district" in page.content
    assert b'name="district"' in page.content

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            URL,
            {
                "session": session.pk,
                "district": district.pk,
                "emails": f"{first.email}, {second.email}\n{outsider.email}\nnew.para@example.org",
                "payer": "district",
                "purchase_order": "PO-2026-114",
            },
        )

    body = answer.content.decode()
    assert answer.status_code == 200
    assert "Not a member" not in body  # an outsider's address is answered like an unknown one
    invited = "if this address belongs to someone who works in Waterford Public Schools"
    assert body.count(invited) == 2
    registrations = Registration.objects.filter(session=session)
    # Staff are approvers: no pending queue for the people they register.
    assert {r.person: r.status for r in registrations} == {
        first: Status.CONFIRMED,
        second: Status.CONFIRMED,
    }
    assert {r.purchase_order for r in registrations} == {"PO-2026-114"}
    assert {r.decided_by for r in registrations} == {staff}
    invitation = Invitation.objects.get(email="new.para@example.org")
    assert invitation.district == district and invitation.session == session
    assert any(m.to == ["new.para@example.org"] for m in mail.outbox)


def test_staff_must_choose_a_district(client, session, staff):
    person = educator()
    client.force_login(staff)

    answer = client.post(URL, {"session": session.pk, "emails": person.email, "payer": "district"})

    assert answer.status_code == 200
    assert "Choose the district these people work in." in answer.content.decode()
    assert not Registration.objects.exists()


def test_staff_see_and_use_only_their_providers_sessions(client, session, staff):
    theirs = SessionFactory(course=CourseFactory(provider=ProviderFactory(short_name="CES")))
    person = educator()
    client.force_login(staff)

    page = client.get(URL).content.decode()
    answer = client.post(
        URL,
        {
            "session": theirs.pk,
            "district": person.profile.district_id,
            "emails": person.email,
            "payer": "district",
        },
    )

    assert f'value="{session.pk}"' in page and f'value="{theirs.pk}"' not in page
    assert "Select a valid choice" in answer.content.decode()
    assert not Registration.objects.exists()


def test_staff_of_another_provider_are_refused_by_the_service(session):
    other = staff_of(ProviderFactory(short_name="ACES"))
    person = educator()
    with pytest.raises(PermissionDenied):
        register_group(session=session, by=other, district=person.profile.district, people=[person])
    with pytest.raises(PermissionDenied):
        register_group(session=session, by=other, people=[person])
    assert not Registration.objects.exists()


def test_an_alliance_admin_registers_a_group_for_any_provider(client, session):
    from tests.factories import alliance_admin

    person = educator()
    client.force_login(alliance_admin())
    answer = client.post(
        URL,
        {
            "session": session.pk,
            "district": person.profile.district_id,
            "emails": person.email,
            "payer": "self",
        },
    )
    assert answer.status_code == 200
    assert Registration.objects.get(person=person).status == Status.CONFIRMED


def test_a_coordinator_of_two_districts_chooses_which_one_invitations_are_for(client, session):
    east, west = DistrictFactory(name="East Lyme"), DistrictFactory(name="Westbrook")
    coordinator = coordinator_of(east)
    Role.objects.create(user=coordinator, kind=Role.Kind.DISTRICT_COORDINATOR, district=west)
    client.force_login(coordinator)
    assert b'name="district"' in client.get(URL).content

    client.post(
        URL,
        {
            "session": session.pk,
            "district": west.pk,
            "emails": "new.hire@example.org",
            "payer": "district",
        },
    )

    assert Invitation.objects.get(email="new.hire@example.org").district == west


def test_a_coordinator_of_one_district_is_not_asked_for_it(client, session):
    district = DistrictFactory()
    client.force_login(coordinator_of(district))
    page = client.get(URL).content.decode()
    assert 'name="district"' not in page
    assert "Register people from your district" in page

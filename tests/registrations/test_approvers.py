"""Who is asked to approve a registration (DESIGN.md, Rules): the coordinators of the person's
district, else the provider's staff, else the Alliance admins. Whoever is asked is emailed,
finds the request at /approvals/ and may decide it."""

import pytest
from django.core import mail

from registrations.models import Registration
from tests.factories import (
    DistrictFactory,
    ProviderFactory,
    SessionFactory,
    alliance_admin,
    coordinator_of,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _request(client, session, person, callbacks, **form) -> Registration:
    """`person` asks for a seat through the session page; the emails go out."""
    client.force_login(person)
    with callbacks(execute=True):
        client.post(f"/sessions/{session.pk}/register/", form or {"payer": "self"})
    client.logout()
    return Registration.objects.get(session=session, person=person, status="pending")


def _asked() -> list[str]:
    asked = [m for m in mail.outbox if m.subject.startswith("Approval needed")]
    return sorted(address for m in asked for address in m.to)


def _queue(client, user) -> str:
    client.force_login(user)
    page = client.get("/approvals/")
    client.logout()
    assert page.status_code == 200
    return page.content.decode()


def _approve(client, user, registration) -> str:
    client.force_login(user)
    client.post(f"/approvals/{registration.pk}/decide/", {"decision": "approve"})
    client.logout()
    registration.refresh_from_db()
    return registration.status


def test_the_districts_coordinators_are_asked_and_see_the_request(
    client, django_capture_on_commit_callbacks
):
    district = DistrictFactory()
    coordinators = [coordinator_of(district), coordinator_of(district)]
    session = SessionFactory(requires_approval=True)
    staff = staff_of(session.course.provider)
    person = educator(district=district, first_name="Robin", last_name="Vance")

    registration = _request(client, session, person, django_capture_on_commit_callbacks)

    assert _asked() == sorted(c.email for c in coordinators)
    assert staff.email not in _asked()
    for coordinator in coordinators:
        assert "Robin Vance" in _queue(client, coordinator)
    assert "Robin Vance" not in _queue(client, coordinator_of(DistrictFactory()))
    assert _approve(client, coordinators[1], registration) == "confirmed"


def test_without_a_coordinator_the_providers_staff_are_asked_see_it_and_decide(
    client, django_capture_on_commit_callbacks
):
    session = SessionFactory(requires_approval=True)
    staff = [staff_of(session.course.provider), staff_of(session.course.provider)]
    staff_of(ProviderFactory())  # another provider's staff are not asked
    person = educator(district=DistrictFactory(), first_name="Robin", last_name="Vance")

    registration = _request(client, session, person, django_capture_on_commit_callbacks)

    assert _asked() == sorted(s.email for s in staff)
    assert "Robin Vance" in _queue(client, staff[0])
    assert _approve(client, staff[0], registration) == "confirmed"


def test_when_the_provider_has_no_staff_either_the_alliance_admins_are_asked(
    client, django_capture_on_commit_callbacks
):
    """The demo's Groton educator asking for a CES session: nobody used to be emailed."""
    admins = [alliance_admin(), alliance_admin()]
    session = SessionFactory(requires_approval=True)  # its provider has no staff
    staff_of(ProviderFactory())
    person = educator(district=DistrictFactory(), first_name="Robin", last_name="Vance")

    registration = _request(client, session, person, django_capture_on_commit_callbacks)

    assert _asked() == sorted(a.email for a in admins)
    message = next(m for m in mail.outbox if m.subject.startswith("Approval needed"))
    assert "http://" in message.body and "/approvals/" in message.body
    assert "Robin Vance" in _queue(client, admins[0])
    assert _approve(client, admins[1], registration) == "confirmed"


def test_an_inactive_coordinator_is_not_asked_the_staff_are(
    client, django_capture_on_commit_callbacks
):
    district = DistrictFactory()
    gone = coordinator_of(district)
    gone.is_active = False
    gone.save()
    session = SessionFactory(requires_approval=True)
    staff = staff_of(session.course.provider)

    _request(client, session, educator(district=district), django_capture_on_commit_callbacks)

    assert _asked() == [staff.email]


def test_the_queue_and_the_email_say_who_pays_in_a_sentence(
    client, django_capture_on_commit_callbacks
):
    district = DistrictFactory(name="Groton Public Schools")
    coordinator = coordinator_of(district)
    session = SessionFactory(requires_approval=True, course__member_price=100)
    by_district = educator(district=district, first_name="Dana", last_name="District")
    by_self = educator(district=district, first_name="Sam", last_name="Self")

    _request(
        client,
        session,
        by_district,
        django_capture_on_commit_callbacks,
        payer="district",
        purchase_order="PO-4471",
    )
    _request(client, session, by_self, django_capture_on_commit_callbacks, payer="self")

    page = _queue(client, coordinator)
    assert "Paid by the district (Groton Public Schools): $100.00, PO PO-4471" in page
    assert "Pays themself: $100.00" in page
    assert "i pay" not in page.lower()
    bodies = [m.body for m in mail.outbox if m.subject.startswith("Approval needed")]
    assert any(
        "Paid by the district (Groton Public Schools): $100.00, PO PO-4471." in b for b in bodies
    )
    assert any("Pays themself: $100.00." in b for b in bodies)


def test_a_free_request_says_nobody_pays(client, django_capture_on_commit_callbacks):
    district = DistrictFactory()
    coordinator = coordinator_of(district)
    session = SessionFactory(requires_approval=True, is_free=True)

    _request(client, session, educator(district=district), django_capture_on_commit_callbacks)

    assert "Free: nobody pays" in _queue(client, coordinator)

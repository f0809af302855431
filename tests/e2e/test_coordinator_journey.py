"""A district coordinator's morning: approve a pending request, then register two staff
members for a workshop as a group."""

from django.core import mail
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.services import register
from tests.factories import (
    DistrictFactory,
    SchoolFactory,
    SessionFactory,
    coordinator_of,
    educator,
)

from .helpers import assert_accessible, shot, sign_in


def test_a_coordinator_approves_a_request_and_registers_two_staff_as_a_group(page: Page, site: str):
    district = DistrictFactory(name="Groton Public Schools")
    school = SchoolFactory(district=district, name="Cutler Middle School")
    coordinator = coordinator_of(
        district, user__email="morgan.lee@example.org", user__first_name="Morgan"
    )
    requester = educator(
        email="jamie.ortiz@example.org",
        first_name="Jamie",
        last_name="Ortiz",
        district=district,
        school=school,
    )
    staff = [
        educator(
            email=f"{first.lower()}.{last.lower()}@example.org",
            first_name=first,
            last_name=last,
            district=district,
            school=school,
        )
        for first, last in (("Riley", "Novak"), ("Sky", "Patel"), ("Quinn", "Adams"))
    ]
    needs_approval = SessionFactory(
        requires_approval=True, course__title="Leading PLCs", starts_in_days=12
    )
    workshop = SessionFactory(course__title="Co-Teaching Models", capacity=10, starts_in_days=20)
    pending = register(person=requester, session=needs_approval).registration
    assert pending.status == Registration.Status.PENDING

    sign_in(page, site, coordinator.email)
    page.get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    assert_accessible(page)
    shot(page, "approvals")
    request = page.locator(".card", has=page.get_by_role("heading", name="Jamie Ortiz"))
    expect(request.get_by_role("link", name=str(needs_approval))).to_be_visible()
    mail.outbox.clear()
    request.get_by_role("button", name="Approve Jamie Ortiz").click()
    expect(page.get_by_text("Approved Jamie Ortiz: confirmed.")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()
    assert_accessible(page)
    pending.refresh_from_db()
    assert pending.status == Registration.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [[requester.email]]

    # Then two of her teachers for the co-teaching workshop, paid by the district.
    page.get_by_role("link", name="Register people from your district").click()
    expect(page).to_have_url(f"{site}/approvals/group/")
    assert_accessible(page)
    shot(page, "group-form")
    page.get_by_label("Session").select_option(value=str(workshop.pk))
    page.get_by_label("Riley Novak").check()
    page.get_by_label("Sky Patel").check()
    page.get_by_label("Purchase-order number").fill("PO-2291")
    page.get_by_role("button", name="Register them").click()
    outcomes = page.get_by_role("table")
    expect(outcomes.get_by_role("row")).to_have_count(3)
    expect(outcomes.get_by_role("row", name="riley.novak@example.org Confirmed")).to_be_visible()
    expect(outcomes.get_by_role("row", name="sky.patel@example.org Confirmed")).to_be_visible()
    assert_accessible(page)
    shot(page, "group-outcomes")

    registrations = Registration.objects.filter(session=workshop).order_by("person__email")
    assert [(r.person, r.status, r.payer, r.purchase_order) for r in registrations] == [
        (staff[0], "confirmed", "district", "PO-2291"),
        (staff[1], "confirmed", "district", "PO-2291"),
    ]

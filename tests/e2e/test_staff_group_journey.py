"""A RESC staff member registers a district's cohort for a workshop from /approvals/group/:
chooses the session and the district, pastes the addresses, and sees what happened to each."""

from django.core import mail
from playwright.sync_api import Page, expect

from registrations.models import Invitation, Registration
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    SessionFactory,
    educator,
    staff_of,
)

from .helpers import assert_accessible, shot, sign_in


def test_staff_register_a_districts_cohort_and_invite_a_newcomer(page: Page, site: str):
    learn = ProviderFactory(short_name="LEARN", name="LEARN")
    staff = staff_of(learn, email="dana.reyes@learn.example.org", first_name="Dana")
    district = DistrictFactory(name="Ledyard Public Schools", member_of=learn)
    DistrictFactory(name="Montville Public Schools", member_of=learn)
    people = [
        educator(
            email=f"{first.lower()}@ledyard.example.org",
            first_name=first,
            last_name="Kim",
            district=district,
        )
        for first in ("Alex", "Jordan")
    ]
    workshop = SessionFactory(
        course=CourseFactory(provider=learn, title="Trauma-Informed Classrooms"),
        requires_approval=True,
        capacity=20,
        starts_in_days=15,
    )

    sign_in(page, site, staff.email)
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Register a group from a district").click()
    expect(page).to_have_url(f"{site}/approvals/group/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a group from a district")
    assert_accessible(page)
    shot(page, "staff-group-form")

    page.get_by_label("Session").select_option(value=str(workshop.pk))
    page.get_by_label("District", exact=True).select_option(label="Ledyard Public Schools")
    page.get_by_label("Email addresses").fill(
        "alex@ledyard.example.org, jordan@ledyard.example.org\nnew.counselor@ledyard.example.org"
    )
    expect(page.get_by_label("The district pays")).to_be_checked()
    page.get_by_label("Purchase-order number").fill("PO-LED-0042")
    mail.outbox.clear()
    page.get_by_role("button", name="Register them").click()

    outcomes = page.get_by_role("table")
    expect(outcomes.get_by_role("row")).to_have_count(4)
    for person in people:
        expect(outcomes.get_by_role("row", name=f"{person.email} Confirmed")).to_be_visible()
    expect(
        outcomes.get_by_role("row", name="new.counselor@ledyard.example.org Invited")
    ).to_be_visible()
    assert_accessible(page)
    shot(page, "staff-group-outcomes")

    registrations = Registration.objects.filter(session=workshop).order_by("person__email")
    assert [(r.person, r.status, r.purchase_order) for r in registrations] == [
        (people[0], "confirmed", "PO-LED-0042"),
        (people[1], "confirmed", "PO-LED-0042"),
    ]
    assert Invitation.objects.get(email="new.counselor@ledyard.example.org").district == district
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alex@ledyard.example.org",
        "jordan@ledyard.example.org",
        "new.counselor@ledyard.example.org",
    ]

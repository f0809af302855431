"""A full session: a second educator joins its waitlist and gets the seat when the first
cancels, told by email."""

from django.core import mail
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.services import register
from tests.factories import SessionFactory, educator

from .helpers import assert_accessible, shot, sign_in, visit


def test_a_waitlisted_educator_is_confirmed_and_emailed_when_the_first_cancels(
    page: Page, new_context, site: str
):
    session = SessionFactory(capacity=1, course__title="Restorative Circles", starts_in_days=10)
    first = educator(email="alex.rivera@example.org", first_name="Alex", last_name="Rivera")
    second = educator(email="blair.chen@example.org", first_name="Blair", last_name="Chen")
    register(person=first, session=session)

    # Blair finds the session full and joins the waitlist.
    sign_in(page, site, second.email)
    visit(page, f"{site}/sessions/{session.pk}/")
    expect(page.get_by_text("None — waitlist open")).to_be_visible()
    shot(page, "session-full")
    page.get_by_role("button", name="Join the waitlist (0 ahead)").click()
    expect(page.get_by_text("you are on the waitlist", exact=False).first).to_be_visible()
    expect(page.get_by_text("number 1 in line")).to_be_visible()
    assert_accessible(page)
    shot(page, "session-waitlisted")
    page.get_by_role("link", name="My registrations").click()
    waitlisted = page.locator("section", has=page.get_by_role("heading", name="Waitlisted"))
    expect(waitlisted.get_by_role("link", name=str(session), exact=True)).to_be_visible()
    assert_accessible(page)

    # Alex, in another browser, cannot go after all and cancels from "My registrations".
    mail.outbox.clear()
    alex = new_context().new_page()
    sign_in(alex, site, first.email)
    visit(alex, f"{site}/me/")
    alex.get_by_role("button", name=f"Cancel registration for {session}").click()
    expect(alex.get_by_text("Your seat goes to the next person on the waitlist")).to_be_visible()
    assert_accessible(alex)
    alex.get_by_role("button", name="Yes, cancel my registration").click()
    expect(alex.get_by_text(f"Your registration for {session} is cancelled.")).to_be_visible()
    assert_accessible(alex)

    # Blair is emailed at once and her page now shows the seat.
    promoted = [m for m in mail.outbox if m.to == [second.email]]
    assert [m.subject for m in promoted] == [f"A seat opened up — you are registered: {session}"]
    page.reload()
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    expect(upcoming.get_by_role("link", name=str(session), exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Waitlisted")).to_have_count(0)
    assert_accessible(page)
    shot(page, "me-promoted")
    assert Registration.objects.get(person=second, session=session).status == "confirmed"

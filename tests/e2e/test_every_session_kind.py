"""Every kind of session the demo catalog offers, registered for through its own page by the
demo educator, at phone and desktop sizes: the page says what happened (confirmed, waitlisted
or pending), never a form error, and the browser logs no error."""

from dataclasses import dataclass

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from courses import demo
from courses.models import Session
from registrations.models import Registration

from .helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, visit


@dataclass(frozen=True)
class Kind:
    name: str
    course: str
    title: str
    button: str
    said: str  # the message after registering
    panel: str  # what the session's panel then shows
    status: str


REGISTERED = "You are registered. A confirmation with a calendar invite is on its way."
KINDS = [
    Kind(
        "free turnkey",
        "uplift-foundations",
        "Free grant-funded turnkey session",
        "Register",
        REGISTERED,
        "You are registered.",
        "confirmed",
    ),
    Kind(
        "paid",
        "sel-in-middle-school",
        "Open cohort",
        "Register",
        REGISTERED,
        "You are registered.",
        "confirmed",
    ),
    Kind(
        "approval required",
        "co-teaching-that-works",
        "Grade-level teams",
        "Request approval",
        "Your request is sent to your district for approval.",
        "Your request awaits approval",
        "pending",
    ),
    Kind(
        "full",
        "restorative-practices-in-the-classroom",
        "Small-group seminar",
        "Join the waitlist (3 ahead)",
        "The session is full: you are on the waitlist",
        "number 4 in line",
        "waitlisted",
    ),
    Kind(
        "online, three evenings",
        "science-of-reading-for-paraeducators",
        "Online evening series",
        "Register",
        REGISTERED,
        "You are registered.",
        "confirmed",
    ),
    Kind(
        "multi-day, hybrid",
        "data-teams-for-school-leaders",
        "Leadership cohort B",
        "Register",
        REGISTERED,
        "You are registered.",
        "confirmed",
    ),
]


def _session(kind: Kind) -> Session:
    return Session.objects.get(course__slug=kind.course, title=kind.title)


def test_the_demo_catalog_offers_every_kind_this_test_covers():
    """The kinds above are what the demo promises: if the seed changes, this says which."""
    call_command("seed_demo", verbosity=0)
    sessions = {kind.name: _session(kind) for kind in KINDS}
    assert sessions["free turnkey"].is_free
    assert sessions["free turnkey"].delivery == Session.Delivery.TURNKEY
    assert not sessions["paid"].is_free and not sessions["paid"].requires_approval
    assert sessions["approval required"].requires_approval
    full = sessions["full"]
    assert full.registrations.filter(status="confirmed").count() == full.capacity
    assert sessions["online, three evenings"].format == Session.Format.ONLINE
    assert sessions["online, three evenings"].meetings.count() == 3
    assert sessions["multi-day, hybrid"].meetings.count() == 2


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_demo_educator_registers_for_every_kind_of_session_through_its_page(
    page: Page, site: str, size: dict
):
    call_command("seed_demo", verbosity=0)
    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.set_viewport_size(size)
    sign_in(page, site, demo.EDUCATOR_EMAIL, demo.PASSWORD)

    for kind in KINDS:
        session = _session(kind)
        visit(page, f"{site}{session.get_absolute_url()}")
        if kind.name == "free turnkey":
            expect(page.get_by_text("Free (grant-funded)")).to_be_visible()
            expect(page.get_by_text("Who pays?")).to_have_count(0)
        else:
            expect(page.get_by_role("group", name="Who pays?")).to_be_visible()
        page.get_by_role("button", name=kind.button, exact=True).click()

        messages = page.locator(".messages")
        expect(messages).to_contain_text(kind.said)
        expect(page.locator(".message-error")).to_have_count(0)
        expect(page.locator(".registration")).to_contain_text(kind.panel)
        assert_accessible(page)
        registration = Registration.objects.get(
            session=session, person__email=demo.EDUCATOR_EMAIL, status__in=Registration.ACTIVE
        )
        assert registration.status == kind.status, kind.name
        if kind.name == "free turnkey":
            assert registration.price == 0
        shot(page, f"{kind.course}-{kind.status}")

    assert not console_errors, console_errors

"""A roster of 30 on a phone: find a person by name, mark them, be warned before leaving
with choices not saved, save and stay at the same person (with and without JavaScript)."""

import re

import pytest
from playwright.sync_api import Page, expect

from attendance.models import Attendance
from tests.factories import RegistrationFactory, UserFactory, educator

from .helpers import PHONE, SCREENSHOTS, assert_accessible, shot, sign_in, visit
from .test_trainer_journey import _session_happening_now

PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
FIRST = ["Alex", "Blair", "Casey", "Dana", "Eli", "Fran", "Gabe", "Hana", "Ivan", "Jo"]
LAST = ["Adams", "Brooks", "Chen"]

IN_VIEW = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.top >= 0 && box.top < window.innerHeight;
}"""


def _roster_of_30():
    session = _session_happening_now()
    trainer = UserFactory(email="terry.quinn@example.org", first_name="Terry", last_name="Quinn")
    session.trainers.set([trainer])
    people = [(first, last) for last in LAST for first in FIRST][:29] + [("Rosa", "Rivera")]
    registrations = {
        f"{first} {last}": RegistrationFactory(
            session=session,
            person=educator(
                email=f"{first}.{last}@example.org".lower(), first_name=first, last_name=last
            ),
        )
        for first, last in people
    }
    return session, trainer, registrations


def _watch_console(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.mark.browser_context_args(**PHONE_CONTEXT)
def test_a_trainer_filters_marks_is_warned_before_leaving_and_saves_in_place(page: Page, site: str):
    session, trainer, registrations = _roster_of_30()
    meeting = session.meetings.get()
    errors = _watch_console(page)
    sign_in(page, site, trainer.email)
    visit(page, f"{site}/trainer/sessions/{session.pk}/roster/")
    expect(page.get_by_role("heading", name="Attendance (30 confirmed)")).to_be_visible()
    rows = page.locator(".roster-row")
    expect(rows).to_have_count(30)

    # Finding Rosa by name hides everyone else as she types.
    search = page.get_by_label("Find a person by name")
    search.fill("rivera")
    expect(rows.locator("visible=true")).to_have_count(1)
    expect(page.get_by_role("group", name="Rosa Rivera")).to_be_visible()
    expect(page.locator("#roster-filter-status")).to_have_text("1 of 30 people shown.")
    assert page.url.endswith("/roster/"), "filtering must not reload the page"
    assert_accessible(page)
    shot(page, "roster-filtered")
    search.fill("")
    expect(rows.locator("visible=true")).to_have_count(30)

    # Halfway down the list, Jo Brooks is present.
    jo = registrations["Jo Brooks"]
    row = page.get_by_role("group", name="Jo Brooks")
    row.scroll_into_view_if_needed()
    row.get_by_text("Present", exact=True).tap()
    expect(page.locator("#roster-save-status")).to_have_text("Not saved yet.")

    # Leaving now would lose the choice: the browser asks first; staying keeps it.
    dialogs: list[str] = []

    def stay(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="My training sessions").tap()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    page.remove_listener("dialog", stay)
    assert re.search(rf"/trainer/sessions/{session.pk}/roster/", page.url)
    expect(row.get_by_role("radio", name="Present")).to_be_checked()

    # Saving keeps the page where it was, at Jo, and says so in the status.
    row.scroll_into_view_if_needed()
    before = page.evaluate("() => window.scrollY")
    assert before > 500, "Jo's row is far down the page"
    page.get_by_role("button", name="Save attendance").tap()
    expect(page.locator("#roster-save-status")).to_have_text("Saved attendance for 1 person.")
    after = page.evaluate("() => window.scrollY")
    assert abs(after - before) <= 2, (before, after)
    assert page.evaluate(IN_VIEW, f"r{jo.pk}")
    expect(row.get_by_role("radio", name="Present")).to_be_checked()
    expect(page.locator(".totals")).to_contain_text("1 present")
    saved = Attendance.objects.get(meeting=meeting)
    assert (saved.registration_id, saved.status) == (jo.pk, "present")
    assert page.url.endswith(f"#r{jo.pk}")
    assert_accessible(page)
    shot(page, "roster-saved-in-place")

    # Saved: leaving asks nothing, and a reload opens at Jo too.
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.dismiss())
    page.reload()
    assert page.evaluate(IN_VIEW, f"r{jo.pk}")
    assert dialogs == ["beforeunload"]
    assert errors == [], errors


def _in_view(page: Page, locator) -> bool:
    """Without JavaScript there is no page.evaluate: read the box Playwright measures."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


@pytest.mark.browser_context_args(**PHONE_CONTEXT)
def test_without_javascript_the_roster_filters_on_the_server_and_saves_back_at_the_row(
    page: Page, new_context, site: str
):
    session, trainer, registrations = _roster_of_30()
    meeting = session.meetings.get()
    sign_in(page, site, trainer.email)
    visit(page, f"{site}/trainer/sessions/{session.pk}/roster/")
    # axe and page.evaluate need JavaScript: the same person, signed in, in a browser without it.
    plain = new_context(
        java_script_enabled=False, storage_state=page.context.storage_state()
    ).new_page()
    plain.goto(f"{site}/trainer/sessions/{session.pk}/roster/")
    plain.get_by_label("Find a person by name").fill("Hana")
    plain.get_by_role("button", name="Find").tap()
    expect(plain.locator(".roster-row")).to_have_count(3)
    expect(plain.get_by_text("3 of 30 people shown.")).to_be_visible()
    plain.get_by_role("link", name="Show everyone").tap()
    expect(plain.locator(".roster-row")).to_have_count(30)

    hana = registrations["Hana Chen"]
    row = plain.get_by_role("group", name="Hana Chen")
    row.get_by_text("Absent", exact=True).tap()
    plain.get_by_role("button", name="Save attendance").tap()
    expect(plain.locator("#roster-save-status")).to_have_text("Saved attendance for 1 person.")
    assert plain.url.endswith(f"#r{hana.pk}")
    assert _in_view(plain, row)
    expect(row.get_by_role("radio", name="Absent")).to_be_checked()
    assert Attendance.objects.get(meeting=meeting).registration_id == hana.pk
    folder = (
        SCREENSHOTS
        / "test_without_javascript_the_roster_filters_on_the_server_and_saves_back_at_the_row"
    )
    folder.mkdir(parents=True, exist_ok=True)
    plain.screenshot(path=folder / "roster-saved-without-javascript-phone.png")

"""An educator who does not use a mouse signs in, finds a session and registers with Tab,
Enter and Space alone; wherever focus lands, it is visible."""

from playwright.sync_api import Page, expect

from registrations.models import Registration
from tests.factories import PASSWORD, SessionFactory, educator

from .helpers import assert_accessible, focused, shot, tab_to


def test_an_educator_registers_for_a_session_with_the_keyboard_alone(page: Page, site: str):
    session = SessionFactory(
        course__title="Restorative Practices in the Classroom",
        course__slug="restorative-practices",
        starts_in_days=15,
    )
    SessionFactory(course__title="Number Talks in Grade 3", starts_in_days=16)
    person = educator(email="robin.diaz@example.org", first_name="Robin", last_name="Diaz")

    page.goto(f"{site}/accounts/login/")
    assert_accessible(page)
    first = tab_to(page, lambda s: True)
    assert first["text"] == "Skip to main content"  # the first stop skips the navigation
    tab_to(page, lambda s: s["name"] == "login")
    page.keyboard.type(person.email)
    tab_to(page, lambda s: s["name"] == "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Professional development courses")
    assert_accessible(page)

    tab_to(page, lambda s: s["name"] == "q")
    page.keyboard.type("restorative")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 course", exact=True)).to_be_visible()
    assert_accessible(page)

    tab_to(page, lambda s: s["text"] == "Restorative Practices in the Classroom")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/courses/restorative-practices/")
    assert_accessible(page)

    tab_to(page, lambda s: s["href"] == f"/sessions/{session.pk}/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/sessions/{session.pk}/")
    assert_accessible(page)

    # Who pays: the arrow keys move between the choices, and back to "I pay myself".
    tab_to(page, lambda s: s["name"] == "payer")
    page.keyboard.press("ArrowDown")
    assert focused(page)["shows"]
    page.keyboard.press("ArrowUp")
    assert focused(page)["shows"]
    tab_to(page, lambda s: s["tag"] == "button" and s["text"] == "Register")
    shot(page, "register-button-focused")
    page.keyboard.press("Space")
    expect(page.get_by_text("You are registered.", exact=True)).to_be_visible()
    assert_accessible(page)

    registration = Registration.objects.get(person=person, session=session)
    assert (registration.status, registration.payer) == ("confirmed", "self")

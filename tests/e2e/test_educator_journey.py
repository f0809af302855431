"""A new educator's day: sign up, verify, complete the profile, find a trauma course, register,
add it to the calendar, and later cancel."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from organizations.models import DistrictDomain
from registrations.models import Registration
from tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProviderFactory,
    SchoolFactory,
    SessionFactory,
    VenueFactory,
)

from .helpers import assert_accessible, path_of, shot, visit

PASSWORD = "Lighthouse-Tide-42"


def _catalog():
    learn = ProviderFactory(short_name="LEARN", name="LEARN")
    ces = ProviderFactory(short_name="CES", name="Cooperative Educational Services")
    uplift = ProgramFactory(provider=learn, name="UPLIFT", slug="uplift")
    school = SchoolFactory(
        name="Riverside Elementary",
        district__name="Lyme-Old Lyme Public Schools",
        district__member_of=learn,
    )
    # Her school address verifies her district (and its member price) once she confirms it.
    DistrictDomain.objects.create(district=school.district, domain="lolps.example.org")
    ours = CourseFactory(
        provider=learn,
        program=uplift,
        title="Trauma-Informed Classrooms",
        slug="trauma-informed-classrooms",
        summary="Trauma, the brain and learning: routines that help every student feel safe.",
    )
    theirs = CourseFactory(
        provider=ces, title="Trauma and Resilience for Coaches", slug="trauma-resilience"
    )
    other = CourseFactory(provider=learn, title="Number Talks in Grade 3", slug="number-talks")
    venue = VenueFactory(provider=learn, name="LEARN Conference Center", town="Old Saybrook")
    session = SessionFactory(course=ours, venue=venue, starts_in_days=21)
    for course in (theirs, other):
        SessionFactory(course=course, starts_in_days=28)
    return school, session


def test_a_new_educator_signs_up_finds_a_trauma_course_registers_and_later_cancels(
    page: Page, site: str
):
    school, session = _catalog()

    # Monday morning: a colleague mentioned the trauma workshop. Dana opens the site.
    visit(page, f"{site}/")
    shot(page, "catalog-anonymous")
    page.get_by_role("link", name="Create account").click()
    expect(page).to_have_url(f"{site}/accounts/signup/")
    assert_accessible(page)
    shot(page, "signup")
    page.get_by_label("Email").fill("dana.fields@lolps.example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(f"{site}/accounts/confirm-email/")
    assert_accessible(page)
    shot(page, "verify-your-email")

    # The verification email arrives; its link shows a Confirm button.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    visit(page, site + path_of(link))
    page.get_by_role("button", name="Confirm").click()

    # Signed in, but asked where she works before anything else.
    expect(page).to_have_url(re.compile(r"/profile/\?next="))
    expect(page.get_by_text("Tell us where you work")).to_be_visible()
    assert_accessible(page)
    shot(page, "profile-first-time")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Fields")
    page.get_by_label("District").select_option(label=school.district.name)
    page.get_by_label(re.compile(r"^School")).select_option(
        label=f"{school.district} — {school.name}"
    )
    page.get_by_label("Position").select_option(label="Teacher")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Professional development courses")
    assert_accessible(page)

    # She searches for "trauma": two providers offer something.
    page.get_by_role("searchbox", name="Search").fill("trauma")
    page.get_by_role("button", name="Show courses").click()
    expect(page.get_by_role("heading", name="2 courses")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("More filters").click()
    page.get_by_label("Provider").select_option(label="LEARN")
    page.get_by_role("button", name="Show courses").click()
    expect(page.get_by_role("heading", name="1 course", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Trauma and Resilience for Coaches")).to_have_count(0)
    assert_accessible(page)
    shot(page, "catalog-trauma-learn")

    # The course, then its session.
    page.get_by_role("link", name="Trauma-Informed Classrooms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trauma-Informed Classrooms")
    assert_accessible(page)
    page.locator(".session-list a").first.click()
    expect(page).to_have_url(f"{site}/sessions/{session.pk}/")
    assert_accessible(page)
    shot(page, "session")

    # She registers; her district pays nothing extra today, she pays herself.
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered.", exact=True)).to_be_visible()
    assert_accessible(page)
    shot(page, "session-registered")
    registration = Registration.objects.get(person__email="dana.fields@lolps.example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.school == school

    # It is on "My registrations", with a calendar invite to download.
    page.get_by_role("link", name="My registrations").click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    expect(upcoming.get_by_role("link", name=str(session), exact=True)).to_be_visible()
    assert_accessible(page)
    shot(page, "me-upcoming")
    with page.expect_download() as download_info:
        upcoming.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"session-{session.pk}.ics"
    assert b"BEGIN:VCALENDAR" in download.path().read_bytes()
    response = page.request.get(download.url)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")

    # Two weeks later her principal needs her that day: she cancels.
    upcoming.get_by_role("button", name=re.compile(r"^Cancel")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel your registration?")
    expect(page.get_by_text("Your seat is released for someone else to take.")).to_be_visible()
    assert_accessible(page)
    shot(page, "cancel-asks-first")
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_text(f"Your registration for {session} is cancelled.")).to_be_visible()
    ended = page.locator("section", has=page.get_by_role("heading", name="Cancelled or declined"))
    expect(ended.get_by_role("link", name=str(session), exact=True)).to_be_visible()
    expect(page.get_by_text("No upcoming sessions.")).to_be_visible()
    assert_accessible(page)
    shot(page, "me-cancelled")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED

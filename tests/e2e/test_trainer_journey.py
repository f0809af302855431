"""A trainer's morning on a phone: today's roster, attendance by taps, a partial, a youth
headcount; a registrant checks in with the code from her own phone and, having completed the
session, downloads her certificate and checks that it verifies."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from attendance.models import Attendance, Headcount
from certificates.models import Certificate
from tests.factories import (
    DistrictFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    educator,
)

from .helpers import PHONE, assert_accessible, path_of, shot, sign_in, visit

PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def _session_happening_now():
    """A session whose only meeting started (up to) 10 minutes ago and ends in two hours.

    Just after midnight the start is today's midnight, so the meeting is still "today"."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts_at = max(now - dt.timedelta(minutes=10), midnight)
    return SessionFactory(
        course__title="UPLIFT Foundations",
        registration_opens_at=starts_at - dt.timedelta(days=30),
        registration_closes_at=starts_at - dt.timedelta(days=1),
        meetings=[(starts_at, now + dt.timedelta(hours=2))],
    )


@pytest.mark.browser_context_args(**PHONE_CONTEXT)
def test_a_trainer_takes_attendance_on_a_phone_and_a_registrant_checks_in_by_code(
    page: Page, new_context, site: str
):
    session = _session_happening_now()
    meeting = session.meetings.get()
    trainer = UserFactory(email="terry.quinn@example.org", first_name="Terry", last_name="Quinn")
    session.trainers.set([trainer])
    people = {
        name: educator(
            email=f"{name.split()[0].lower()}@example.org",
            first_name=name.split()[0],
            last_name=name.split()[1],
        )
        for name in ("Alex Rivera", "Blair Chen", "Casey Morgan")
    }
    registrations = {
        name: RegistrationFactory(session=session, person=person) for name, person in people.items()
    }
    district = DistrictFactory(name="New London Public Schools")

    # Terry opens the trainer page; today's session leads to its roster.
    sign_in(page, site, trainer.email)
    page.get_by_role("link", name="Trainer").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("My training sessions")
    today = page.locator("section", has=page.get_by_role("heading", name="Today"))
    assert_accessible(page)
    shot(page, "trainer-home")
    today.get_by_role("link", name=str(session)).tap()
    expect(page).to_have_url(re.compile(rf"/trainer/sessions/{session.pk}/roster/"))
    expect(page.get_by_role("heading", name="Attendance (3 confirmed)")).to_be_visible()
    assert_accessible(page)
    shot(page, "roster-empty")

    # Taps: Alex present, Blair partial (she left for a meeting after 45 minutes).
    alex = page.get_by_role("group", name="Alex Rivera")
    alex.get_by_text("Present", exact=True).tap()
    expect(alex.get_by_role("radio", name="Present")).to_be_checked()
    blair = page.get_by_role("group", name="Blair Chen")
    blair.get_by_text("Partial", exact=True).tap()
    blair.get_by_label(re.compile("^Minutes attended")).fill("45")
    page.get_by_role("button", name="Save attendance").tap()
    expect(page.get_by_text("Saved attendance for 2 people.")).to_be_visible()
    assert_accessible(page)

    # Twenty-four students from the host school sat in: a youth headcount.
    page.get_by_text("Youth", exact=True).tap()
    page.get_by_label(re.compile("^District")).select_option(label=district.name)
    page.get_by_label("How many").fill("24")
    page.get_by_role("button", name="Add headcount").tap()
    expect(page.get_by_text("Counted 24 youth.")).to_be_visible()
    assert_accessible(page)
    shot(page, "roster-marked")

    # The check-in code goes up on the screen.
    page.get_by_role("link", name="Show check-in code").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check-in code")
    code = page.locator(".check-in-code").inner_text().strip()
    assert_accessible(page)
    shot(page, "check-in-code")

    # Casey, on her own phone, opens the code's page, signs in, comes back and checks in.
    casey = new_context().new_page()
    casey.goto(f"{site}/checkin/{code}/")
    expect(casey).to_have_url(re.compile(r"/accounts/login/\?next=/checkin/"))
    assert_accessible(casey)
    casey.get_by_label("Email").fill(people["Casey Morgan"].email)
    casey.get_by_label("Password").fill("test-pass-2025")
    casey.get_by_role("button", name="Sign in").tap()
    expect(casey).to_have_url(f"{site}/checkin/{code}/")
    assert_accessible(casey)
    shot(casey, "check-in")
    casey.get_by_role("button", name="Check me in").tap()
    expect(casey.get_by_text(f"You are checked in for {session}.")).to_be_visible()
    assert_accessible(casey)
    shot(casey, "checked-in")

    # Back on the roster, Casey shows as checked in.
    page.get_by_role("link", name="Back to the roster").tap()
    expect(page.get_by_role("group", name="Casey Morgan")).to_contain_text("checked in")
    expect(page.locator(".totals")).to_contain_text("2 present")
    assert_accessible(page)
    statuses = {
        name: Attendance.objects.get(registration=registration, meeting=meeting)
        for name, registration in registrations.items()
    }
    assert (statuses["Alex Rivera"].status, statuses["Alex Rivera"].source) == ("present", "roster")
    assert (statuses["Blair Chen"].status, statuses["Blair Chen"].minutes) == ("partial", 45)
    assert statuses["Casey Morgan"].source == "checkin"
    assert Headcount.objects.get(meeting=meeting).count == 24

    # Present for the whole (only) meeting, Casey completes the session once it ends: no
    # certificate before then; minutes after the end, settle_sessions issues it, and it is on
    # "My registrations", and its verify address says it is valid.
    assert not Certificate.objects.exists()
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        call_command("settle_sessions", stdout=io.StringIO())
        _casey_downloads_and_verifies_her_certificate(casey, site)


def _casey_downloads_and_verifies_her_certificate(casey: Page, site: str) -> None:
    casey.get_by_role("link", name="My registrations").tap()
    expect(casey.get_by_role("heading", name="Certificates and PD hours")).to_be_visible()
    assert_accessible(casey)
    shot(casey, "me-certificate")
    with casey.expect_download() as download_info:
        casey.get_by_role("link", name=re.compile(r"for UPLIFT Foundations \(PDF\)")).tap()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    assert "Casey Morgan" in text
    verify_url = re.search(r"https?://\S+/certificates/verify/\S+", text).group(0)
    visit(casey, site + path_of(verify_url))
    expect(casey.get_by_role("heading", level=1)).to_have_text("Valid certificate of completion")
    expect(casey.get_by_text("Casey Morgan")).to_be_visible()
    shot(casey, "verify-valid")

"""The check-in QR code as people see it: the trainer's page renders it without a single
console error or CSP violation (reportlab's SVG used style attributes, which the CSP blocks:
a black square), at desktop and phone sizes; the code read back from the screenshots opens
the check-in page, and a registrant who opens it during the meeting is checked in."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from attendance.models import Attendance, CheckInCode
from tests.factories import RegistrationFactory, SessionFactory, UserFactory, educator

from .helpers import SCREENSHOTS, assert_accessible, path_of, sign_in

zxingcpp = pytest.importorskip("zxingcpp")

SIZES = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}
PHONE = {"is_mobile": True, "has_touch": True}
# Records CSP violations as the page reports them (console errors say the same, in prose).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""


def _watched(page: Page) -> list[str]:
    """Every console error and uncaught page error of `page`, from now on."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in {"error", "warning"}
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    return problems


def _decoded(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_check_in_qr_code_renders_scans_and_checks_the_registrant_in(new_context, site: str):
    now = timezone.localtime()
    starts_at = max(now - dt.timedelta(minutes=10), now.replace(hour=0, minute=0, second=0))
    session = SessionFactory(
        course__title="Trauma-Informed Classrooms",
        registration_opens_at=starts_at - dt.timedelta(days=30),
        registration_closes_at=starts_at - dt.timedelta(days=1),
        meetings=[(starts_at, now + dt.timedelta(hours=2))],
    )
    meeting = session.meetings.get()
    trainer = UserFactory(email="terry.quinn@example.org", first_name="Terry", last_name="Quinn")
    session.trainers.set([trainer])
    casey = educator(email="casey@example.org", first_name="Casey", last_name="Morgan")
    registration = RegistrationFactory(session=session, person=casey)
    folder = SCREENSHOTS / "test_the_check_in_qr_code_renders_scans_and_checks_the_registrant_in"
    folder.mkdir(parents=True, exist_ok=True)

    decoded = {}
    for label, size in SIZES.items():
        page = new_context(**(PHONE if label == "phone" else {})).new_page()
        page.set_viewport_size(size)
        problems = _watched(page)
        sign_in(page, site, trainer.email)
        page.goto(f"{site}/trainer/meetings/{meeting.pk}/checkin/")
        qr = page.get_by_role("img", name=re.compile("^QR code for the check-in link"))
        expect(qr).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
        box = qr.bounding_box()
        assert box["width"] >= 200 and box["width"] == pytest.approx(box["height"], abs=1), box
        png = page.screenshot(path=folder / f"check-in-code-{label}.png", full_page=True)
        violations = page.evaluate("window.__cspViolations")
        assert problems == [] and violations == [], (label, problems, violations)
        decoded[label] = _decoded(png)
        page.context.close()

    code = CheckInCode.objects.get(meeting=meeting).code
    url = f"{settings.SITE_URL}/checkin/{code}/"
    assert decoded == {"desktop": [url], "phone": [url]}

    # Casey, on her phone, opens what the camera read (on this test's server) and checks in.
    phone = new_context(**PHONE).new_page()
    phone.set_viewport_size(SIZES["phone"])
    problems = _watched(phone)
    sign_in(phone, site, casey.email)
    phone.goto(site + path_of(decoded["phone"][0]))
    phone.get_by_role("button", name="Check me in").tap()
    expect(phone.get_by_text(f"You are checked in for {session}.")).to_be_visible()
    phone.screenshot(path=folder / "checked-in-phone.png", full_page=True)
    assert problems == [] and phone.evaluate("window.__cspViolations") == []
    row = Attendance.objects.get(registration=registration, meeting=meeting)
    assert (row.status, row.source) == ("present", "checkin")

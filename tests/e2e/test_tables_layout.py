"""Wide tables read whole: the reach report's tables get the full width at 1366 px (every
column header in view, charts below them), a session's registrations become labelled cards on a
phone, no word in any cell is broken in the middle, and no page scrolls sideways."""

import pytest
from playwright.sync_api import Page

from tests.factories import SchoolFactory, educator
from tests.reports.data import build_reach_data, confirmed

from .helpers import SCREENSHOTS, _test_name, assert_accessible, sign_in

SIZES = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}
LONG_EMAIL = "alexandra.montgomery-fitzgerald@lymeoldlymepublicschools.example.org"
LONG_SCHOOL = "Lyme Consolidated Elementary and Intermediate School for the Performing Arts"

# Each whitespace-separated word of every table cell, measured with a Range: a word drawn on
# more than one line was broken in the middle. Text split by <wbr> (emails) is measured piece
# by piece, so an address may wrap there.
WORDS_BROKEN_ACROSS_LINES = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('table th, table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest('.visually-hidden')) continue;
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()]
          .filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(`"${match[0]}" on ${lines.size} lines in ${cell.tagName}`);
      }
    }
  }
  return broken;
}"""

HEADERS_OUT_OF_VIEW = """() => [...document.querySelectorAll('.report-table th[scope=col]')]
  .filter((th) => {
    const box = th.getBoundingClientRect();
    const frame = th.closest('.table-scroll').getBoundingClientRect();
    return box.left < Math.max(0, frame.left) - 1
      || box.right > Math.min(window.innerWidth, frame.right) + 1;
  })
  .map((th) => `${th.closest('table').id}: ${th.innerText.trim()}`)"""

PAGE_SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def _check(page: Page, name: str, *, every_header_in_view: bool) -> None:
    folder = SCREENSHOTS / _test_name()
    folder.mkdir(parents=True, exist_ok=True)
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        page.wait_for_timeout(100)
        page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)
        # The longest row close up: the long email and school on the registrations page.
        page.locator("table tbody tr").filter(has_text="Montgomery").or_(
            page.locator("#table-session tbody tr").first
        ).first.screenshot(path=folder / f"{name}-{label}-row.png")
        assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), f"{name} scrolls sideways at {label}"
        broken = page.evaluate(WORDS_BROKEN_ACROSS_LINES)
        assert broken == [], f"{name} at {label}: {broken}"
        if every_header_in_view and label == "desktop":
            assert page.evaluate(HEADERS_OUT_OF_VIEW) == [], f"{name} at {label}"
        assert_accessible(page)


@pytest.mark.browser_context_args(viewport=SIZES["desktop"])
def test_reach_and_registration_tables_fit_desktop_and_phone_without_breaking_words(
    page: Page, site: str
):
    data = build_reach_data()
    direct = data.sessions[1]
    district = data.districts[1]
    person = educator(
        email=LONG_EMAIL,
        first_name="Alexandra",
        last_name="Montgomery-Fitzgerald",
        district=district,
        school=SchoolFactory(name=LONG_SCHOOL, district=district),
    )
    registration = confirmed(direct, person, price="150")
    registration.purchase_order = "PO-2026-00417"
    registration.payer = "district"
    registration.save()

    sign_in(page, site, data.staff.email)
    page.goto(f"{site}/staff/sessions/{direct.pk}/registrations/")
    assert page.get_by_text("Montgomery-Fitzgerald").count() >= 1
    _check(page, "session-registrations", every_header_in_view=False)

    page.goto(f"{site}/reports/reach/?start={data.start:%Y-%m-%d}&end={data.end:%Y-%m-%d}")
    assert page.locator(".report-table").count() >= 5
    _check(page, "reach", every_header_in_view=True)

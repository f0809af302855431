"""What every browser journey does on a page: check it with axe, photograph it at desktop and
phone sizes, sign in, and move by keyboard while checking that focus is visible."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NARROWEST = 360  # STYLE.md: pages work at 360 px wide

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
_axe = Axe()

# Every page axe looked at in this run (path without query), for the run's summary.
checked_pages: set[str] = set()


def _page_pattern(url: str) -> str:
    """/sessions/12/ -> /sessions/<x>/: ids, codes and tokens replaced, the query dropped."""
    path = urlsplit(url).path
    return re.sub(r"(?<=/)[^/]*\d[^/]*(?=/|$)", "<x>", path)


def assert_accessible(page: Page) -> None:
    """Run axe's WCAG 2.1 A/AA rules; fail on any serious or critical violation, listing each
    with its rule, impact, help text and the elements it found."""
    page.wait_for_load_state()
    results = _axe.run(page, options=AXE_OPTIONS)
    checked_pages.add(_page_pattern(page.url))
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    at {', '.join(map(str, node['target']))}")
                if node.get("failureSummary"):
                    lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        raise AssertionError("\n".join(lines))


def _test_name() -> str:
    current = os.environ.get("PYTEST_CURRENT_TEST", "unknown::unknown (call)")
    name = current.split("::")[-1].split(" ")[0]
    return re.sub(r"\[.*\]$", "", name)  # pytest-playwright adds "[chromium]"


WIDER_THAN_THE_PAGE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .slice(0, 10)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + `${el.className ? '.' + String(el.className).split(' ').join('.') : ''}`
      + ` ends at ${Math.round(el.getBoundingClientRect().right)}px`);
}"""


def assert_no_sideways_scroll(page: Page) -> None:
    """The page fits its width: nothing makes the whole page scroll sideways."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    width = page.viewport_size["width"]
    if overflow > 0:
        wide = page.evaluate(WIDER_THAN_THE_PAGE)
        raise AssertionError(
            f"{page.url} scrolls sideways by {overflow}px at {width}px wide; too wide:\n"
            + "\n".join(wide)
        )


def shot(page: Page, name: str) -> None:
    """Full-page PNGs of the page at desktop (1280x800) and phone (390x844) sizes, in
    test-output/screenshots/<test>/<name>-<desktop|phone>.png; also checks that the page fits
    a phone and the narrowest screen we support (360 px) without sideways scrolling, and runs
    axe at phone size too."""
    folder = SCREENSHOTS / _test_name()
    folder.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    try:
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)
        assert_no_sideways_scroll(page)
        assert_accessible(page)  # again at phone size: the layout differs
        page.set_viewport_size({"width": NARROWEST, "height": PHONE["height"]})
        assert_no_sideways_scroll(page)
    finally:
        page.set_viewport_size(original)


def visit(page: Page, url: str) -> None:
    """Open a page, check it answered and passes axe."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    assert_accessible(page)


def sign_in(page: Page, site: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through allauth's form, as a person would."""
    visit(page, f"{site}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def path_of(url: str) -> str:
    """The path (and query) of an absolute URL, e.g. a link in an email."""
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]


FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels[0] ? getComputedStyle(el.labels[0]) : null;
  const visible = (s) => s && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                               || s.boxShadow !== 'none');
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    href: el.getAttribute('href') || '',
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
    name: el.getAttribute('name') || '',
    focusVisible: el.matches(':focus-visible'),
    shows: visible(style) || visible(label),
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth
              && box.bottom > 0 && box.top < innerHeight,
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUS_STATE)


def tab_to(page: Page, matches, *, limit: int = 60, key: str = "Tab") -> dict:
    """Press Tab until the focused element satisfies `matches(state)`, checking on every stop
    that focus is visible (an outline or a box shadow on the element or its label)."""
    for _ in range(limit):
        page.keyboard.press(key)
        state = focused(page)
        if state is None:
            continue
        assert state["shows"], f"focus is not visible on {state} at {page.url}"
        assert state["onScreen"], f"the focused element is off screen: {state} at {page.url}"
        if matches(state):
            return state
    raise AssertionError(f"{limit} presses of {key} never reached the element on {page.url}")

"""Every page a person can reach from the navigation, as each demo role, at desktop and phone
sizes: no console error, no CSP violation, no script error, no server error, no sideways
scroll, and no serious or critical axe violation.

The demo data (`seed_demo`, deterministic, relative to today) gives every role something to
see. From the start pages the crawler follows same-origin links (GET only), a few pages of each
kind (`/sessions/1/` and `/sessions/2/` are one kind), at most PAGES_PER_ROLE per role. Downloads
(PDF, CSV, XLSX, ZIP, ICS, JSON) are fetched, not opened, and must not answer 5xx. Every problem
is listed at the end, per role, viewport and URL, so one run shows all of them.

Full-page screenshots of the first page of each kind: test-output/screenshots/crawl/<role>/.
"""

import logging
import re
import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from certificates.models import Certificate
from courses import demo

from .helpers import AXE_OPTIONS, BLOCKING, SCREENSHOTS, checked_pages

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = (("desktop", DESKTOP), ("phone", PHONE))
ROLES = (
    ("anonymous", None),
    ("educator", demo.EDUCATOR_EMAIL),
    ("trainer", demo.TRAINER_EMAIL),
    ("coordinator", demo.COORDINATOR_EMAIL),
    ("staff", demo.STAFF_EMAIL),
    ("admin", demo.ADMIN_EMAIL),
)
START = ("/", "/me/", "/trainer/", "/approvals/", "/reports/reach/", "/staff/sessions/")
# Pages no link leads to that people still land on: a mistyped address (the 404 page), and for
# anonymous visitors the "verify your email" page, an expired confirmation link and the public
# certificate check (its code added at run time).
MISSING = "/no-such-page/"
ANONYMOUS_START = ("/accounts/confirm-email/", "/accounts/confirm-email/expired-key/")
PAGES_PER_ROLE = 60
PER_KIND = 2  # pages of one kind (same path pattern and query keys) looked at per role
# Session pages differ most by state (open, full, approval, free, today, past): see more.
MORE_OF = {"/sessions/<n>/": 6}

DOWNLOAD = re.compile(r"\.(pdf|csv|xlsx|zip|ics|json)$")
# Never followed: signing out, the Django admin, and links whose GET acts (none known today;
# add them here). Of the API only its documentation page is a page.
SKIP = re.compile(r"^/(admin/|accounts/logout/|api/(?!docs/))")

# CSP violations, wherever the page reports them (Chromium also logs them as "Refused to ...").
WATCH_CSP = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
    + ` at ${e.sourceFile || ''}:${e.lineNumber || ''} ${e.sample ? '(' + e.sample + ')' : ''}`);
});
"""
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"
WIDEST = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''}`
      + ` ends at ${Math.round(el.getBoundingClientRect().right)}px`);
}"""
LINKS = "els => els.map((a) => a.href)"
# Swagger UI on /api/docs/ is a vendored widget whose markup we do not write (its contrast and
# nested buttons are upstream's); axe still checks the page around it.
AXE_EXCLUDE = {"/api/docs/": {"exclude": [["#swagger-ui"]]}}


def kind_of(url: str) -> str:
    """/sessions/12/?page=2 -> /sessions/<n>/?page: numbers, codes and tokens replaced, the query
    reduced to its names."""
    parts = urlsplit(url)
    path = re.sub(r"(?<=/)[^/]*\d[^/]*(?=/|$)", "<n>", parts.path)
    names = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(names) if names else "")


@dataclass
class Findings:
    """Problems per (role, viewport, URL); one message repeated (a CSP violation on every line
    of a drawing) is listed once with its count."""

    problems: dict[tuple[str, str, str], dict[str, int]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def add(self, role: str, viewport: str, url: str, message: str) -> None:
        message = re.sub(r"'sha256-[^']+'", "'sha256-…'", message)
        message = re.sub(r"(https?://[^\s)]+):\d+\b", r"\1", message)
        counts = self.problems[(role, viewport, url)]
        counts[message] = counts.get(message, 0) + 1

    def report(self) -> str:
        lines = [f"{len(self.problems)} page(s) with problems:"]
        for (role, viewport, url), counts in sorted(self.problems.items()):
            lines.append(f"\n[{role} · {viewport}] {url}")
            lines += [
                f"  - {message}" + (f" (×{count})" if count > 1 else "")
                for message, count in counts.items()
            ]
        return "\n".join(lines)


@contextmanager
def expected_refusal():
    """A start page that is not for this role answers 403 (or 404): that is the site's error
    page working, so Django's warning about it is kept out of the run's broken-responses check."""
    logger = logging.getLogger("django.request")
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = False


class Crawler:
    """One browser; one context per role, signed in once; each page opened once at desktop
    size, then checked again at phone size (the same document, re-laid out)."""

    def __init__(self, browser: Browser, site: str, findings: Findings) -> None:
        self.browser = browser
        self.site = site
        self.findings = findings
        self.axe = Axe()
        self.visited: dict[str, list[str]] = {}
        # Where the problems that events report belong: the page and viewport being checked.
        self.role = ""
        self.viewport = "desktop"
        self.url = ""
        self.start_page = False

    def note(self, message: str, *, viewport: str | None = None) -> None:
        self.findings.add(self.role, viewport or self.viewport, self.url, message)

    def on_console(self, message) -> None:
        if message.type != "error" and not message.text.startswith("Refused to"):
            return
        where = message.location.get("url", "")
        refused = re.search(r"status of (403|404)\b", message.text)
        if self.start_page and refused and where == self.url:
            return  # a start page not meant for this role: the error page, checked below
        self.note(f"console {message.type}: {message.text} ({where})")

    def on_response(self, response) -> None:
        if response.status >= 500:
            self.note(f"{response.status} {response.request.method} {response.url}")

    def crawl(self, role: str, email: str | None, *, extra: tuple[str, ...] = ()) -> list[str]:
        self.role = role
        context = self.browser.new_context(
            viewport=DESKTOP, locale="en-US", timezone_id="America/New_York"
        )
        context.set_default_timeout(15_000)
        context.expose_function("__reportCsp", lambda text: self.note(f"CSP violation: {text}"))
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.note(f"page error: {error}"))
        page.on("response", self.on_response)
        if email:
            self._sign_in(page, email)

        queue = [self.site + path for path in (*START, MISSING, *extra)]
        starts = set(queue)
        seen: set[str] = set()
        per_kind: dict[str, int] = defaultdict(int)
        visited: list[str] = []
        while queue and len(visited) < PAGES_PER_ROLE:
            url = queue.pop(0)
            kind = kind_of(url)
            if url in seen or per_kind[kind] >= MORE_OF.get(kind, PER_KIND):
                continue
            seen.add(url)
            per_kind[kind] += 1
            if DOWNLOAD.search(urlsplit(url).path):
                self._fetch(context, url)
                continue
            visited.append(url.removeprefix(self.site))
            self.url, self.start_page = url, url in starts
            links = self._visit(page, url, first_of_kind=per_kind[kind] == 1)
            queue += [link for link in links if link not in seen]
        context.close()
        self.visited[role] = visited
        return visited

    def _sign_in(self, page: Page, email: str) -> None:
        self.url = f"{self.site}/accounts/login/"
        page.goto(self.url)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(demo.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Sign out").wait_for()

    def _fetch(self, context, url: str) -> None:
        """A download is fetched with the role's cookies, not opened: it must not fail."""
        response = context.request.get(url, max_redirects=5)
        if response.status >= 500:
            self.findings.add(self.role, "download", url, f"answered {response.status}")

    def _visit(self, page: Page, url: str, *, first_of_kind: bool) -> list[str]:
        self.viewport = "desktop"
        page.set_viewport_size(DESKTOP)
        with expected_refusal() if self.start_page else nullcontext():
            response = page.goto(url, wait_until="load")
        status = response.status if response else 0
        if status >= 400 and not (self.start_page and status in (403, 404)):
            self.note(f"answered {status}")
        for label, size in VIEWPORTS:
            self.viewport = label
            page.set_viewport_size(size)
            if page.evaluate(SIDEWAYS):
                wide = ", ".join(page.evaluate(WIDEST)) or "no single element"
                self.note(f"scrolls sideways (too wide: {wide})")
            if first_of_kind:
                self._axe(page)
                self._screenshot(page, label)
        self.viewport = "desktop"
        landed = urlsplit(page.url).path
        if landed.startswith("/accounts/login/") and landed != urlsplit(url).path:
            return []  # sent to sign in: the login page's links are followed from there
        return self._links(page)

    def _axe(self, page: Page) -> None:
        context = AXE_EXCLUDE.get(urlsplit(page.url).path)
        results = self.axe.run(page, context=context, options=AXE_OPTIONS)
        checked_pages.add(kind_of(page.url))
        for violation in results.response["violations"]:
            if violation.get("impact") not in BLOCKING:
                continue
            targets = "; ".join(
                ", ".join(map(str, node["target"])) for node in violation["nodes"][:5]
            )
            self.note(
                f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
            )

    def _screenshot(self, page: Page, label: str) -> None:
        folder = SCREENSHOTS / "crawl" / self.role
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9]+", "-", kind_of(page.url)).strip("-") or "home"
        page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)

    def _links(self, page: Page) -> list[str]:
        links = []
        for href in page.eval_on_selector_all("a[href]", LINKS):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != self.site or SKIP.search(parts.path):
                continue
            links.append(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")))
        return links


def test_every_page_of_every_role_loads_clean_at_desktop_and_phone_sizes(
    browser: Browser, site: str
):
    call_command("seed_demo", verbosity=0)
    findings = Findings()
    crawler = Crawler(browser, site, findings)
    started = time.monotonic()
    took = {}
    certificate = Certificate.objects.order_by("pk").first()
    anonymous_extra = (*ANONYMOUS_START, f"/certificates/verify/{certificate.code}/")
    for role, email in ROLES:
        began = time.monotonic()
        crawler.crawl(role, email, extra=() if email else anonymous_extra)
        took[role] = round(time.monotonic() - began)
    listing = SCREENSHOTS.parent / "crawled-pages.txt"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(
        "".join(
            f"{role} ({len(urls)} pages, {took[role]}s)\n" + "".join(f"  {url}\n" for url in urls)
            for role, urls in crawler.visited.items()
        )
    )
    print(
        f"\ncrawled {sum(map(len, crawler.visited.values()))} pages in "
        f"{time.monotonic() - started:.0f}s; per role: {took}; list in {listing}"
    )

    assert all(crawler.visited.values()), f"a role saw no page: {crawler.visited}"
    if findings.problems:
        pytest.fail(findings.report(), pytrace=False)

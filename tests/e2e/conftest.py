"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

No `playwright install`: the browser is the system's /usr/bin/chromium (`apt-get install
chromium`). Without it every test here is skipped, and the skip is said out loud: in the -ra
summary and in a line at the end of the run.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
SKIP_REASON = (
    f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. "
    "Install it with `apt-get install -y chromium` (never `playwright install`)."
)
DESKTOP = {"width": 1280, "height": 800}
_SKIPPED = pytest.StashKey[bool]()


def _in_this_folder(item: pytest.Item) -> bool:
    return HERE in Path(item.path).resolve().parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The browser tests run last: from the first one to the end of the run Playwright keeps an
    # event loop marked as running in this thread (see _django_allows_playwrights_loop).
    browser_tests = [item for item in items if _in_this_folder(item)]
    items[:] = [item for item in items if not _in_this_folder(item)] + browser_tests
    if CHROMIUM.exists():
        return
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=SKIP_REASON))
        config.stash[_SKIPPED] = True


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if config.stash.get(_SKIPPED, False):
        terminalreporter.write_sep("!", SKIP_REASON, red=True, bold=True)
        return
    from .helpers import SCREENSHOTS, checked_pages

    if checked_pages:
        listing = SCREENSHOTS.parent / "axe-pages.txt"
        listing.parent.mkdir(parents=True, exist_ok=True)
        listing.write_text("".join(f"{page}\n" for page in sorted(checked_pages)))


@pytest.fixture(scope="session", autouse=True)
def _django_allows_playwrights_loop():
    """Playwright's sync API marks its event loop as running in this thread between calls,
    and Django refuses database access from a thread with a running loop unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. Set only from the first browser test on (they run last),
    so that earlier tests, and the subprocesses they start (`check --deploy` rejects the
    variable), never see it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: tests use the live server's address (see `site`).

    Replaces pytest-playwright 0.10's own `base_url`, a session fixture defined on a plugin
    instance, which pytest 9 reports with a PytestRemovedIn10Warning (an error here).
    """
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": DESKTOP,
        "locale": "en-US",
        "timezone_id": "America/New_York",
        "accept_downloads": True,
    }


@pytest.fixture(autouse=True)
def _live_database(transactional_db):
    """The live server answers from another thread, so the data must be committed."""


@pytest.fixture
def site(live_server) -> str:
    """The live server's root URL, without a trailing slash."""
    return live_server.url.rstrip("/")


@pytest.fixture
def broken_responses() -> list[str]:
    """Every response of the site with a 4xx or 5xx status during the test (a broken link, a
    missing stylesheet or icon, a server error). Checked empty after each test."""
    return []


@pytest.fixture
def new_context(new_context, site: str, broken_responses: list[str]):
    """pytest-playwright's contexts (the `context` fixture's too), each failing in seconds,
    not 30, and each watched for broken responses."""

    def watched(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(10_000)

        def on_response(response) -> None:
            if response.url.startswith(site) and response.status >= 400:
                broken_responses.append(
                    f"{response.status} {response.request.method} {response.url}"
                )

        context.on("response", on_response)
        return context

    return watched


@pytest.fixture(autouse=True)
def _no_broken_responses(context, broken_responses: list[str], caplog):
    yield
    # Requests the page does not see (the browser's own, like /favicon.ico) are in Django's log.
    broken_responses += [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.name == "django.request"
    ]
    assert not broken_responses, "the site answered with errors:\n" + "\n".join(broken_responses)

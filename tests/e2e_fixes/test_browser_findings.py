"""What the browser journeys (tests/e2e) found, pinned without a browser."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import DistrictFactory, SessionFactory, coordinator_of, educator

pytestmark = pytest.mark.django_db

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def test_every_page_names_an_icon_that_exists_so_browsers_do_not_ask_for_favicon_ico(
    client: Client,
):
    html = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert href.startswith("/static/")
    assert finders.find(href.removeprefix("/static/"))


def test_visually_hidden_text_in_a_scrolled_table_stays_inside_its_scroll_box():
    """`.visually-hidden` is absolutely positioned: without a positioned scroll box it is
    placed past the page's right edge and the whole page scrolls sideways on a phone."""
    rule = re.search(r"\.table-scroll \{([^}]*)\}", SITE_CSS.read_text()).group(1)
    assert "overflow-x: auto" in rule and "position: relative" in rule


def test_the_group_outcome_table_scrolls_by_keyboard_too(client: Client):
    """A scrolling region with nothing focusable inside must itself take focus (axe
    scrollable-region-focusable), and a focusable region needs a name."""
    district = DistrictFactory()
    coordinator = coordinator_of(district)
    teacher = educator(district=district)
    session = SessionFactory()
    client.force_login(coordinator)
    response = client.post(
        "/approvals/group/",
        {"session": session.pk, "people": [teacher.pk], "payer": "district"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<div class="table-scroll" tabindex="0" role="region" aria-labelledby="outcomes-h">' in html
    )
    assert 'id="outcomes-h"' in html

"""What the staff and reports journey (tests/e2e/test_staff_reports_journey.py) found, pinned
without a browser."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import ProviderFactory, SessionFactory, staff_of

pytestmark = pytest.mark.django_db

ICON = re.compile(r'<link rel="icon" href="([^"]+)"')


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/courses/course/",
        "/admin/courses/course/add/",
        "/admin/courses/session/add/",
        "/admin/courses/session/{session}/change/",
        "/admin/courses/session/{session}/delete/",
    ],
)
def test_admin_pages_name_the_sites_icon_so_browsers_do_not_ask_for_favicon_ico(
    client: Client, path: str
):
    """Django's admin names no icon, so every admin page a browser opened was followed by a
    request for /favicon.ico, a 404 in the log. templates/admin/base_site.html adds ours."""
    learn = ProviderFactory(short_name="LEARN")
    session = SessionFactory(course__provider=learn)
    client.force_login(staff_of(learn))
    response = client.get(path.format(session=session.pk))
    assert response.status_code == 200
    html = response.content.decode()
    (href,) = ICON.findall(html)
    assert href.startswith("/static/")
    assert finders.find(href.removeprefix("/static/"))
    # Still Django's admin underneath: its own head and branding are kept.
    assert "admin/css/base.css" in html and 'id="site-name"' in html


def test_the_admin_sign_in_page_names_the_icon_too(client: Client):
    html = client.get("/admin/login/").content.decode()
    assert len(ICON.findall(html)) == 1

"""Error pages as people and API clients see them, over HTTP with DEBUG off (the tests'
default): a page with the site's layout, a sentence and ways back; JSON under /api/."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from pd_platform.urls import urlpatterns as site_urlpatterns
from tests.factories import CourseFactory, educator


def _boom(request):
    raise RuntimeError("boom")


def _suspicious(request):
    raise SuspiciousOperation("bad input")


def _forbidden(request):
    raise PermissionDenied


# The project's URLs plus views that fail on purpose; the handlers are the project's.
urlpatterns = [
    path("boom/", _boom),
    path("api/v1/boom/", _boom),
    path("suspicious/", _suspicious),
    path("api/v1/suspicious/", _suspicious),
    path("api/v1/forbidden/", _forbidden),
    *site_urlpatterns,
]
handler400 = "pd_platform.views.bad_request"
handler403 = "pd_platform.views.permission_denied"
handler404 = "pd_platform.views.page_not_found"
handler500 = "pd_platform.views.server_error"

STYLESHEET = "/static/css/site.css"


def _page(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.mark.django_db
def test_a_missing_page_is_the_sites_404_page_with_ways_back(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = _page(response)
    assert STYLESHEET in html
    assert "<h1>We can't find that page</h1>" in html
    assert 'href="/"' in html and "Sign in" in html
    assert 'class="skip-link"' in html


@pytest.mark.django_db
def test_a_missing_session_shows_the_404_page_to_a_signed_in_person_with_their_nav(client):
    client.force_login(educator())

    response = client.get("/sessions/999999/")

    assert response.status_code == 404
    html = _page(response)
    assert 'href="/me/">See your registrations' in html
    assert "Sign out" in html


@pytest.mark.django_db
def test_a_page_for_another_role_is_the_sites_403_page_not_bare_text(client):
    client.force_login(educator())

    response = client.get("/approvals/")

    assert response.status_code == 403
    html = _page(response)
    assert "403 Forbidden" not in html
    assert STYLESHEET in html
    assert "<h1>You can't open this page</h1>" in html
    assert "doesn't have access" in html
    assert 'href="/me/"' in html


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_is_a_plain_500_page_that_needs_no_database(
    client, django_assert_num_queries
):
    client.raise_request_exception = False

    with django_assert_num_queries(0):
        response = client.get("/boom/")

    assert response.status_code == 500
    html = _page(response)
    assert STYLESHEET in html
    assert "Something went wrong on our side" in html
    for way_back in ('href="/"', 'href="/me/"', 'href="/accounts/login/"'):
        assert way_back in html


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_a_bad_request_is_the_sites_400_page(client):
    response = client.get("/suspicious/")

    assert response.status_code == 400
    html = _page(response)
    assert STYLESHEET in html
    assert "We couldn't read that request" in html


@pytest.mark.django_db
def test_a_form_that_fails_the_csrf_check_gets_a_page_that_says_what_to_do():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {})

    assert response.status_code == 403
    html = _page(response)
    assert STYLESHEET in html
    assert "Your form expired" in html


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_api_errors_stay_json(client, api_client):
    client.raise_request_exception = False
    api_client.force_authenticate(educator())

    answers = {
        "/api/v1/no-such-thing/": (client.get, 404),
        "/api/v1/sessions/999999/": (client.get, 404),
        "/api/v1/boom/": (client.get, 500),
        "/api/v1/suspicious/": (client.get, 400),
        "/api/v1/forbidden/": (client.get, 403),
    }
    for url, (get, status) in answers.items():
        response = get(url)
        assert response.status_code == status, url
        assert response["Content-Type"] == "application/json", url
        assert "detail" in response.json(), url

    # DRF's own 403 for a signed-in person without the role, unchanged.
    course = CourseFactory()
    response = api_client.patch(f"/api/v1/courses/{course.slug}/", {"title": "x"}, format="json")
    assert response.status_code in (403, 404)
    assert response["Content-Type"] == "application/json"
    response = api_client.post("/api/v1/courses/", {}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"

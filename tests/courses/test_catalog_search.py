"""Searching the catalog by where a session is: its venue, town or session title, on the
catalog page and in the API's `q`, at the same query cost as any other search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Course, Session
from tests.factories import CourseFactory, ProviderFactory, SessionFactory, VenueFactory

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/courses/"


@pytest.fixture
def places():
    """Three courses: one with a session in Groton, one at a Hartford venue with a titled
    session, one whose only Groton session is cancelled."""
    learn = ProviderFactory(short_name="LEARN")
    southeast = VenueFactory(provider=learn, name="LEARN Southeast Training Room", town="Groton")
    capitol = VenueFactory(provider=learn, name="Capitol Conference Center", town="Hartford")
    trauma = CourseFactory(provider=learn, slug="trauma", title="Trauma-Informed Classrooms")
    math = CourseFactory(provider=learn, slug="math", title="Number Talks")
    gone = CourseFactory(provider=learn, slug="gone", title="Restorative Circles")
    SessionFactory(course=trauma, venue=southeast, starts_in_days=10)
    SessionFactory(course=math, venue=capitol, title="Windsor cohort", starts_in_days=12)
    SessionFactory(course=gone, venue=southeast, status=Session.Status.CANCELLED)
    return trauma, math


def _on_page(client, q: str) -> list[str]:
    response = client.get("/courses/", {"q": q})
    assert response.status_code == 200
    return [course.slug for course in response.context["page"].object_list]


def _in_api(client, q: str) -> list[str]:
    response = client.get(COURSES, {"q": q})
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Groton", ["trauma"]),
        ("groton", ["trauma"]),
        ("Southeast", ["trauma"]),
        ("Hartford", ["math"]),
        ("Capitol Conference", ["math"]),
        ("Windsor", ["math"]),
        ("trauma groton", ["trauma"]),
        ("trauma hartford", []),
    ],
    ids=str,
)
def test_search_finds_a_course_by_the_venue_town_or_title_of_an_upcoming_session(
    client, places, q, expected
):
    assert _on_page(client, q) == expected
    assert _in_api(client, q) == expected


def test_the_catalog_page_shows_the_place_a_town_search_found(client, places):
    html = client.get("/courses/", {"q": "Groton"}).content.decode()

    assert "Trauma-Informed Classrooms" in html
    assert "Groton" in html
    assert "Number Talks" not in html


def test_a_place_search_costs_the_same_queries_for_5_and_100_sessions(client, api_client):
    learn = ProviderFactory(short_name="LEARN")
    groton = VenueFactory(provider=learn, name="Thames Room", town="Groton")
    elsewhere = VenueFactory(provider=learn, name="Oak Room", town="Norwich")

    def add(count: int) -> None:
        for n in range(count):
            course = CourseFactory(provider=learn, status=Course.Status.PUBLISHED)
            SessionFactory(course=course, venue=groton if n % 2 else elsewhere)

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = (client if url == "/courses/" else api_client).get(url, {"q": "groton"})
        assert response.status_code == 200
        return len(queries)

    add(5)
    page_at_5, api_at_5 = cost("/courses/"), cost(COURSES)
    add(95)
    assert cost("/courses/") == page_at_5
    assert cost(COURSES) == api_at_5
    assert page_at_5 <= 6

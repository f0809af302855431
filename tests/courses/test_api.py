"""The catalog API: /api/v1/courses/ and /api/v1/sessions/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Course, Meeting, Session
from registrations.models import Registration
from tests.factories import (
    CourseFactory,
    ProgramFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    alliance_admin,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/courses/"
SESSIONS = "/api/v1/sessions/"


def course_url(course: Course) -> str:
    return f"{COURSES}{course.slug}/"


def session_url(session: Session, suffix: str = "") -> str:
    return f"{SESSIONS}{session.pk}/{suffix}"


@pytest.fixture
def client_as(api_client):
    def sign_in(user):
        api_client.force_authenticate(user)
        return api_client

    return sign_in


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def new_course_body(provider, **overrides) -> dict:
    return {
        "provider": provider.slug,
        "title": "Restorative Circles",
        "slug": "restorative-circles",
        "summary": "Circles for classrooms.",
        "audience": "teachers",
        "hours": "6.00",
        "member_price": "90.00",
        "non_member_price": "120.00",
        "status": "published",
        **overrides,
    }


def new_session_body(course, **overrides) -> dict:
    start = in_days(20, 9)
    return {
        "course": course.slug,
        "capacity": 30,
        "registration_opens_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        "registration_closes_at": (start - dt.timedelta(days=2)).isoformat(),
        "meetings": [
            {"starts_at": start.isoformat(), "ends_at": start.replace(hour=15).isoformat()},
            {
                "starts_at": (start + dt.timedelta(days=7)).isoformat(),
                "ends_at": (start + dt.timedelta(days=7)).replace(hour=12).isoformat(),
            },
        ],
        **overrides,
    }


# --- courses: reading ---------------------------------------------------------------------------


def test_anyone_lists_published_courses_with_their_details(api_client, provider):
    program = ProgramFactory(provider=provider, name="UPLIFT", slug="uplift")
    course = CourseFactory(
        provider=provider, program=program, title="Trauma Basics", slug="trauma-basics"
    )
    session = SessionFactory(course=course, starts_in_days=10)
    CourseFactory(provider=provider, status=Course.Status.DRAFT, slug="draft-course")
    CourseFactory(provider=provider, status=Course.Status.ARCHIVED, slug="old-course")

    response = api_client.get(COURSES)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "slug": "trauma-basics",
            "url": "http://testserver/api/v1/courses/trauma-basics/",
            "title": "Trauma Basics",
            "summary": "A practical workshop.",
            "description": "",
            "provider": {"short_name": "LEARN", "slug": "learn"},
            "program": {"slug": "uplift", "name": "UPLIFT"},
            "audience": "all_staff",
            "hours": "6.00",
            "member_price": "100.00",
            "non_member_price": "150.00",
            "trains_trainers": False,
            "status": "published",
            "next_starts_at": timezone.localtime(session.meetings.get().starts_at).isoformat(),
        }
    ]


def test_a_course_without_program_shows_null_and_offsets_are_local(api_client, provider):
    course = CourseFactory(provider=provider, slug="no-program")
    SessionFactory(course=course)

    item = api_client.get(COURSES).json()["results"][0]

    assert item["program"] is None
    assert item["next_starts_at"][-6:] in {"-05:00", "-04:00"}


def test_without_session_filters_courses_without_upcoming_sessions_are_listed_last(
    api_client, provider
):
    later = CourseFactory(provider=provider, slug="later", title="A later course")
    SessionFactory(course=later, starts_in_days=30)
    sooner = CourseFactory(provider=provider, slug="sooner", title="Z sooner course")
    SessionFactory(course=sooner, starts_in_days=5)
    CourseFactory(provider=provider, slug="on-request", title="B on request")

    response = api_client.get(COURSES)

    assert slugs(response) == ["sooner", "later", "on-request"]
    assert response.json()["results"][2]["next_starts_at"] is None


def test_staff_also_see_their_own_providers_unpublished_courses(
    client_as, provider, other_provider
):
    CourseFactory(provider=provider, slug="learn-draft", status=Course.Status.DRAFT)
    CourseFactory(provider=provider, slug="learn-archived", status=Course.Status.ARCHIVED)
    CourseFactory(provider=other_provider, slug="ces-draft", status=Course.Status.DRAFT)
    CourseFactory(provider=other_provider, slug="ces-published")

    response = client_as(staff_of(provider)).get(COURSES)

    assert sorted(slugs(response)) == ["ces-published", "learn-archived", "learn-draft"]


def test_alliance_admins_see_every_course(client_as, provider, other_provider):
    CourseFactory(provider=provider, slug="learn-draft", status=Course.Status.DRAFT)
    CourseFactory(provider=other_provider, slug="ces-draft", status=Course.Status.DRAFT)

    response = client_as(alliance_admin()).get(COURSES, {"status": "draft"})

    assert sorted(slugs(response)) == ["ces-draft", "learn-draft"]


def test_a_course_is_found_by_slug(api_client, provider):
    course = CourseFactory(provider=provider, slug="by-slug")

    response = api_client.get(course_url(course))

    assert response.status_code == 200
    assert response.json()["slug"] == "by-slug"
    assert "next_starts_at" not in response.json()


def test_a_draft_course_is_404_except_for_its_providers_staff(
    api_client, client_as, provider, other_provider
):
    course = CourseFactory(provider=provider, slug="secret", status=Course.Status.DRAFT)

    assert api_client.get(course_url(course)).status_code == 404
    assert api_client.get(course_url(course)).json() == {
        "detail": "No Course matches the given query."
    }
    assert client_as(staff_of(other_provider)).get(course_url(course)).status_code == 404
    assert client_as(staff_of(provider)).get(course_url(course)).status_code == 200


def test_an_unknown_course_slug_is_a_json_404(api_client):
    response = api_client.get(f"{COURSES}no-such-course/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# --- courses: filters ---------------------------------------------------------------------------


def test_course_filters_provider_program_and_audience(api_client, provider, other_provider):
    program = ProgramFactory(provider=provider, slug="uplift")
    CourseFactory(provider=provider, slug="learn-uplift", program=program, audience="teachers")
    CourseFactory(provider=provider, slug="learn-other", audience="paraeducators")
    CourseFactory(provider=other_provider, slug="ces-course", audience="teachers")

    assert sorted(slugs(api_client.get(COURSES, {"provider": "learn"}))) == [
        "learn-other",
        "learn-uplift",
    ]
    assert slugs(api_client.get(COURSES, {"program": "uplift"})) == ["learn-uplift"]
    assert sorted(slugs(api_client.get(COURSES, {"audience": "teachers"}))) == [
        "ces-course",
        "learn-uplift",
    ]


def test_course_search_finds_words_in_title_and_description(api_client, provider):
    CourseFactory(provider=provider, slug="trauma", title="Trauma-Informed Classrooms")
    CourseFactory(
        provider=provider, slug="math", title="Fractions", description="Teaching fractions."
    )

    assert slugs(api_client.get(COURSES, {"q": "trauma"})) == ["trauma"]
    assert slugs(api_client.get(COURSES, {"q": "fractions"})) == ["math"]
    assert slugs(api_client.get(COURSES, {"q": "astronomy"})) == []


def test_course_session_filters_must_hold_on_the_same_session(api_client, provider):
    course = CourseFactory(provider=provider, slug="split")
    SessionFactory(course=course, format=Session.Format.ONLINE, starts_in_days=40)
    SessionFactory(course=course, format=Session.Format.IN_PERSON, starts_in_days=5)
    soon = (timezone.localdate() + dt.timedelta(days=10)).isoformat()

    assert slugs(api_client.get(COURSES, {"format": "online"})) == ["split"]
    assert slugs(api_client.get(COURSES, {"starts_before": soon})) == ["split"]
    assert slugs(api_client.get(COURSES, {"format": "online", "starts_before": soon})) == []


def test_course_session_filters_narrow_next_starts_at_and_drop_courses_without_sessions(
    api_client, provider
):
    course = CourseFactory(provider=provider, slug="twice")
    SessionFactory(course=course, format=Session.Format.IN_PERSON, starts_in_days=5)
    online = SessionFactory(course=course, format=Session.Format.ONLINE, starts_in_days=40)
    CourseFactory(provider=provider, slug="nothing-scheduled")

    results = api_client.get(COURSES, {"format": "online"}).json()["results"]

    assert [item["slug"] for item in results] == ["twice"]
    expected = timezone.localtime(online.meetings.get().starts_at).isoformat()
    assert results[0]["next_starts_at"] == expected


def test_course_date_filters_use_local_dates(api_client, provider):
    late_evening = CourseFactory(provider=provider, slug="late-evening")
    day = timezone.localdate() + dt.timedelta(days=12)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))
    SessionFactory(
        course=late_evening,
        registration_closes_at=starts - dt.timedelta(days=1),
        meetings=[(starts, starts + dt.timedelta(minutes=20))],
    )

    assert slugs(api_client.get(COURSES, {"starts_before": day.isoformat()})) == ["late-evening"]
    assert slugs(api_client.get(COURSES, {"starts_after": day.isoformat()})) == ["late-evening"]
    next_day = (day + dt.timedelta(days=1)).isoformat()
    assert slugs(api_client.get(COURSES, {"starts_after": next_day})) == []
    previous_day = (day - dt.timedelta(days=1)).isoformat()
    assert slugs(api_client.get(COURSES, {"starts_before": previous_day})) == []


def test_course_has_seats_filter_skips_full_courses(api_client, provider):
    full = SessionFactory(course=CourseFactory(provider=provider, slug="full"), capacity=1)
    RegistrationFactory(session=full)
    SessionFactory(course=CourseFactory(provider=provider, slug="open"), capacity=1)

    assert slugs(api_client.get(COURSES, {"has_seats": "true"})) == ["open"]
    assert sorted(slugs(api_client.get(COURSES, {"has_seats": "false"}))) == ["full", "open"]


def test_course_session_filters_ignore_past_and_cancelled_sessions(api_client, provider):
    course = CourseFactory(provider=provider, slug="only-past")
    SessionFactory(course=course, starts_in_days=-10)
    SessionFactory(course=course, status=Session.Status.CANCELLED, format=Session.Format.ONLINE)

    assert slugs(api_client.get(COURSES, {"format": "online"})) == []
    assert slugs(api_client.get(COURSES, {"has_seats": "true"})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"provider": "nope"}, "provider"),
        ({"program": "nope"}, "program"),
        ({"starts_after": "2025-13-40"}, "starts_after"),
        ({"starts_before": "yesterday"}, "starts_before"),
        ({"format": "carrier-pigeon"}, "format"),
        ({"audience": "students"}, "audience"),
        ({"status": "secret"}, "status"),
    ],
)
def test_a_bad_course_filter_is_a_400_for_that_field(api_client, params, field):
    response = api_client.get(COURSES, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert isinstance(response.json()[field][0], str)


def test_page_size_is_capped_and_a_page_past_the_end_is_404(api_client, provider):
    CourseFactory.create_batch(3, provider=provider)

    response = api_client.get(COURSES, {"page_size": 1000})
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert api_client.get(COURSES, {"page": 9}).status_code == 404
    assert api_client.get(COURSES, {"page": "x"}).status_code == 404


def count_queries(client, url: str, params: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_the_course_list_costs_the_same_queries_for_5_and_200_courses(
    api_client, client_as, provider
):
    def add_courses(n):
        for _ in range(n):
            SessionFactory(course=CourseFactory(provider=provider))

    add_courses(5)
    small = count_queries(api_client, COURSES, {"page_size": 500})
    small_filtered = count_queries(api_client, COURSES, {"has_seats": "true", "q": "course"})
    add_courses(195)
    large = count_queries(api_client, COURSES, {"page_size": 500})
    large_filtered = count_queries(api_client, COURSES, {"has_seats": "true", "q": "course"})

    assert small == (small[0], 5) and large == (small[0], 100)  # page_size capped at 100
    assert large_filtered[0] == small_filtered[0]
    staff = client_as(staff_of(provider))
    assert count_queries(staff, COURSES, {"page_size": 100})[0] == small[0] + 1  # roles


# --- courses: writing ---------------------------------------------------------------------------


def test_staff_create_a_course_of_their_provider(client_as, provider, staff):
    program = ProgramFactory(provider=provider, slug="uplift")

    response = client_as(staff).post(
        COURSES, new_course_body(provider, program="uplift"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response["Location"] == "http://testserver/api/v1/courses/restorative-circles/"
    body = response.json()
    assert body["provider"] == {"short_name": "LEARN", "slug": "learn"}
    assert body["program"] == {"slug": "uplift", "name": program.name}
    assert body["hours"] == "6.00"
    course = Course.objects.get(slug="restorative-circles")
    assert course.provider == provider and course.member_price == Decimal("90.00")


def test_staff_get_403_creating_a_course_of_another_provider(client_as, staff, other_provider):
    response = client_as(staff).post(COURSES, new_course_body(other_provider), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "You can only manage your own provider's catalog."}
    assert not Course.objects.exists()


def test_alliance_admins_create_courses_for_any_provider(client_as, other_provider):
    response = client_as(alliance_admin()).post(
        COURSES, new_course_body(other_provider), format="json"
    )

    assert response.status_code == 201
    assert Course.objects.get().provider == other_provider


def test_educators_get_403_on_every_course_write(client_as, provider):
    course = CourseFactory(provider=provider)
    client = client_as(educator())

    assert client.post(COURSES, new_course_body(provider), format="json").status_code == 403
    assert client.patch(course_url(course), {"title": "X"}, format="json").status_code == 403
    response = client.delete(course_url(course))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only provider staff may change the catalog."}


def test_anonymous_course_writes_are_401_with_a_challenge(api_client, provider):
    course = CourseFactory(provider=provider)

    response = api_client.post(COURSES, new_course_body(provider), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert api_client.patch(course_url(course), {"title": "X"}, format="json").status_code == 401
    assert api_client.delete(course_url(course)).status_code == 401


def test_staff_of_another_provider_get_404_changing_or_deleting_a_course(
    client_as, other_provider, staff
):
    course = CourseFactory(provider=other_provider, slug="ces-course")
    client = client_as(staff)

    assert client.patch(course_url(course), {"title": "Mine"}, format="json").status_code == 404
    assert client.delete(course_url(course)).status_code == 404
    course.refresh_from_db()
    assert course.title != "Mine"


def test_staff_change_their_own_course(client_as, provider, staff):
    course = CourseFactory(provider=provider, slug="ours")

    response = client_as(staff).patch(
        course_url(course), {"title": "Renamed", "status": "archived"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["status"] == "archived"
    course.refresh_from_db()
    assert (course.title, course.status) == ("Renamed", Course.Status.ARCHIVED)


def test_staff_cannot_move_their_course_to_another_provider(
    client_as, provider, other_provider, staff
):
    course = CourseFactory(provider=provider, slug="ours")

    response = client_as(staff).patch(course_url(course), {"provider": "ces"}, format="json")

    assert response.status_code == 403
    course.refresh_from_db()
    assert course.provider == provider


def test_alliance_admins_change_and_delete_any_course(client_as, other_provider):
    course = CourseFactory(provider=other_provider, slug="ces-course")
    client = client_as(alliance_admin())

    assert (
        client.patch(course_url(course), {"hours": "3.5"}, format="json").json()["hours"] == "3.50"
    )
    assert client.delete(course_url(course)).status_code == 204
    assert not Course.objects.exists()


def test_deleting_a_course_with_sessions_is_a_400(client_as, provider, staff):
    course = SessionFactory(course=CourseFactory(provider=provider)).course

    response = client_as(staff).delete(course_url(course))

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "This course has sessions; archive it instead so their records stay intact."
        ]
    }
    assert Course.objects.filter(pk=course.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"provider": "nope"}, "provider"),
        ({"provider": None}, "provider"),
        ({"program": "nope"}, "program"),
        ({"hours": "-1"}, "hours"),
        ({"member_price": "abc"}, "member_price"),
        ({"audience": "students"}, "audience"),
        ({"slug": "not a slug"}, "slug"),
        ({"title": ""}, "title"),
        ({"seats": 10}, "seats"),
        ({"next_starts_at": "2030-01-01"}, "next_starts_at"),
    ],
)
def test_bad_course_input_is_a_400_for_that_field(client_as, provider, staff, overrides, field):
    response = client_as(staff).post(
        COURSES, {**new_course_body(provider), **overrides}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Course.objects.exists()


def test_a_taken_course_slug_is_a_400(client_as, provider, staff):
    CourseFactory(provider=provider, slug="restorative-circles")

    response = client_as(staff).post(COURSES, new_course_body(provider), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["slug"]


def test_a_program_of_another_provider_is_a_400(client_as, provider, other_provider, staff):
    ProgramFactory(provider=other_provider, slug="ces-program")

    response = client_as(staff).post(
        COURSES, new_course_body(provider, program="ces-program"), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"program": ["The program belongs to another provider."]}


def test_a_train_the_trainer_course_without_program_is_a_400(client_as, provider, staff):
    response = client_as(staff).post(
        COURSES, new_course_body(provider, trains_trainers=True), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["A train-the-trainer course must belong to a program."]
    }


def test_malformed_json_is_a_400_and_another_content_type_a_415(client_as, staff):
    client = client_as(staff)

    response = client.post(COURSES, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    response = client.post(COURSES, {"title": "x"})  # multipart form
    assert response.status_code == 415
    assert "detail" in response.json()
    response = client.post(COURSES, "[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_put_is_not_offered(client_as, provider, staff):
    course = CourseFactory(provider=provider)

    response = client_as(staff).put(course_url(course), new_course_body(provider), format="json")

    assert response.status_code == 405


# --- sessions: reading --------------------------------------------------------------------------


def test_anyone_reads_a_session_with_meetings_availability_and_prices(api_client, provider):
    course = CourseFactory(provider=provider, slug="uplift-101", title="UPLIFT 101")
    venue = VenueFactory(provider=provider, name="LEARN Annex", town="Old Lyme")
    trainer = UserFactory(first_name="Robin", last_name="Trainer", email="robin@learn.example.org")
    first = in_days(10, 9)
    second = in_days(17, 13)
    session = SessionFactory(
        course=course,
        venue=venue,
        capacity=5,
        member_price=Decimal("80.00"),
        requires_approval=True,
        completion_threshold=80,
        registration_closes_at=first - dt.timedelta(days=1),
        meetings=[(first, first.replace(hour=15)), (second, second.replace(hour=16))],
    )
    session.trainers.add(trainer)
    for status in ["confirmed"] * 3 + ["waitlisted"] * 2 + ["pending", "cancelled", "declined"]:
        RegistrationFactory(session=session, status=status)

    response = api_client.get(session_url(session))

    assert response.status_code == 200
    body = response.json()
    meetings = list(session.meetings.order_by("starts_at"))
    assert body["meetings"] == [
        {
            "id": meeting.pk,
            "starts_at": timezone.localtime(meeting.starts_at).isoformat(),
            "ends_at": timezone.localtime(meeting.ends_at).isoformat(),
            "break_minutes": 0,
            "length_minutes": length,
        }
        for meeting, length in zip(meetings, [360, 180], strict=True)
    ]
    assert body["hours"] == "9.00"
    assert body["meetings"][0]["starts_at"][-6:] in {"-05:00", "-04:00"}
    assert body["course"] == {"slug": "uplift-101", "title": "UPLIFT 101"}
    assert body["provider"] == {"short_name": "LEARN", "slug": "learn"}
    assert body["venue"] == {"name": "LEARN Annex", "town": "Old Lyme"}
    assert (body["capacity"], body["seats_left"], body["waitlist_count"]) == (5, 2, 2)
    assert (body["member_price"], body["non_member_price"]) == ("80.00", "150.00")
    assert body["trainers"] == ["Robin Trainer"]
    assert "robin@learn.example.org" not in response.content.decode()
    assert body["requires_approval"] is True
    assert body["completion_threshold"] == 80
    assert body["is_free"] is False
    assert body["status"] == "scheduled"
    assert body["format"] == "in_person" and body["delivery"] == "direct"
    assert body["starts_at"] == body["meetings"][0]["starts_at"]
    assert body["ends_at"] == body["meetings"][1]["ends_at"]
    assert body["url"] == f"http://testserver/api/v1/sessions/{session.pk}/"


def test_a_free_session_costs_nothing_and_an_online_one_has_no_venue(api_client, provider):
    session = SessionFactory(course=CourseFactory(provider=provider), is_free=True, format="online")

    body = api_client.get(session_url(session)).json()

    assert (body["member_price"], body["non_member_price"]) == ("0.00", "0.00")
    assert body["venue"] is None
    assert body["trainers"] == []


def test_a_full_session_has_no_seats_left(api_client, provider):
    session = SessionFactory(course=CourseFactory(provider=provider), capacity=2)
    RegistrationFactory.create_batch(2, session=session)
    RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)

    body = api_client.get(session_url(session)).json()

    assert (body["seats_left"], body["waitlist_count"]) == (0, 1)


def test_anyone_lists_sessions_of_published_courses_including_cancelled(api_client, provider):
    published = CourseFactory(provider=provider)
    later = SessionFactory(course=published, starts_in_days=20)
    sooner = SessionFactory(course=published, starts_in_days=3)
    cancelled = SessionFactory(course=published, status=Session.Status.CANCELLED, starts_in_days=30)
    SessionFactory(course=CourseFactory(provider=provider, status=Course.Status.DRAFT))

    response = api_client.get(SESSIONS)

    assert response.status_code == 200
    assert ids(response) == [sooner.pk, later.pk, cancelled.pk]
    assert response.json()["results"][2]["status"] == "cancelled"


def test_staff_also_see_sessions_of_their_unpublished_courses(
    client_as, api_client, provider, other_provider
):
    own = SessionFactory(course=CourseFactory(provider=provider, status=Course.Status.DRAFT))
    other = SessionFactory(
        course=CourseFactory(provider=other_provider, status=Course.Status.DRAFT)
    )
    client = client_as(staff_of(provider))

    assert ids(client.get(SESSIONS)) == [own.pk]
    assert client.get(session_url(own)).status_code == 200
    assert client.get(session_url(other)).status_code == 404


def test_a_session_of_a_draft_course_is_404_for_anyone(api_client, provider):
    session = SessionFactory(course=CourseFactory(provider=provider, status=Course.Status.DRAFT))

    assert api_client.get(session_url(session)).status_code == 404


@pytest.mark.parametrize("pk", ["abc", "1.5", "-3", "99999999999999999999999", "0"])
def test_a_bad_or_unknown_session_id_is_a_json_404(api_client, pk):
    response = api_client.get(f"{SESSIONS}{pk}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_a_malformed_course_slug_is_a_json_404(api_client):
    response = api_client.get(f"{COURSES}a.b/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_session_filters_course_provider_status_format_and_delivery(
    api_client, provider, other_provider
):
    course = CourseFactory(provider=provider, slug="learn-course")
    a = SessionFactory(course=course, format="online", delivery="turnkey")
    b = SessionFactory(course=course, status=Session.Status.CANCELLED)
    c = SessionFactory(
        course=CourseFactory(provider=other_provider), format="hybrid", starts_in_days=20
    )

    assert sorted(ids(api_client.get(SESSIONS, {"course": "learn-course"}))) == [a.pk, b.pk]
    assert ids(api_client.get(SESSIONS, {"provider": "ces"})) == [c.pk]
    assert ids(api_client.get(SESSIONS, {"status": "cancelled"})) == [b.pk]
    assert ids(api_client.get(SESSIONS, {"format": "online"})) == [a.pk]
    assert ids(api_client.get(SESSIONS, {"format": "hybrid"})) == [c.pk]
    assert ids(api_client.get(SESSIONS, {"delivery": "turnkey"})) == [a.pk]


def test_session_date_filters_use_the_first_meetings_local_date(api_client, provider):
    day = timezone.localdate() + dt.timedelta(days=12)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))
    session = SessionFactory(
        course=CourseFactory(provider=provider),
        registration_closes_at=starts - dt.timedelta(days=1),
        meetings=[(starts, starts + dt.timedelta(minutes=20)), (in_days(40), in_days(40, 12))],
    )

    assert ids(api_client.get(SESSIONS, {"starts_after": day.isoformat()})) == [session.pk]
    assert ids(api_client.get(SESSIONS, {"starts_before": day.isoformat()})) == [session.pk]
    next_day = (day + dt.timedelta(days=1)).isoformat()
    assert ids(api_client.get(SESSIONS, {"starts_after": next_day})) == []
    previous_day = (day - dt.timedelta(days=1)).isoformat()
    assert ids(api_client.get(SESSIONS, {"starts_before": previous_day})) == []


def test_session_has_seats_filter(api_client, provider):
    course = CourseFactory(provider=provider)
    full = SessionFactory(course=course, capacity=1)
    RegistrationFactory(session=full)
    open_ = SessionFactory(course=course, capacity=1, starts_in_days=15)
    RegistrationFactory(session=open_, status=Registration.Status.PENDING)

    assert ids(api_client.get(SESSIONS, {"has_seats": "true"})) == [open_.pk]
    assert ids(api_client.get(SESSIONS, {"has_seats": "false"})) == [full.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"course": "nope"}, "course"),
        ({"provider": "nope"}, "provider"),
        ({"status": "gone"}, "status"),
        ({"format": "x"}, "format"),
        ({"delivery": "x"}, "delivery"),
        ({"starts_after": "2025-02-30"}, "starts_after"),
        ({"starts_before": "soon"}, "starts_before"),
    ],
)
def test_a_bad_session_filter_is_a_400_for_that_field(api_client, params, field):
    response = api_client.get(SESSIONS, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_filtering_sessions_by_a_draft_course_does_not_reveal_it(api_client, client_as, provider):
    CourseFactory(provider=provider, slug="hidden", status=Course.Status.DRAFT)

    assert api_client.get(SESSIONS, {"course": "hidden"}).status_code == 400
    assert client_as(staff_of(provider)).get(SESSIONS, {"course": "hidden"}).status_code == 200


def test_the_session_list_costs_the_same_queries_for_5_and_200_sessions(
    api_client, client_as, provider
):
    course = CourseFactory(provider=provider)
    venue = VenueFactory(provider=provider)
    trainers = UserFactory.create_batch(2)

    def add_sessions(n):
        for session in SessionFactory.create_batch(n, course=course, venue=venue):
            session.trainers.set(trainers)
            Meeting.objects.create(session=session, starts_at=in_days(30), ends_at=in_days(30, 12))

    add_sessions(5)
    RegistrationFactory(session=Session.objects.first())
    RegistrationFactory(session=Session.objects.last(), status=Registration.Status.WAITLISTED)
    small = count_queries(api_client, SESSIONS, {"page_size": 100})
    small_filtered = count_queries(
        api_client, SESSIONS, {"has_seats": "true", "course": course.slug}
    )
    add_sessions(195)
    large = count_queries(api_client, SESSIONS, {"page_size": 100})
    large_filtered = count_queries(
        api_client, SESSIONS, {"has_seats": "true", "course": course.slug}
    )

    assert small == (small[0], 5) and large == (small[0], 100)
    assert large_filtered[0] == small_filtered[0]
    staff = client_as(staff_of(provider))
    assert count_queries(staff, SESSIONS, {"page_size": 100})[0] == small[0] + 1  # roles


# --- sessions: writing --------------------------------------------------------------------------


def test_staff_schedule_a_session_with_its_meetings(client_as, provider, staff):
    course = CourseFactory(provider=provider, slug="ours")
    venue = VenueFactory(provider=provider)
    body = new_session_body(course, venue=venue.pk, is_free=True, delivery="direct")

    response = client_as(staff).post(SESSIONS, body, format="json")

    assert response.status_code == 201, response.json()
    session = Session.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/sessions/{session.pk}/"
    created = response.json()
    assert created["id"] == session.pk
    assert created["course"]["slug"] == "ours"
    assert len(created["meetings"]) == 2
    assert (created["capacity"], created["seats_left"], created["waitlist_count"]) == (30, 30, 0)
    assert created["member_price"] == "0.00"
    assert session.meetings.count() == 2
    assert (session.venue, session.delivery, session.is_free) == (venue, "direct", True)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("meeting_ends_before_start", "meetings"),
        ("registration_closes_after_first_meeting", "registration_closes_at"),
        ("negative_capacity", "capacity"),
        ("unknown_course", "course"),
        ("no_meetings", "meetings"),
        ("missing_meetings", "meetings"),
        ("bad_meeting_time", "meetings"),
        ("unknown_field", "seats_left"),
        ("unknown_meeting_field", "meetings"),
        ("opens_after_close", "registration_opens_at"),
        ("threshold_over_100", "completion_threshold"),
        ("unknown_venue", "venue"),
    ],
)
def test_bad_session_input_is_a_400_for_that_field(client_as, provider, staff, change, field):
    body = new_session_body(CourseFactory(provider=provider))
    start = dt.datetime.fromisoformat(body["meetings"][0]["starts_at"])
    match change:
        case "meeting_ends_before_start":
            body["meetings"][0]["ends_at"] = (start - dt.timedelta(hours=1)).isoformat()
        case "registration_closes_after_first_meeting":
            body["registration_closes_at"] = (start + dt.timedelta(hours=1)).isoformat()
        case "negative_capacity":
            body["capacity"] = -1
        case "unknown_course":
            body["course"] = "no-such-course"
        case "no_meetings":
            body["meetings"] = []
        case "missing_meetings":
            del body["meetings"]
        case "bad_meeting_time":
            body["meetings"][0]["starts_at"] = "tomorrow morning"
        case "unknown_field":
            body["seats_left"] = 3
        case "unknown_meeting_field":
            body["meetings"][0]["room"] = "B"
        case "opens_after_close":
            body["registration_opens_at"] = start.isoformat()
        case "threshold_over_100":
            body["completion_threshold"] = 101
        case "unknown_venue":
            body["venue"] = 999999

    response = client_as(staff).post(SESSIONS, body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Session.objects.exists()


def test_a_meeting_ending_before_it_starts_names_the_meeting(client_as, provider, staff):
    body = new_session_body(CourseFactory(provider=provider))
    body["meetings"][1]["ends_at"] = body["meetings"][1]["starts_at"]

    response = client_as(staff).post(SESSIONS, body, format="json")

    assert response.json() == {"meetings": ["Meeting 2: a meeting must end after it starts."]}


def test_a_venue_of_another_provider_is_a_400(client_as, provider, other_provider, staff):
    body = new_session_body(
        CourseFactory(provider=provider), venue=VenueFactory(provider=other_provider).pk
    )

    response = client_as(staff).post(SESSIONS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"venue": ["The venue belongs to another provider."]}


def test_staff_get_403_scheduling_a_session_of_another_providers_course(
    client_as, other_provider, staff
):
    course = CourseFactory(provider=other_provider)

    response = client_as(staff).post(SESSIONS, new_session_body(course), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "You can only manage your own provider's catalog."}


def test_another_providers_draft_course_is_unknown_when_scheduling(
    client_as, other_provider, staff
):
    course = CourseFactory(provider=other_provider, status=Course.Status.DRAFT)

    response = client_as(staff).post(SESSIONS, new_session_body(course), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["course"]


def test_alliance_admins_schedule_for_any_provider(client_as, other_provider):
    course = CourseFactory(provider=other_provider, status=Course.Status.DRAFT)

    response = client_as(alliance_admin()).post(SESSIONS, new_session_body(course), format="json")

    assert response.status_code == 201


def test_educators_and_anonymous_cannot_write_sessions(api_client, client_as, provider):
    session = SessionFactory(course=CourseFactory(provider=provider))
    body = new_session_body(session.course)

    assert api_client.post(SESSIONS, body, format="json").status_code == 401
    assert api_client.patch(session_url(session), {}, format="json").status_code == 401
    assert api_client.delete(session_url(session)).status_code == 401
    assert api_client.post(session_url(session, "cancel/")).status_code == 401
    client = client_as(educator())
    assert client.post(SESSIONS, body, format="json").status_code == 403
    assert client.patch(session_url(session), {}, format="json").status_code == 403
    assert client.delete(session_url(session)).status_code == 403
    assert client.post(session_url(session, "cancel/")).status_code == 403
    assert Session.objects.filter(pk=session.pk, status="scheduled").exists()


def test_staff_of_another_provider_get_404_on_its_sessions(client_as, other_provider, staff):
    session = SessionFactory(course=CourseFactory(provider=other_provider))
    client = client_as(staff)

    assert client.patch(session_url(session), {"capacity": 3}, format="json").status_code == 404
    assert client.delete(session_url(session)).status_code == 404
    assert client.post(session_url(session, "cancel/")).status_code == 404
    session.refresh_from_db()
    assert (session.capacity, session.status) == (25, "scheduled")


def test_staff_change_a_session_and_replace_its_meetings(client_as, provider, staff):
    session = SessionFactory(course=CourseFactory(provider=provider), starts_in_days=10)
    kept = session.meetings.get()
    moved = kept.starts_at + dt.timedelta(hours=1)
    extra = kept.starts_at + dt.timedelta(days=7)
    body = {
        "capacity": 40,
        "meetings": [
            {"starts_at": moved.isoformat(), "ends_at": kept.ends_at.isoformat()},
            {
                "starts_at": extra.isoformat(),
                "ends_at": (extra + dt.timedelta(hours=3)).isoformat(),
            },
        ],
    }

    response = client_as(staff).patch(session_url(session), body, format="json")

    assert response.status_code == 200, response.json()
    meetings = response.json()["meetings"]
    assert [m["id"] for m in meetings][0] == kept.pk
    assert dt.datetime.fromisoformat(meetings[0]["starts_at"]) == moved
    assert len(meetings) == 2
    assert response.json()["capacity"] == 40


def test_patching_a_session_keeps_meetings_when_not_given(client_as, provider, staff):
    session = SessionFactory(course=CourseFactory(provider=provider))
    meeting = session.meetings.get()

    response = client_as(staff).patch(
        session_url(session), {"notes": "Bring a laptop."}, format="json"
    )

    assert response.status_code == 200
    assert [m["id"] for m in response.json()["meetings"]] == [meeting.pk]
    assert response.json()["notes"] == "Bring a laptop."


def test_patching_registration_to_close_after_the_first_meeting_is_a_400(
    client_as, provider, staff
):
    session = SessionFactory(course=CourseFactory(provider=provider))
    late = session.meetings.get().starts_at + dt.timedelta(hours=2)

    response = client_as(staff).patch(
        session_url(session), {"registration_closes_at": late.isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "registration_closes_at": ["Registration must close before the first meeting starts."]
    }


def test_staff_delete_a_session_nobody_registered_for(client_as, provider, staff):
    session = SessionFactory(course=CourseFactory(provider=provider))

    response = client_as(staff).delete(session_url(session))

    assert response.status_code == 204
    assert not Session.objects.exists()


def test_deleting_a_session_with_registrations_is_a_400(client_as, provider, staff):
    session = SessionFactory(course=CourseFactory(provider=provider))
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)

    response = client_as(staff).delete(session_url(session))

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "People have registered for this session; cancel it instead of deleting it."
        ]
    }
    assert Session.objects.filter(pk=session.pk).exists()


def test_staff_cancel_a_session_and_repeating_it_changes_nothing(client_as, provider, staff):
    session = SessionFactory(course=CourseFactory(provider=provider))
    client = client_as(staff)

    first = client.post(session_url(session, "cancel/"))
    second = client.post(session_url(session, "cancel/"))

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "cancelled"
    assert first.json()["cancelled_at"] == second.json()["cancelled_at"] is not None


def test_alliance_admins_manage_any_session(client_as, other_provider):
    session = SessionFactory(course=CourseFactory(provider=other_provider))
    client = client_as(alliance_admin())

    assert client.patch(session_url(session), {"capacity": 3}, format="json").status_code == 200
    assert client.delete(session_url(session)).status_code == 204


# --- schema -------------------------------------------------------------------------------------


def test_the_schema_and_docs_answer(api_client):
    schema = api_client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ["/api/v1/courses/{slug}/", "/api/v1/sessions/{id}/cancel/"]:
        assert path in text
    assert api_client.get("/api/docs/").status_code == 200


# --- odd input is never a 500 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"q": "nul\x00byte"},
        {"provider": "nul\x00byte"},
        {"program": "\x00"},
        {"page_size": "abc"},
        {"page_size": "-5"},
        {"page": "0"},
        {"has_seats": "maybe"},
        {"starts_after": "99999-01-01"},
        {"q": "'\"); DROP TABLE courses_course; --"},
    ],
)
def test_odd_course_filters_are_never_a_server_error(api_client, params):
    response = api_client.get(COURSES, params)

    assert response.status_code in {200, 400, 404}
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "params",
    [{"course": "\x00"}, {"starts_before": "0000-00-00"}, {"has_seats": ""}, {"status": ""}],
)
def test_odd_session_filters_are_never_a_server_error(api_client, params):
    response = api_client.get(SESSIONS, params)

    assert response.status_code in {200, 400}


@pytest.mark.parametrize(
    "overrides",
    [
        {"capacity": 10**12},
        {"capacity": "many"},
        {"course": "\x00"},
        {"title": "nul\x00"},
        {"registration_closes_at": "9999-12-31T23:59:59-12:00"},
        {"meetings": [{"starts_at": "0001-01-01T00:00:00+14:00", "ends_at": "x"}]},
        {"meetings": "not a list"},
        {"meetings": [1, 2]},
        {"member_price": "NaN"},
        {"venue": "abc"},
    ],
)
def test_odd_session_input_is_a_400(client_as, provider, staff, overrides):
    body = {**new_session_body(CourseFactory(provider=provider)), **overrides}

    response = client_as(staff).post(SESSIONS, body, format="json")

    assert response.status_code == 400, response.content
    assert not Session.objects.exists()


def test_an_odd_course_slug_in_the_path_is_a_404(client_as, staff):
    response = client_as(staff).patch(f"{COURSES}%00/", {"title": "x"}, format="json")

    assert response.status_code == 404


def test_staff_name_trainers_and_turnkey_sessions_take_only_certified_ones(api_client):
    from courses.models import CertifiedTrainer
    from tests.factories import ProgramFactory, UserFactory, in_days

    program = ProgramFactory()
    course = CourseFactory(provider=program.provider, program=program)
    staff = staff_of(program.provider)
    trainer = UserFactory()
    api_client.force_authenticate(staff)
    body = {
        "course": course.slug,
        "capacity": 20,
        "registration_closes_at": in_days(9).isoformat(),
        "meetings": [
            {"starts_at": in_days(10, 9).isoformat(), "ends_at": in_days(10, 12).isoformat()}
        ],
        "trainers": [trainer.pk],
    }
    colleague = staff_of(program.provider)
    direct = api_client.post(
        "/api/v1/sessions/", {**body, "trainers": [colleague.pk]}, format="json"
    )
    assert direct.status_code == 201
    turnkey = api_client.post(
        "/api/v1/sessions/",
        {**body, "delivery": "turnkey", "trainers": [colleague.pk]},
        format="json",
    )
    assert turnkey.status_code == 400 and "trainers" in turnkey.json()
    # Someone who is neither staff nor certified leads nothing of this provider's.
    assert api_client.post("/api/v1/sessions/", body, format="json").status_code == 400
    CertifiedTrainer.objects.create(program=program, person=trainer, certified_at=in_days(-30))
    assert api_client.post("/api/v1/sessions/", body, format="json").status_code == 201
    assert (
        api_client.post(
            "/api/v1/sessions/", {**body, "delivery": "turnkey"}, format="json"
        ).status_code
        == 201
    )
    unknown = api_client.post("/api/v1/sessions/", {**body, "trainers": [999999]}, format="json")
    assert unknown.status_code == 400 and "trainers" in unknown.json()


def _trainer_patch(client, session, ids):
    return client.patch(session_url(session), {"trainers": ids}, format="json")


def test_staff_cannot_name_an_outsider_as_trainer_nor_learn_their_name(
    client_as, provider, other_provider
):
    """Security review: naming any user id as trainer showed their full name on the session."""
    session = SessionFactory(course=CourseFactory(provider=provider))
    outsider = educator(first_name="Private", last_name="Person")
    other_staff = staff_of(other_provider, first_name="Other", last_name="Staffer")
    nobody = outsider.pk + other_staff.pk + 1000
    client = client_as(staff_of(provider))

    answers = [
        _trainer_patch(client, session, [pk]) for pk in (outsider.pk, other_staff.pk, nobody)
    ]

    for answer, pk in zip(answers, (outsider.pk, other_staff.pk, nobody), strict=True):
        assert answer.status_code == 400
        assert answer.json() == {"trainers": [f"Not a trainer you can assign: {pk}."]}
    assert not session.trainers.exists()
    page = client.get(session_url(session)).json()
    assert page["trainers"] == []
    assert "Private" not in str([a.content for a in answers])


def test_staff_name_their_colleagues_and_past_trainers(client_as, provider):
    session = SessionFactory(course=CourseFactory(provider=provider))
    colleague = staff_of(provider, first_name="Cole", last_name="League")
    veteran = UserFactory(first_name="Vera", last_name="Teran")
    SessionFactory(course=CourseFactory(provider=provider)).trainers.add(veteran)

    answer = _trainer_patch(client_as(staff_of(provider)), session, [colleague.pk, veteran.pk])

    assert answer.status_code == 200
    assert sorted(answer.json()["trainers"]) == ["Cole League", "Vera Teran"]


def test_an_ineligible_trainer_given_as_a_string_id_gets_the_same_answer(client_as, provider):
    session = SessionFactory(course=CourseFactory(provider=provider))
    outsider = educator()

    answer = _trainer_patch(client_as(staff_of(provider)), session, [str(outsider.pk), "x"])

    assert answer.status_code == 400
    assert answer.json()["trainers"][0] == f"Not a trainer you can assign: {outsider.pk}."

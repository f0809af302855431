"""The public catalog pages: the course list with its filters, a course, a session."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from courses.models import Audience, Course, Session
from registrations.models import Registration
from tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    staff_of,
)

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
# Monday, the day after daylight saving time ended in 2026.
NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


def session_at(start: dt.datetime, *, course: Course | None = None, **fields) -> Session:
    """A session with one six-hour meeting at `start` (registration closes the day before)."""
    fields.setdefault("registration_opens_at", start - dt.timedelta(days=30))
    fields.setdefault("registration_closes_at", start - dt.timedelta(days=1))
    return SessionFactory(
        course=course or CourseFactory(),
        meetings=[(start, start + dt.timedelta(hours=6))],
        **fields,
    )


def fill(session: Session, confirmed: int, waitlisted: int = 0) -> None:
    for _ in range(confirmed):
        RegistrationFactory(session=session, status=Registration.Status.CONFIRMED)
    for _ in range(waitlisted):
        RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)


def listed(response) -> list[str]:
    """Titles of the courses on the catalog page, in order."""
    return [course.title for course in response.context["page"].object_list]


# The course list ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/courses/"])
def test_catalog_lists_published_courses_with_upcoming_sessions_only(client, url):
    open_course = CourseFactory(title="Classroom Routines")
    session_at(local(2026, 12, 8), course=open_course)
    session_at(local(2026, 12, 1), course=CourseFactory(title="Unpublished Draft", status="draft"))
    session_at(local(2026, 12, 1), course=CourseFactory(title="Old Archived", status="archived"))
    session_at(local(2026, 12, 1), course=CourseFactory(title="Called Off"), status="cancelled")
    session_at(local(2026, 10, 1), course=CourseFactory(title="Already Happened"))
    mixed = CourseFactory(title="Mixed Schedule")
    upcoming = session_at(local(2026, 12, 10), course=mixed)
    cancelled = session_at(local(2026, 12, 3), course=mixed, status="cancelled")
    past = session_at(local(2026, 10, 20), course=mixed)
    # A session already under way (first meeting started) is no longer upcoming.
    session_at(local(2026, 11, 2, 9), course=CourseFactory(title="Started This Morning"))

    response = client.get(url)

    assert response.status_code == 200
    assert listed(response) == ["Classroom Routines", "Mixed Schedule"]
    html = response.content.decode()
    assert "2 courses" in html
    assert "Tue, Dec 8, 2026, 9:00 AM EST" in html
    assert f'href="/sessions/{upcoming.pk}/"' in html
    assert f'href="/sessions/{cancelled.pk}/"' not in html
    assert f'href="/sessions/{past.pk}/"' not in html
    for hidden in ["Unpublished Draft", "Old Archived", "Called Off", "Already Happened"]:
        assert hidden not in html


def test_catalog_card_shows_course_facts_and_each_session(client):
    provider = ProviderFactory(short_name="LEARN")
    program = ProgramFactory(provider=provider, name="UPLIFT")
    course = CourseFactory(
        title="Trauma Basics",
        provider=provider,
        program=program,
        audience=Audience.PARAEDUCATORS,
        hours=Decimal("6.50"),
        summary="Understand how stress shapes behaviour.",
    )
    in_person = session_at(
        local(2026, 12, 8), course=course, venue=VenueFactory(name="Hall B", town="Old Lyme")
    )
    online = session_at(local(2026, 12, 9, 15, 30), course=course, format="online", capacity=3)
    fill(in_person, confirmed=1)
    fill(online, confirmed=3, waitlisted=2)

    html = client.get("/courses/").content.decode()

    assert f'href="{course.get_absolute_url()}">Trauma Basics</a>' in html
    for text in ["LEARN", "UPLIFT", "Paraeducators", "6.50", "Understand how stress shapes"]:
        assert text in html
    assert "Tue, Dec 8, 2026, 9:00 AM EST" in html
    assert "Hall B, Old Lyme" in html
    assert "24 seats left" in html
    assert "Wed, Dec 9, 2026, 3:30 PM EST" in html
    assert "Online" in html
    assert "Full — waitlist open" in html
    assert "(2 waiting)" in html
    assert f'href="/sessions/{online.pk}/"' in html


@pytest.mark.parametrize(
    "q", ["mathematics", "Mathematics", "coaching", "coaching mathematics"], ids=str
)
def test_search_finds_words_in_title_and_summary(client, q):
    session_at(
        local(2026, 12, 8),
        course=CourseFactory(
            title="Mathematics Workshop", summary="Practical coaching for new teachers."
        ),
    )
    session_at(
        local(2026, 12, 9),
        course=CourseFactory(title="Restorative Circles", summary="Build community in class."),
    )

    response = client.get("/courses/", {"q": q})

    assert listed(response) == ["Mathematics Workshop"]
    assert "Restorative Circles" not in response.content.decode()


def test_search_with_no_match_shows_the_empty_state(client):
    session_at(local(2026, 12, 8), course=CourseFactory(title="Mathematics Workshop"))

    response = client.get("/courses/", {"q": "astronomy"})

    assert response.status_code == 200
    assert listed(response) == []
    html = response.content.decode()
    assert "0 courses" in html
    assert "No upcoming courses match these filters" in html
    assert "clear all filters" in html


def test_filter_by_provider(client):
    learn, ces = ProviderFactory(short_name="LEARN"), ProviderFactory(short_name="CES")
    session_at(local(2026, 12, 8), course=CourseFactory(title="At Learn", provider=learn))
    session_at(local(2026, 12, 8), course=CourseFactory(title="At Ces", provider=ces))

    assert listed(client.get("/courses/", {"provider": learn.slug})) == ["At Learn"]


def test_filter_by_program(client):
    uplift = ProgramFactory(name="UPLIFT", slug="uplift")
    session_at(local(2026, 12, 8), course=CourseFactory(title="In Uplift", program=uplift))
    session_at(local(2026, 12, 8), course=CourseFactory(title="No Program"))

    assert listed(client.get("/courses/", {"program": "uplift"})) == ["In Uplift"]


def test_filter_by_format_lists_only_matching_sessions(client):
    both = CourseFactory(title="Both Formats")
    in_person = session_at(local(2026, 12, 8), course=both)
    online = session_at(local(2026, 12, 9), course=both, format="online")
    session_at(local(2026, 12, 8), course=CourseFactory(title="Only In Person"))

    response = client.get("/courses/", {"format": "online"})

    assert listed(response) == ["Both Formats"]
    html = response.content.decode()
    assert f'href="/sessions/{online.pk}/"' in html
    assert f'href="/sessions/{in_person.pk}/"' not in html


def test_filter_by_audience(client):
    session_at(
        local(2026, 12, 8), course=CourseFactory(title="For Leaders", audience="administrators")
    )
    session_at(local(2026, 12, 8), course=CourseFactory(title="For Everyone"))

    assert listed(client.get("/courses/", {"audience": "administrators"})) == ["For Leaders"]


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 12, 8), dt.date(2027, 6, 8)],
    ids=["winter-EST", "summer-EDT"],
)
def test_date_filters_decide_by_the_local_date(client, day):
    """11:30 PM Eastern is already the next day in UTC; it still counts for its local date."""
    next_day = day + dt.timedelta(days=1)
    session_at(
        local(day.year, day.month, day.day, 23, 30), course=CourseFactory(title="Late Night")
    )
    session_at(
        local(next_day.year, next_day.month, next_day.day, 0, 30),
        course=CourseFactory(title="Just After Midnight"),
    )

    def titles(**params) -> list[str]:
        return sorted(listed(client.get("/courses/", {k: str(v) for k, v in params.items()})))

    assert titles(starts_before=day) == ["Late Night"]
    assert titles(starts_after=day) == ["Just After Midnight", "Late Night"]
    assert titles(starts_after=next_day) == ["Just After Midnight"]
    assert titles(starts_after=day, starts_before=day) == ["Late Night"]
    assert titles(starts_before=day - dt.timedelta(days=1)) == []


def test_has_seats_excludes_full_sessions(client):
    full_only = CourseFactory(title="Only Full")
    fill(session_at(local(2026, 12, 8), course=full_only, capacity=2), confirmed=2)
    mixed = CourseFactory(title="Some Seats")
    full = session_at(local(2026, 12, 8), course=mixed, capacity=1)
    fill(full, confirmed=1)
    open_ = session_at(local(2026, 12, 9), course=mixed, capacity=2)
    # Pending and waitlisted registrations hold no seat.
    RegistrationFactory(session=open_, status=Registration.Status.PENDING)
    RegistrationFactory(session=open_, status=Registration.Status.WAITLISTED)
    fill(open_, confirmed=1)

    unfiltered = client.get("/courses/")
    response = client.get("/courses/", {"has_seats": "on"})

    assert listed(unfiltered) == ["Only Full", "Some Seats"]
    assert listed(response) == ["Some Seats"]
    html = response.content.decode()
    assert f'href="/sessions/{open_.pk}/"' in html
    assert f'href="/sessions/{full.pk}/"' not in html
    assert "1 seat left" in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"provider": "no-such-resc"}, "provider", "Select a valid choice"),
        ({"program": "no-such-program"}, "program", "Select a valid choice"),
        ({"format": "carrier-pigeon"}, "format", "Select a valid choice"),
        ({"audience": "students"}, "audience", "Select a valid choice"),
        ({"starts_after": "2026-02-30"}, "starts_after", "Enter a valid date."),
        ({"starts_before": "next tuesday"}, "starts_before", "Enter a valid date."),
        (
            {"starts_after": "2026-12-10", "starts_before": "2026-12-01"},
            "starts_before",
            "Choose a date on or after",
        ),
    ],
    ids=["provider", "program", "format", "audience", "bad-date", "words", "reversed-range"],
)
def test_bad_filter_values_show_an_error_by_the_field(client, params, field, message):
    session_at(local(2026, 12, 12), course=CourseFactory(title="Still Listed"))

    response = client.get("/courses/", params)

    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
    html = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error">' in html
    assert f'aria-describedby="id_{field}_error"' in html
    # The bad value filters nothing (a reversed range keeps its valid "after" bound).
    assert listed(response) == ["Still Listed"]


def test_valid_filters_still_apply_next_to_a_bad_one(client):
    session_at(local(2026, 12, 8), course=CourseFactory(title="Mathematics Workshop"))
    session_at(local(2026, 12, 8), course=CourseFactory(title="Restorative Circles"))

    response = client.get("/courses/", {"q": "mathematics", "starts_after": "not-a-date"})

    assert response.status_code == 200
    assert listed(response) == ["Mathematics Workshop"]


def test_catalog_paginates_twelve_courses_a_page_and_keeps_filters_in_links(client):
    for n in range(13):
        session_at(
            local(2026, 12, 1) + dt.timedelta(days=n),
            course=CourseFactory(title=f"Workshop {n:02d}"),
        )

    first = client.get("/courses/", {"q": "workshop"})
    second = client.get("/courses/", {"q": "workshop", "page": "2"})

    assert listed(first) == [f"Workshop {n:02d}" for n in range(12)]
    assert listed(second) == ["Workshop 12"]
    assert "13 courses" in first.content.decode()
    assert 'href="?q=workshop&amp;page=2"' in first.content.decode()
    assert 'href="?q=workshop&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize(
    ("page", "expected_number"),
    [("99", 2), ("0", 2), ("-1", 2), ("abc", 1), ("", 1), ("1.5", 1)],
)
def test_bad_page_numbers_give_the_first_or_last_page(client, page, expected_number):
    for n in range(13):
        session_at(local(2026, 12, 1), course=CourseFactory(title=f"Workshop {n:02d}"))

    response = client.get("/courses/", {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == expected_number


def test_empty_catalog_without_filters_says_nothing_is_scheduled(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "No courses are scheduled right now" in response.content.decode()


def test_catalog_page_is_accessible_markup(client):
    session_at(local(2026, 12, 8), course=CourseFactory(title="Mathematics Workshop"))

    html = client.get("/courses/").content.decode()

    assert html.count("<h1") == 1
    assert '<form class="filters" method="get" action="/courses/" role="search"' in html
    assert 'aria-label="Filter courses"' in html
    for name in [
        "q",
        "provider",
        "program",
        "format",
        "audience",
        "starts_after",
        "starts_before",
        "has_seats",
    ]:
        assert f'<label for="id_{name}">' in html
    assert 'type="date" name="starts_after"' in html
    assert "Only sessions with seats left" in html


@pytest.mark.parametrize(
    "params",
    [{}, {"provider": "learn", "has_seats": "on", "q": "workshop"}],
    ids=["all", "filtered"],
)
def test_catalog_costs_the_same_queries_for_5_and_200_sessions(client, params, count_queries):
    provider = ProviderFactory(short_name="LEARN")
    program = ProgramFactory(provider=provider)
    venue = VenueFactory(provider=provider)

    def add_sessions(count: int, offset: int) -> None:
        course = None
        for n in range(offset, offset + count):
            if n % 5 == 0:
                course = CourseFactory(
                    title=f"Workshop {n:03d}", provider=provider, program=program
                )
            session_at(
                local(2026, 12, 1, 8) + dt.timedelta(hours=n),
                course=course,
                venue=venue if n % 2 else None,
                format="in_person" if n % 2 else "online",
            )

    def catalog():
        assert client.get("/courses/", params).status_code == 200

    add_sessions(5, 0)
    fill(Session.objects.first(), confirmed=1, waitlisted=1)
    at_5 = count_queries(catalog)
    add_sessions(195, 5)
    at_200 = count_queries(catalog)

    assert at_5 == at_200
    assert at_5 <= 6


# A course -----------------------------------------------------------------------------------


def test_course_page_shows_facts_prices_and_upcoming_sessions(client):
    course = CourseFactory(
        title="Trauma Basics",
        program=ProgramFactory(name="UPLIFT"),
        member_price=Decimal("125.00"),
        non_member_price=Decimal("1250.00"),
        description="First paragraph.\n\nSecond paragraph.",
        audience=Audience.TEACHERS,
    )
    upcoming = session_at(local(2026, 12, 8), course=course)
    cancelled = session_at(local(2026, 12, 9), course=course, status="cancelled")
    past = session_at(local(2026, 10, 9), course=course)

    response = client.get(f"/courses/{course.slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for text in ["Trauma Basics", "UPLIFT", "Teachers", "$125.00", "$1,250.00"]:
        assert text in html
    assert "<p>First paragraph.</p>" in html
    assert "Tue, Dec 8, 2026, 9:00 AM EST" in html
    assert f'href="/sessions/{upcoming.pk}/"' in html
    assert f'href="/sessions/{cancelled.pk}/"' not in html
    assert f'href="/sessions/{past.pk}/"' not in html


def test_course_page_shows_free_for_a_zero_price(client):
    course = CourseFactory(member_price=Decimal("0"), non_member_price=Decimal("40"))

    html = client.get(f"/courses/{course.slug}/").content.decode()

    assert "<dt>Member price</dt><dd>Free" in html
    assert "$40.00" in html
    assert "No sessions of this course are scheduled right now" in html


@pytest.mark.parametrize(
    ("name", "short_name", "shown"),
    [
        ("LEARN", "LEARN", "<dd>LEARN</dd>"),
        (
            "Capitol Region Education Council",
            "CREC",
            "<dd>Capitol Region Education Council (CREC)</dd>",
        ),
    ],
    ids=["name is the short name", "name and short name"],
)
def test_course_and_session_pages_name_the_provider_once(client, name, short_name, shown):
    provider = ProviderFactory(name=name, short_name=short_name)
    session = session_at(local(2026, 12, 8), course=CourseFactory(provider=provider))

    for url in (f"/courses/{session.course.slug}/", f"/sessions/{session.pk}/"):
        html = client.get(url).content.decode()
        assert f"<dt>Provider</dt>{shown}" in html, url
        assert "LEARN (LEARN)" not in html, url


@pytest.mark.parametrize("status", [Course.Status.DRAFT, Course.Status.ARCHIVED])
@pytest.mark.parametrize("who", ["anonymous", "provider staff"])
def test_course_page_is_404_unless_published(client, status, who):
    course = CourseFactory(status=status)
    session_at(local(2026, 12, 8), course=course)
    if who == "provider staff":
        client.force_login(staff_of(course.provider))

    assert client.get(f"/courses/{course.slug}/").status_code == 404


def test_course_page_costs_the_same_queries_for_1_and_20_sessions(client, count_queries):
    course = CourseFactory()
    session_at(local(2026, 12, 1), course=course, venue=VenueFactory())

    def course_page():
        assert client.get(f"/courses/{course.slug}/").status_code == 200

    at_1 = count_queries(course_page)
    for n in range(19):
        session_at(local(2026, 12, 2) + dt.timedelta(days=n), course=course, venue=VenueFactory())

    assert count_queries(course_page) == at_1


# A session ----------------------------------------------------------------------------------


def test_session_page_shows_meetings_in_local_time_with_weekday_and_availability(client):
    course = CourseFactory(
        title="Trauma Basics", member_price=Decimal("125"), non_member_price=Decimal("175")
    )
    # Two days either side of the start of daylight saving time (March 14, 2027).
    session = SessionFactory(
        course=course,
        title="Cohort 3",
        capacity=25,
        format="hybrid",
        venue=VenueFactory(name="Hall B", address="12 Main Street", town="Old Lyme"),
        online_url="https://meet.example.org/secret-room",
        requires_approval=True,
        registration_opens_at=local(2027, 1, 4, 8),
        registration_closes_at=local(2027, 3, 1, 17),
        meetings=[
            (local(2027, 3, 9, 9), local(2027, 3, 9, 15)),
            (local(2027, 3, 16, 8, 30), local(2027, 3, 16, 12)),
        ],
    )
    session.trainers.add(UserFactory(first_name="Robin", last_name="Trainer"))
    fill(session, confirmed=3, waitlisted=1)

    response = client.get(f"/sessions/{session.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Trauma Basics" in html and "Cohort 3" in html
    assert "Tue, Mar 9, 2027, 9:00 AM" in html and "3:00 PM EST" in html
    assert "Tue, Mar 16, 2027, 8:30 AM" in html and "12:00 PM EDT" in html
    assert "Hall B" in html and "12 Main Street" in html and "Old Lyme" in html
    assert "Online (link sent to registered participants)" in html
    assert "secret-room" not in html
    assert "Robin Trainer" in html
    assert "Members $125.00 · non-members $175.00" in html
    assert "<dt>Capacity</dt><dd>25 seats</dd>" in html
    assert '<dt>Seats left</dt><dd><span class="seats-ok">22</span>' in html
    assert "<dt>Waitlist</dt><dd>1 waiting</dd>" in html
    assert "Requires approval from your district" in html
    assert 'aria-labelledby="registration-heading"' in html
    assert "Mon, Jan 4, 2027, 8:00 AM EST" in html
    assert "Mon, Mar 1, 2027, 5:00 PM EST" in html
    assert "Registration is not open yet." in html


def test_full_free_session_page(client):
    session = session_at(
        local(2026, 12, 8),
        capacity=1,
        is_free=True,
        format="online",
        registration_opens_at=NOW - dt.timedelta(days=1),
    )
    fill(session, confirmed=1, waitlisted=2)

    html = client.get(f"/sessions/{session.pk}/").content.decode()

    assert "Free (grant-funded)" in html
    assert "None — waitlist open" in html
    assert "<dt>Waitlist</dt><dd>2 waiting</dd>" in html
    assert "Online (link sent to registered participants)" in html
    assert "Registration is open." in html


def test_session_page_after_registration_closed(client, time_machine):
    session = session_at(local(2026, 12, 8))
    time_machine.move_to(local(2026, 12, 7, 18), tick=False)

    html = client.get(f"/sessions/{session.pk}/").content.decode()

    assert "Registration has closed." in html


def test_cancelled_session_page_says_so(client):
    session = session_at(local(2026, 12, 8), status="cancelled", cancelled_at=NOW)

    response = client.get(f"/sessions/{session.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "This session was cancelled on Mon, Nov 2, 2026." in html
    assert "Registration is closed: this session was cancelled." in html


@pytest.mark.parametrize("status", [Course.Status.DRAFT, Course.Status.ARCHIVED])
def test_session_page_is_404_unless_its_course_is_published(client, status):
    session = session_at(local(2026, 12, 8), course=CourseFactory(status=status))

    assert client.get(f"/sessions/{session.pk}/").status_code == 404


def test_unknown_session_is_404(client):
    assert client.get("/sessions/999999/").status_code == 404

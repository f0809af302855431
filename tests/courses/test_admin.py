"""The admin: provider staff work on their own provider's catalog only; sessions obey the
schedule rules of courses.services."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Meeting, Session
from organizations.models import Provider, Role
from tests.factories import (
    CourseFactory,
    DistrictFactory,
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


@pytest.fixture
def learn_staff(client, staff) -> User:
    client.force_login(staff)
    return staff


def _course_post(*, provider: Provider, program=None, **overrides) -> dict:
    data = {
        "provider": provider.pk,
        "program": program.pk if program else "",
        "title": "Restorative Circles",
        "slug": "restorative-circles",
        "summary": "",
        "description": "",
        "audience": "all_staff",
        "hours": "6",
        "member_price": "100",
        "non_member_price": "150",
        "status": "draft",
    }
    return {**data, **overrides}


def _split(value: dt.datetime | None, name: str) -> dict:
    """The admin's split date/time inputs for one datetime field."""
    if value is None:
        return {f"{name}_0": "", f"{name}_1": ""}
    local = timezone.localtime(value)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


def _session_post(
    *,
    course: Course,
    meetings: list[tuple[dt.datetime, dt.datetime]],
    closes_at: dt.datetime,
    capacity: int | str = 20,
    venue=None,
    existing: list[Meeting] = (),
) -> dict:
    data = {
        "course": course.pk,
        "title": "Cohort 1",
        "delivery": "direct",
        "format": "in_person",
        "venue": venue.pk if venue else "",
        "online_url": "",
        "capacity": capacity,
        **_split(None, "registration_opens_at"),
        **_split(closes_at, "registration_closes_at"),
        "member_price": "",
        "non_member_price": "",
        "completion_threshold": "100",
        "evaluation_required": "on",  # ticked by default, as the browser sends it
        "notes": "",
        "meetings-TOTAL_FORMS": str(len(meetings)),
        "meetings-INITIAL_FORMS": str(len(existing)),
        "meetings-MIN_NUM_FORMS": "1",
        "meetings-MAX_NUM_FORMS": "1000",
    }
    for number, (starts_at, ends_at) in enumerate(meetings):
        data |= _split(starts_at, f"meetings-{number}-starts_at")
        data |= _split(ends_at, f"meetings-{number}-ends_at")
        if number < len(existing):
            data[f"meetings-{number}-id"] = existing[number].pk
            data[f"meetings-{number}-session"] = existing[number].session_id
    return data


# Who sees what


def test_provider_staff_see_their_providers_courses_but_not_others(
    client, provider, other_provider, learn_staff
):
    CourseFactory(provider=provider, title="LEARN Literacy Lab")
    CourseFactory(provider=other_provider, title="CES Math Circles")

    response = client.get(reverse("admin:courses_course_changelist"))

    assert response.status_code == 200
    assert "LEARN Literacy Lab" in response.text
    assert "CES Math Circles" not in response.text


def test_provider_staff_cannot_open_another_providers_course(client, other_provider, learn_staff):
    course = CourseFactory(
        provider=other_provider, title="CES Math Circles", summary="Secret summary"
    )

    response = client.get(reverse("admin:courses_course_change", args=[course.pk]), follow=True)

    assert response.redirect_chain[0][0] == reverse("admin:index")
    assert "doesn’t exist" in response.text
    assert "Secret summary" not in response.text
    assert "CES Math Circles" not in response.text


def test_provider_staff_cannot_change_or_delete_another_providers_course(
    client, other_provider, learn_staff
):
    course = CourseFactory(provider=other_provider, title="CES Math Circles")

    client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        _course_post(provider=other_provider, title="Renamed", slug=course.slug),
    )
    client.post(reverse("admin:courses_course_delete", args=[course.pk]), {"post": "yes"})

    course.refresh_from_db()
    assert course.title == "CES Math Circles"


def test_provider_staff_cannot_put_a_course_in_another_providers_program(
    client, provider, other_provider, learn_staff
):
    ces_program = ProgramFactory(provider=other_provider)

    response = client.post(
        reverse("admin:courses_course_add"), _course_post(provider=provider, program=ces_program)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "program" in errors
    assert "Select a valid choice" in errors["program"][0]
    assert not Course.objects.exists()


def test_provider_staff_cannot_create_a_course_for_another_provider(
    client, other_provider, learn_staff
):
    response = client.post(
        reverse("admin:courses_course_add"), _course_post(provider=other_provider)
    )

    assert response.status_code == 200
    assert "provider" in response.context["adminform"].form.errors
    assert not Course.objects.exists()


def test_provider_staff_add_a_course_for_their_provider(client, provider, learn_staff):
    program = ProgramFactory(provider=provider)

    response = client.get(reverse("admin:courses_course_add"))
    assert response.context["adminform"].form.initial["provider"] == provider.pk

    response = client.post(
        reverse("admin:courses_course_add"), _course_post(provider=provider, program=program)
    )

    assert response.status_code == 302
    course = Course.objects.get()
    assert (course.provider, course.program) == (provider, program)


def test_alliance_admin_sees_every_providers_courses(client, provider, other_provider):
    CourseFactory(provider=provider, title="LEARN Literacy Lab")
    CourseFactory(provider=other_provider, title="CES Math Circles")
    client.force_login(alliance_admin())

    response = client.get(reverse("admin:courses_course_changelist"))

    assert response.status_code == 200
    assert "LEARN Literacy Lab" in response.text
    assert "CES Math Circles" in response.text


def test_an_educator_is_sent_to_the_admin_login(client):
    client.force_login(educator())

    response = client.get(reverse("admin:courses_course_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_a_role_see_no_catalog(client, provider):
    CourseFactory(provider=provider)
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("admin:courses_course_changelist")).status_code == 403


def test_provider_staff_see_only_their_sessions_and_registrations(
    client, provider, other_provider, learn_staff
):
    ours = RegistrationFactory(session__course=CourseFactory(provider=provider, title="Ours"))
    theirs = RegistrationFactory(
        session__course=CourseFactory(provider=other_provider, title="Theirs")
    )

    sessions = client.get(reverse("admin:courses_session_changelist"))
    registrations = client.get(reverse("admin:registrations_registration_changelist"))

    assert list(sessions.context["cl"].result_list) == [ours.session]
    assert list(registrations.context["cl"].result_list) == [ours]
    other = client.get(
        reverse("admin:registrations_registration_change", args=[theirs.pk]), follow=True
    )
    assert "doesn’t exist" in other.text


def test_registrations_are_read_only_in_the_admin(client, provider, learn_staff):
    registration = RegistrationFactory(session__course=CourseFactory(provider=provider))

    response = client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    )

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.get(reverse("admin:registrations_registration_add")).status_code == 403


def test_provider_staff_view_districts_but_cannot_edit_providers_districts_roles_or_people(
    client, provider, learn_staff
):
    district = DistrictFactory(member_of=provider)

    assert client.get(reverse("admin:organizations_district_changelist")).status_code == 200
    page = client.get(reverse("admin:organizations_district_change", args=[district.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    for name in ("organizations_provider_add", "organizations_district_add"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403
    for name in ("organizations_role_changelist", "accounts_user_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403
    client.post(
        reverse("admin:organizations_district_change", args=[district.pk]),
        {"name": "Renamed", "csde_code": district.csde_code, "kind": "public"},
    )
    district.refresh_from_db()
    assert district.name != "Renamed"


def test_alliance_admin_manages_providers_and_people_but_cannot_make_themself_superuser(client):
    admin = alliance_admin()
    client.force_login(admin)

    assert client.get(reverse("admin:organizations_provider_add")).status_code == 200
    page = client.get(reverse("admin:accounts_user_change", args=[admin.pk]))
    assert page.status_code == 200
    assert "is_superuser" not in page.context["adminform"].form.fields


def test_alliance_admin_adds_a_person_by_email(client):
    client.force_login(alliance_admin())

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.org",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.org")
    assert person.check_password("a-long-enough-passphrase")


def test_granting_a_staff_role_in_the_admin_lets_the_person_into_the_admin(client, provider):
    client.force_login(alliance_admin())
    person = UserFactory()

    response = client.post(
        reverse("admin:organizations_role_add"),
        {"user": person.pk, "kind": "provider_staff", "provider": provider.pk, "district": ""},
    )

    assert response.status_code == 302
    assert Role.objects.filter(user=person, kind="provider_staff", provider=provider).exists()
    person.refresh_from_db()
    assert person.is_staff


# Sessions and their meetings


def test_session_with_a_meeting_ending_before_it_starts_is_not_saved(client, provider, learn_staff):
    course = CourseFactory(provider=provider)
    start = in_days(10)

    response = client.post(
        reverse("admin:courses_session_add"),
        _session_post(
            course=course, meetings=[(start, start - dt.timedelta(hours=1))], closes_at=in_days(5)
        ),
    )

    assert response.status_code == 200
    assert "A meeting must end after it starts." in response.text
    assert not Session.objects.exists()
    assert not Meeting.objects.exists()


def test_session_whose_registration_closes_after_the_first_meeting_is_not_saved(
    client, provider, learn_staff
):
    course = CourseFactory(provider=provider)
    first, second = in_days(10), in_days(11)

    response = client.post(
        reverse("admin:courses_session_add"),
        _session_post(
            course=course,
            meetings=[(second, second.replace(hour=15)), (first, first.replace(hour=15))],
            closes_at=in_days(10, hour=12),
        ),
    )

    assert response.status_code == 200
    assert "Registration must close before the first meeting starts." in response.text
    assert not Session.objects.exists()


def test_a_valid_session_with_two_meetings_is_saved(client, provider, learn_staff):
    course = CourseFactory(provider=provider)
    venue = VenueFactory(provider=provider)
    first, second = in_days(10), in_days(11)

    response = client.post(
        reverse("admin:courses_session_add"),
        _session_post(
            course=course,
            venue=venue,
            meetings=[(first, first.replace(hour=15)), (second, second.replace(hour=12))],
            closes_at=in_days(9, hour=17),
        ),
    )

    assert response.status_code == 302
    session = Session.objects.get()
    session.full_clean()
    assert [(m.starts_at, m.ends_at) for m in session.meetings.all()] == [
        (first, first.replace(hour=15)),
        (second, second.replace(hour=12)),
    ]


def test_a_session_needs_a_meeting(client, provider, learn_staff):
    course = CourseFactory(provider=provider)
    data = _session_post(course=course, meetings=[], closes_at=in_days(5))

    response = client.post(reverse("admin:courses_session_add"), data)

    assert response.status_code == 200
    assert not Session.objects.exists()


def test_negative_capacity_is_a_form_error(client, provider, learn_staff):
    course = CourseFactory(provider=provider)
    start = in_days(10)

    response = client.post(
        reverse("admin:courses_session_add"),
        _session_post(
            course=course,
            meetings=[(start, start.replace(hour=15))],
            closes_at=in_days(5),
            capacity=-1,
        ),
    )

    assert response.status_code == 200
    assert "capacity" in response.context["adminform"].form.errors
    assert not Session.objects.exists()


def test_capacity_cannot_go_below_the_confirmed_registrations(client, provider, learn_staff):
    session = SessionFactory(course=CourseFactory(provider=provider), capacity=5)
    RegistrationFactory.create_batch(2, session=session)
    meeting = session.meetings.get()

    response = client.post(
        reverse("admin:courses_session_change", args=[session.pk]),
        _session_post(
            course=session.course,
            meetings=[(meeting.starts_at, meeting.ends_at)],
            existing=[meeting],
            closes_at=session.registration_closes_at,
            capacity=1,
        ),
    )

    assert response.status_code == 200
    assert "Capacity cannot be lower than the 2 people already confirmed." in response.text
    session.refresh_from_db()
    assert session.capacity == 5


def test_moving_a_meeting_keeps_its_row_and_checks_the_registration_window(
    client, provider, learn_staff
):
    session = SessionFactory(course=CourseFactory(provider=provider))
    meeting = session.meetings.get()
    url = reverse("admin:courses_session_change", args=[session.pk])
    too_early = session.registration_closes_at - dt.timedelta(hours=2)

    rejected = client.post(
        url,
        _session_post(
            course=session.course,
            meetings=[(too_early, too_early + dt.timedelta(hours=1))],
            existing=[meeting],
            closes_at=session.registration_closes_at,
        ),
    )
    later = meeting.starts_at + dt.timedelta(days=1)
    accepted = client.post(
        url,
        _session_post(
            course=session.course,
            meetings=[(later, later + dt.timedelta(hours=6))],
            existing=[meeting],
            closes_at=session.registration_closes_at,
        ),
    )

    assert "Registration must close before the first meeting starts." in rejected.text
    assert accepted.status_code == 302
    assert session.meetings.get().pk == meeting.pk
    assert session.meetings.get().starts_at == later


def test_session_venue_and_course_are_limited_to_the_staffs_provider(
    client, provider, other_provider, learn_staff
):
    ces_course = CourseFactory(provider=other_provider)
    ces_venue = VenueFactory(provider=other_provider)
    start = in_days(10)
    meetings = [(start, start.replace(hour=15))]

    with_their_course = client.post(
        reverse("admin:courses_session_add"),
        _session_post(course=ces_course, meetings=meetings, closes_at=in_days(5)),
    )
    with_their_venue = client.post(
        reverse("admin:courses_session_add"),
        _session_post(
            course=CourseFactory(provider=provider),
            venue=ces_venue,
            meetings=meetings,
            closes_at=in_days(5),
        ),
    )

    assert "course" in with_their_course.context["adminform"].form.errors
    assert "venue" in with_their_venue.context["adminform"].form.errors
    assert not Session.objects.exists()


def test_alliance_admin_cannot_put_a_venue_of_another_provider_on_a_session(
    client, provider, other_provider
):
    client.force_login(alliance_admin())
    start = in_days(10)

    response = client.post(
        reverse("admin:courses_session_add"),
        _session_post(
            course=CourseFactory(provider=provider),
            venue=VenueFactory(provider=other_provider),
            meetings=[(start, start.replace(hour=15))],
            closes_at=in_days(5),
        ),
    )

    assert response.context["adminform"].form.errors["venue"] == [
        "The venue belongs to another provider."
    ]


def test_session_changelist_costs_the_same_queries_for_2_and_10_sessions(
    client, provider, learn_staff
):
    url = reverse("admin:courses_session_changelist")
    counts = []
    for size in (2, 8):
        SessionFactory.create_batch(size, course=CourseFactory(provider=provider))
        client.get(url)  # warm the session and the content-type cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
        assert response.status_code == 200

    assert len(response.context["cl"].result_list) == 10
    assert counts[0] == counts[1], counts


def test_course_autocomplete_offers_only_the_staffs_courses(
    client, provider, other_provider, learn_staff
):
    ours = CourseFactory(provider=provider, title="Literacy Lab")
    CourseFactory(provider=other_provider, title="Literacy Circles")

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "courses", "model_name": "session", "field_name": "course", "term": "Lit"},
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(ours.pk)]


def test_staff_admin_index_lists_the_catalog_but_not_people_or_roles(client, learn_staff):
    response = client.get(reverse("admin:index"))

    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert {"Course", "Session", "Program", "Venue", "Registration", "District"} <= models
    assert not models & {"User", "Role", "Profile"}


def test_every_admin_page_opens_for_an_alliance_admin(client, provider):
    session = SessionFactory(course=CourseFactory(provider=provider, program=ProgramFactory()))
    registration = RegistrationFactory(session=session)
    client.force_login(alliance_admin())
    objects = {
        "courses_session": session,
        "courses_course": session.course,
        "courses_program": session.course.program,
        "courses_venue": VenueFactory(provider=provider),
        "registrations_registration": registration,
        "organizations_provider": provider,
        "organizations_district": registration.district,
        "organizations_school": registration.school,
        "organizations_profile": registration.person.profile,
        "organizations_role": Role.objects.first(),
        "accounts_user": registration.person,
    }

    for name, obj in objects.items():
        for url in (
            reverse(f"admin:{name}_changelist"),
            reverse(f"admin:{name}_change", args=[obj.pk]),
        ):
            assert client.get(url).status_code == 200, url
        add = client.get(reverse(f"admin:{name}_add")).status_code
        assert add == (403 if name == "registrations_registration" else 200), name


def test_staff_cancel_their_sessions_with_the_admin_action(client, provider, learn_staff):
    session = SessionFactory(course=CourseFactory(provider=provider))

    response = client.post(
        reverse("admin:courses_session_changelist"),
        {"action": "cancel_sessions", "_selected_action": [session.pk]},
        follow=True,
    )

    assert "Cancelled 1 session(s)." in response.text
    session.refresh_from_db()
    assert session.is_cancelled
    assert session.cancelled_at is not None


def test_trainer_choices_are_the_providers_people_not_every_educator(
    client, provider, other_provider
):
    colleague = staff_of(provider, first_name="Colleague")
    outsider = staff_of(other_provider, first_name="Outsider")
    someone = educator(first_name="Someone")
    session = SessionFactory(course=CourseFactory(provider=provider))
    client.force_login(colleague)

    response = client.get(reverse("admin:courses_session_change", args=[session.pk]))

    choices = set(response.context["adminform"].form.fields["trainers"].queryset)
    assert colleague in choices
    assert not choices & {outsider, someone}


def test_an_alliance_admin_cannot_change_a_superuser(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(alliance_admin())

    page = client.get(reverse("admin:accounts_user_change", args=[boss.pk]))
    password = client.get(reverse("admin:auth_user_password_change", args=[boss.pk]))

    assert page.context["has_change_permission"] is False
    assert password.status_code == 403


def test_raising_capacity_in_the_admin_promotes_the_waitlist(client):
    from registrations.services import register
    from tests.factories import SessionFactory, educator

    session = SessionFactory(capacity=1)
    holder = register(person=educator(), session=session).registration
    waiting = register(person=educator(), session=session).registration
    client.force_login(alliance_admin())
    change_url = f"/admin/courses/session/{session.pk}/change/"
    page = client.get(change_url)
    form = page.context["adminform"].form
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data["trainers"] = []
    data["capacity"] = 2
    for name in ("registration_opens_at", "registration_closes_at"):
        local = timezone.localtime(getattr(session, name))
        data[f"{name}_0"], data[f"{name}_1"] = (
            local.strftime("%Y-%m-%d"),
            local.strftime("%H:%M:%S"),
        )
        data.pop(name, None)
    meeting = session.meetings.get()
    data.update(
        {
            "meetings-TOTAL_FORMS": 1,
            "meetings-INITIAL_FORMS": 1,
            "meetings-0-id": meeting.pk,
            "meetings-0-session": session.pk,
            "meetings-0-starts_at_0": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d"),
            "meetings-0-starts_at_1": timezone.localtime(meeting.starts_at).strftime("%H:%M:%S"),
            "meetings-0-ends_at_0": timezone.localtime(meeting.ends_at).strftime("%Y-%m-%d"),
            "meetings-0-ends_at_1": timezone.localtime(meeting.ends_at).strftime("%H:%M:%S"),
        }
    )
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    holder.refresh_from_db()
    assert (holder.status, waiting.status) == ("confirmed", "confirmed")

"""The attendance API: who may read and record a roster, what a PUT saves, headcounts, and the
cost of the roster in queries (DESIGN.md, API contract)."""

import datetime as dt

import pytest
from django.core import mail

from attendance.completion import store_credited_minutes
from attendance.models import Attendance, Headcount
from certificates.models import Certificate
from registrations.models import Registration
from tests.certificates.helpers import past_session
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    SessionFactory,
    alliance_admin,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _confirmed(session, person=None, status=Registration.Status.CONFIRMED):
    person = person or educator()
    return Registration.objects.create(
        session=session,
        person=person,
        status=status,
        district=person.profile.district,
        position=person.profile.position,
    )


def _meetings(session):
    return list(session.meetings.order_by("starts_at"))


@pytest.fixture
def world():
    learn = ProviderFactory(short_name="LEARN")
    ces = ProviderFactory(short_name="CES")
    trainer_a, trainer_b = educator(first_name="Ana"), educator(first_name="Ben")
    session = past_session(hours=(3, 3), course=CourseFactory(provider=learn), trainers=[trainer_a])
    other = past_session(hours=(3, 3), course=CourseFactory(provider=learn), trainers=[trainer_b])
    return {
        "session": session,
        "other": other,
        "trainer_a": trainer_a,
        "trainer_b": trainer_b,
        "learn_staff": staff_of(learn),
        "ces_staff": staff_of(ces),
        "educator": educator(),
    }


def _as(api_client, user):
    api_client.force_login(user)
    return api_client


def _url(session, what="attendance") -> str:
    return f"/api/v1/sessions/{session.pk}/{what}/"


def _rows(session, registration, statuses) -> list[dict]:
    return [
        {
            "registration": registration.pk,
            "meeting": meeting.pk,
            "status": status if isinstance(status, str) else "partial",
            "minutes": None if isinstance(status, str) else status,
        }
        for meeting, status in zip(_meetings(session), statuses, strict=True)
    ]


# --- who may read and write ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["trainer_a", "learn_staff"])
def test_the_sessions_trainer_and_the_providers_staff_read_and_write_the_roster(
    api_client, world, who
):
    session = world["session"]
    registration = _confirmed(session)
    client = _as(api_client, world[who])
    assert client.get(_url(session)).status_code == 200
    response = client.put(_url(session), _rows(session, registration, ["present"] * 2), "json")
    assert response.status_code == 200, response.json()
    assert Attendance.objects.filter(registration=registration).count() == 2


def test_an_alliance_admin_reads_any_roster(api_client, world):
    assert _as(api_client, alliance_admin()).get(_url(world["session"])).status_code == 200


@pytest.mark.parametrize("who", ["trainer_b", "ces_staff", "educator"])
def test_other_trainers_other_providers_staff_and_educators_get_403(api_client, world, who):
    session = world["session"]
    registration = _confirmed(session)
    client = _as(api_client, world[who])
    response = client.get(_url(session))
    assert response.status_code == 403
    assert "trainers" in response.json()["detail"]
    rows = _rows(session, registration, ["present"] * 2)
    assert client.put(_url(session), rows, "json").status_code == 403
    meeting = _meetings(session)[0]
    body = {"meeting": meeting.pk, "audience": "youth", "count": 5}
    assert client.post(_url(session, "headcounts"), body, "json").status_code == 403
    assert not Attendance.objects.exists() and not Headcount.objects.exists()


def test_anonymous_callers_get_401(api_client, world):
    session = world["session"]
    assert api_client.get(_url(session)).status_code == 401
    assert api_client.put(_url(session), [], "json").status_code == 401
    assert api_client.post(_url(session, "headcounts"), {}, "json").status_code == 401


def test_a_session_the_person_cannot_see_is_404(api_client, world):
    hidden = past_session(hours=(3, 3), course=CourseFactory(status="draft"))
    response = _as(api_client, world["educator"]).get(_url(hidden))
    assert response.status_code == 404 and "detail" in response.json()
    assert (
        _as(api_client, world["educator"]).get("/api/v1/sessions/999999/attendance/").status_code
        == 404
    )


def test_a_trainer_of_a_draft_courses_session_still_takes_its_attendance(api_client, world):
    session = past_session(
        hours=(3, 3), course=CourseFactory(status="draft"), trainers=[world["trainer_a"]]
    )
    assert _as(api_client, world["trainer_a"]).get(_url(session)).status_code == 200


# --- the roster ----------------------------------------------------------------------------


def test_the_roster_lists_meetings_confirmed_people_attendance_headcounts_and_completion(
    api_client, world
):
    session = world["session"]
    done = _confirmed(session, educator(first_name="Dana", last_name="Able"))
    half = _confirmed(session, educator(first_name="Eli", last_name="Baker"))
    _confirmed(session, status=Registration.Status.WAITLISTED)
    _confirmed(session, status=Registration.Status.CANCELLED)
    client = _as(api_client, world["learn_staff"])
    client.put(
        _url(session),
        _rows(session, done, ["present", "present"]) + _rows(session, half, ["present", 60]),
        "json",
    )
    first = _meetings(session)[0]
    client.post(
        _url(session, "headcounts"), {"meeting": first.pk, "audience": "youth", "count": 12}, "json"
    )

    body = client.get(_url(session)).json()
    assert body["session"] == session.pk and body["completion_threshold"] == 100
    assert [m["id"] for m in body["meetings"]] == [m.pk for m in _meetings(session)]
    assert body["meetings"][0]["length_minutes"] == 180
    people = {r["id"]: r for r in body["registrations"]}
    assert set(people) == {done.pk, half.pk}  # confirmed only
    assert people[done.pk]["person"] == "Dana Able"
    assert people[done.pk]["district"] == done.district.name
    assert people[done.pk]["position"] == "teacher"
    assert (people[done.pk]["credited_minutes"], people[done.pk]["completed"]) == (360, True)
    assert (people[half.pk]["credited_minutes"], people[half.pk]["completed"]) == (240, False)
    assert len(body["attendance"]) == 4
    partial = next(a for a in body["attendance"] if a["status"] == "partial")
    assert partial["registration"] == half.pk and partial["minutes"] == 60
    assert partial["recorded_at"] and partial["source"] == "api"
    assert body["headcounts"][0]["count"] == 12 and body["headcounts"][0]["audience"] == "youth"


def _roster(client, session):
    assert client.get(_url(session)).status_code == 200


def _fill(session, count):
    people = [educator() for _ in range(count)]
    registrations = [_confirmed(session, person) for person in people]
    meetings = _meetings(session)
    Attendance.objects.bulk_create(
        Attendance(
            registration=registration,
            meeting=meeting,
            status="present",
            recorded_at=in_days(-1),
        )
        for registration in registrations
        for meeting in meetings
    )
    store_credited_minutes(session.registrations.all())
    Headcount.objects.create(
        meeting=meetings[0],
        audience="adult",
        count=3,
        district=people[0].profile.district,
        recorded_at=in_days(-1),
    )


def test_the_roster_costs_the_same_queries_for_5_and_200_people(api_client, world, count_queries):
    small, large = (
        world["session"],
        past_session(hours=(3, 3), course=world["session"].course, trainers=[world["trainer_a"]]),
    )
    _fill(small, 5)
    _fill(large, 200)
    for user in (world["learn_staff"], world["trainer_a"]):
        client = _as(api_client, user)
        small_count = count_queries(_roster, client, small)
        assert small_count == count_queries(_roster, client, large)
        # session and user, the session, roles, trainers, then meetings, registrations,
        # attendance and headcounts: one query each
        assert small_count <= 9


# --- recording -----------------------------------------------------------------------------


def test_put_records_rows_and_issues_certificates_for_completions(
    api_client, world, django_capture_on_commit_callbacks
):
    session = world["session"]
    done, half = _confirmed(session), _confirmed(session)
    rows = _rows(session, done, ["present", "present"]) + _rows(session, half, ["absent", 90])
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api_client, world["trainer_a"]).put(_url(session), rows, "json")
    assert response.status_code == 200
    saved = Attendance.objects.filter(meeting__session=session)
    assert saved.count() == 4
    assert {a.source for a in saved} == {"api"}
    assert {a.recorded_by for a in saved} == {world["trainer_a"]}
    certificate = Certificate.objects.get()
    assert certificate.registration == done and str(certificate.hours) == "6.00"
    assert mail.outbox[-1].to == [done.person.email]
    completed = {r["id"]: r["completed"] for r in response.json()["registrations"]}
    assert completed == {done.pk: True, half.pk: False}


def test_a_correction_through_the_api_revokes_the_certificate(api_client, world):
    session = world["session"]
    registration = _confirmed(session)
    client = _as(api_client, world["learn_staff"])
    client.put(_url(session), _rows(session, registration, ["present", "present"]), "json")
    response = client.put(
        _url(session), _rows(session, registration, ["present", "absent"]), "json"
    )
    assert response.status_code == 200
    assert not Certificate.objects.get().is_valid


@pytest.mark.parametrize(
    "breaking",
    [
        pytest.param(lambda row, other: {**row, "status": "partial", "minutes": 0}, id="partial-0"),
        pytest.param(
            lambda row, other: {**row, "status": "partial", "minutes": None}, id="partial-none"
        ),
        pytest.param(lambda row, other: {**row, "registration": 987654}, id="unknown-registration"),
        pytest.param(
            lambda row, other: {**row, "meeting": _meetings(other)[0].pk}, id="other-meeting"
        ),
    ],
)
def test_a_row_the_rules_refuse_is_400_and_nothing_is_saved(api_client, world, breaking):
    session = world["session"]
    registration = _confirmed(session)
    rows = _rows(session, registration, ["present", "present"])
    rows[1] = breaking(rows[1], world["other"])
    response = _as(api_client, world["trainer_a"]).put(_url(session), rows, "json")
    assert response.status_code == 400
    assert response.json()["entries"][0].startswith("Row 2:")
    assert not Attendance.objects.exists() and not Certificate.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"registration": 1}, id="an-object"),
        pytest.param([{"registration": "x", "meeting": 1, "status": "present"}], id="not-an-int"),
        pytest.param([{"registration": 1, "meeting": 1, "status": "late"}], id="bad-status"),
        pytest.param([{"meeting": 1, "status": "present"}], id="missing-field"),
        pytest.param([{"registration": 2**80, "meeting": 1, "status": "present"}], id="huge-id"),
        pytest.param(["present"], id="not-a-row"),
    ],
)
def test_a_malformed_body_is_400_with_json(api_client, world, body):
    response = _as(api_client, world["trainer_a"]).put(_url(world["session"]), body, "json")
    assert response.status_code == 400
    assert response.json()
    assert not Attendance.objects.exists()


def test_an_empty_list_changes_nothing_and_answers_the_roster(api_client, world):
    session = world["session"]
    _confirmed(session)
    response = _as(api_client, world["trainer_a"]).put(_url(session), [], "json")
    assert response.status_code == 200
    assert len(response.json()["registrations"]) == 1
    assert not Attendance.objects.exists()


def test_more_than_5000_rows_is_400(api_client, world):
    session = world["session"]
    registration = _confirmed(session)
    row = _rows(session, registration, ["present", "present"])[0]
    response = _as(api_client, world["learn_staff"]).put(_url(session), [row] * 5001, "json")
    assert response.status_code == 400
    assert "5000" in response.json()["non_field_errors"][0]
    assert not Attendance.objects.exists()


def test_repeating_a_registration_and_meeting_is_400_naming_the_rows(
    api_client, world, count_queries
):
    session = world["session"]
    registration = _confirmed(session)
    first, second = _rows(session, registration, ["present", "present"])
    body = [first] * 5000
    with count_queries() as queries:
        response = _as(api_client, world["learn_staff"]).put(_url(session), body, "json")
    assert response.status_code == 400
    [message] = response.json()["entries"]
    assert message.startswith("Rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 4990 more: ")
    assert f"registration {registration.pk} and meeting {first['meeting']}" in message
    assert not Attendance.objects.exists() and not Attendance.history.exists()
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    # Two pairs repeated among distinct rows: both named, by their row numbers.
    body = [first, second, {**first, "status": "absent"}, second]
    response = _as(api_client, world["learn_staff"]).put(_url(session), body, "json")
    assert response.status_code == 400
    assert [m.split(":")[0] for m in response.json()["entries"]] == ["Rows 1, 3", "Rows 2, 4"]
    assert not Attendance.objects.exists()


def test_more_rows_than_the_roster_holds_is_400_before_the_lock(api_client, world, count_queries):
    session = world["session"]  # two meetings
    registration = _confirmed(session)
    _confirmed(session, status=Registration.Status.WAITLISTED)
    rows = _rows(session, registration, ["present", "present"])
    body = rows + [{**rows[0], "registration": 10_000 + n} for n in range(3)]
    with count_queries() as queries:
        response = _as(api_client, world["learn_staff"]).put(_url(session), body, "json")
    assert response.status_code == 400
    assert response.json() == {
        "entries": [
            "5 rows, but the roster has 2 (1 confirmed x 2 meetings); send at most one row per "
            "confirmed registration and meeting."
        ]
    }
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    assert not Attendance.objects.exists()


def test_a_form_body_is_415(api_client, world):
    response = _as(api_client, world["learn_staff"]).put(
        _url(world["session"]), "registration=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_the_lock_is_400_for_the_trainer_but_staff_still_correct(api_client, world):
    trainer = world["trainer_a"]
    session = past_session(
        course=world["session"].course, trainers=[trainer], hours=(3,), days_ago=15
    )
    registration = _confirmed(session)
    rows = _rows(session, registration, ["present"])
    response = _as(api_client, trainer).put(_url(session), rows, "json")
    assert response.status_code == 400
    assert "locked" in response.json()["non_field_errors"][0]
    assert not Attendance.objects.exists()
    assert _as(api_client, world["learn_staff"]).put(_url(session), rows, "json").status_code == 200


def test_a_meeting_long_ahead_is_refused(api_client, world):
    session = SessionFactory(course=world["session"].course, starts_in_days=5)
    session.trainers.set([world["trainer_a"]])
    registration = _confirmed(session)
    response = _as(api_client, world["trainer_a"]).put(
        _url(session), _rows(session, registration, ["present"]), "json"
    )
    assert response.status_code == 400
    assert "attendance opens 30 minutes before" in response.json()["entries"][0]


# --- headcounts ----------------------------------------------------------------------------


def test_a_headcount_is_201_with_the_headcount(api_client, world):
    session, district = world["session"], DistrictFactory()
    meeting = _meetings(session)[1]
    body = {"meeting": meeting.pk, "audience": "adult", "district": district.pk, "count": 40}
    response = _as(api_client, world["trainer_a"]).post(_url(session, "headcounts"), body, "json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["meeting"], data["audience"], data["district"], data["count"]) == (
        meeting.pk,
        "adult",
        district.pk,
        40,
    )
    assert data["district_name"] == district.name
    headcount = Headcount.objects.get()
    assert headcount.recorded_by == world["trainer_a"] and data["id"] == headcount.pk


def test_a_headcount_without_a_district_is_allowed(api_client, world):
    session = world["session"]
    body = {"meeting": _meetings(session)[0].pk, "audience": "youth", "count": 1}
    response = _as(api_client, world["learn_staff"]).post(_url(session, "headcounts"), body, "json")
    assert response.status_code == 201 and response.json()["district"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 10_001}, "count"),
        ({"count": "many"}, "count"),
        ({"audience": "students"}, "audience"),
        ({"district": 987654}, "district"),
        ({"meeting": None}, "meeting"),
    ],
)
def test_a_bad_headcount_is_400_per_field(api_client, world, change, field):
    session = world["session"]
    body = {"meeting": _meetings(session)[0].pk, "audience": "youth", "count": 5, **change}
    response = _as(api_client, world["learn_staff"]).post(_url(session, "headcounts"), body, "json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Headcount.objects.exists()


def test_a_headcount_for_another_sessions_meeting_is_400(api_client, world):
    session = world["session"]
    body = {"meeting": _meetings(world["other"])[0].pk, "audience": "youth", "count": 5}
    response = _as(api_client, world["learn_staff"]).post(_url(session, "headcounts"), body, "json")
    assert response.status_code == 400 and "meeting" in response.json()
    assert not Headcount.objects.exists()


def test_a_headcount_before_the_meeting_is_400_on_the_meeting(api_client, world):
    session = SessionFactory(course=world["session"].course, starts_in_days=5)
    body = {"meeting": session.meetings.get().pk, "audience": "youth", "count": 5}
    response = _as(api_client, world["learn_staff"]).post(_url(session, "headcounts"), body, "json")
    assert response.status_code == 400 and "meeting" in response.json()


def test_the_api_is_in_the_schema(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    roster = schema["paths"]["/api/v1/sessions/{id}/attendance/"]
    assert {"200", "401", "403", "404"} <= set(roster["get"]["responses"])
    assert {"200", "400", "401", "403", "404"} <= set(roster["put"]["responses"])
    headcounts = schema["paths"]["/api/v1/sessions/{id}/headcounts/"]["post"]
    assert {"201", "400", "401", "403", "404"} <= set(headcounts["responses"])


def test_times_in_the_roster_are_utc_iso(api_client, world):
    body = _as(api_client, world["learn_staff"]).get(_url(world["session"])).json()
    starts = dt.datetime.fromisoformat(body["meetings"][0]["starts_at"])
    assert starts.utcoffset() is not None

"""Provider staff's registration tools: session list, a session's registrations and actions,
the roster CSV and the billing CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pd_platform.downloads import safe_cell
from registrations.models import Registration
from registrations.services import register
from tests.factories import (
    CourseFactory,
    RegistrationFactory,
    SessionFactory,
    alliance_admin,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
Status = Registration.Status


def session_of(provider, **kwargs):
    if "course" not in kwargs:
        kwargs["course"] = CourseFactory(provider=provider)
    return SessionFactory(**kwargs)


def registrations_url(session) -> str:
    return f"/staff/sessions/{session.pk}/registrations/"


def action_url(registration, action: str) -> str:
    return f"/staff/sessions/{registration.session_id}/registrations/{registration.pk}/{action}/"


def person(first: str, last: str = "Example"):
    return educator(first_name=first, last_name=last)


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Permissions -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, provider):
    session = session_of(provider)
    for url in (
        "/staff/sessions/",
        registrations_url(session),
        f"/staff/sessions/{session.pk}/roster.csv",
        "/staff/billing/",
        "/staff/billing.csv?start=2025-01-01&end=2025-01-31",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_educators_are_refused(client, provider):
    session = session_of(provider)
    registration = RegistrationFactory(session=session)
    client.force_login(educator())
    for url in (
        "/staff/sessions/",
        registrations_url(session),
        f"/staff/sessions/{session.pk}/roster.csv",
        "/staff/billing/",
        "/staff/billing.csv?start=2025-01-01&end=2025-01-31",
    ):
        assert client.get(url).status_code == 403
    assert client.post(action_url(registration, "cancel")).status_code == 403
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_staff_of_another_provider_get_404_for_the_session_and_its_actions(
    client, provider, other_provider
):
    session = session_of(other_provider)
    registration = RegistrationFactory(session=session)
    client.force_login(staff_of(provider))
    assert client.get(registrations_url(session)).status_code == 404
    assert client.get(f"/staff/sessions/{session.pk}/roster.csv").status_code == 404
    for action in ("cancel", "promote", "move"):
        assert client.post(action_url(registration, action)).status_code == 404
    capacity = client.post(f"/staff/sessions/{session.pk}/capacity/", {"capacity": "0"})
    assert capacity.status_code == 404
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_alliance_admins_see_every_provider(client, provider, other_provider):
    learn_session, ces_session = session_of(provider), session_of(other_provider)
    client.force_login(alliance_admin())
    page = client.get("/staff/sessions/")
    assert str(learn_session).encode() in page.content
    assert str(ces_session).encode() in page.content
    assert client.get(registrations_url(ces_session)).status_code == 200


# Session list ------------------------------------------------------------------------------


def test_the_list_shows_own_sessions_with_counts_upcoming_first(client, provider, other_provider):
    course = CourseFactory(provider=provider, title="Restorative Circles")
    later = session_of(provider, course=course, title="Later", starts_in_days=30, capacity=1)
    sooner = session_of(provider, course=course, title="Sooner", starts_in_days=5)
    past = session_of(provider, course=course, title="Past", starts_in_days=-10)
    other = session_of(
        other_provider, course=CourseFactory(provider=other_provider, title="CES only")
    )
    register(person=educator(), session=later)
    register(person=educator(), session=later)
    RegistrationFactory(session=later, status=Status.PENDING)
    client.force_login(staff_of(provider))
    page = client.get("/staff/sessions/")
    html = page.content.decode()
    assert page.status_code == 200
    assert str(other) not in html
    positions = [html.index(str(s)) for s in (sooner, later, past)]
    assert positions == sorted(positions)
    row = html[html.index(str(later)) :]
    assert "<td>1 / 1</td>\n      <td>1</td>\n      <td>1</td>" in row
    assert registrations_url(later) in html


def test_the_list_filters_by_title_and_by_upcoming_or_past(client, provider):
    mindful = session_of(
        provider, course=CourseFactory(provider=provider, title="Mindful Classrooms")
    )
    math = session_of(provider, course=CourseFactory(provider=provider, title="Math Talks"))
    old = session_of(
        provider, course=CourseFactory(provider=provider, title="Old Math"), starts_in_days=-3
    )
    client.force_login(staff_of(provider))
    html = client.get("/staff/sessions/", {"q": "mindful"}).content.decode()
    assert str(mindful) in html and str(math) not in html
    html = client.get("/staff/sessions/", {"when": "past"}).content.decode()
    assert str(old) in html and str(math) not in html
    html = client.get("/staff/sessions/", {"q": "math", "when": "upcoming"}).content.decode()
    assert str(math) in html and str(old) not in html
    assert client.get("/staff/sessions/", {"when": "nonsense", "page": "x"}).status_code == 200


def test_the_list_is_paginated_by_25(client, provider):
    course = CourseFactory(provider=provider)
    for _ in range(26):
        session_of(provider, course=course)
    client.force_login(staff_of(provider))
    page = client.get("/staff/sessions/")
    assert len(page.context["page"].object_list) == 25
    assert b"Page 1 of 2" in page.content
    assert len(client.get("/staff/sessions/", {"page": 2}).context["page"].object_list) == 1


# A session's registrations -----------------------------------------------------------------


def test_the_page_shows_confirmed_the_waitlist_in_order_and_pending(client, provider):
    session = session_of(provider, capacity=1)
    for first in ("Avery", "Blake", "Casey", "Devon"):
        register(person=person(first), session=session)
    RegistrationFactory(session=session, person=person("Emery"), status=Status.PENDING)
    RegistrationFactory(session=session, person=person("Finley"), status=Status.CANCELLED)
    client.force_login(staff_of(provider))
    response = client.get(registrations_url(session))
    assert [r.person.first_name for r in response.context["confirmed"]] == ["Avery"]
    waitlist = response.context["waitlisted"]
    assert [(r.waitlist_position, r.person.first_name) for r in waitlist] == [
        (1, "Blake"),
        (2, "Casey"),
        (3, "Devon"),
    ]
    assert [r.person.first_name for r in response.context["pending"]] == ["Emery"]
    html = response.content.decode()
    assert "Finley" not in html
    assert html.index("Avery") < html.index("Blake") < html.index("Casey") < html.index("Devon")
    assert html.index("Devon") < html.index("Emery")
    assert 'Cancel<span class="visually-hidden"> registration of Blake Example</span>' in html
    assert f"/staff/sessions/{session.pk}/roster.csv" in html
    assert '<th scope="col">Name</th>' in html and "<caption>Waitlist" in html


def test_cancelling_a_confirmed_seat_promotes_the_first_waitlisted(client, provider):
    session = session_of(provider, capacity=1)
    first = register(person=person("Avery"), session=session).registration
    second = register(person=person("Blake"), session=session).registration
    client.force_login(staff_of(provider))
    response = client.post(action_url(first, "cancel"), follow=True)
    assert "Cancelled the registration of Avery Example; they are emailed." in page_messages(
        response
    )
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (Status.CANCELLED, Status.CONFIRMED)
    again = client.post(action_url(first, "cancel"), follow=True)
    assert "already ended" in page_messages(again)[0]


def test_promote_by_hand_needs_a_free_seat(client, provider):
    session = session_of(provider, capacity=1)
    register(person=person("Avery"), session=session)
    register(person=person("Blake"), session=session)
    casey = register(person=person("Casey"), session=session).registration
    client.force_login(staff_of(provider))
    response = client.post(action_url(casey, "promote"), follow=True)
    assert "The session is full; raise its capacity first." in page_messages(response)
    casey.refresh_from_db()
    assert casey.status == Status.WAITLISTED


def test_promote_by_hand_confirms_out_of_order_when_a_seat_is_free(client, provider):
    session = session_of(provider, capacity=2)
    blake = RegistrationFactory(session=session, status=Status.WAITLISTED)
    casey = RegistrationFactory(session=session, status=Status.WAITLISTED)
    client.force_login(staff_of(provider))
    client.post(action_url(casey, "promote"))
    blake.refresh_from_db(), casey.refresh_from_db()
    assert (blake.status, casey.status) == (Status.WAITLISTED, Status.CONFIRMED)
    not_waiting = client.post(action_url(casey, "promote"), follow=True)
    assert "Only a waitlisted registration can be promoted." in page_messages(not_waiting)


def test_moving_to_another_session_of_the_course_frees_the_seat(client, provider):
    course = CourseFactory(provider=provider)
    source = session_of(provider, course=course, capacity=1)
    target = session_of(provider, course=course, starts_in_days=21)
    avery = register(person=person("Avery"), session=source).registration
    blake = register(person=person("Blake"), session=source).registration
    client.force_login(staff_of(provider))
    page = client.get(registrations_url(source))
    assert f'<option value="{target.pk}">' in page.content.decode()
    response = client.post(action_url(avery, "move"), {"to_session": target.pk}, follow=True)
    assert response.status_code == 200
    assert any(m.startswith("Moved Avery Example") for m in page_messages(response))
    moved = Registration.objects.get(session=target, person=avery.person)
    blake.refresh_from_db()
    assert moved.status == Status.CONFIRMED and moved.moved_from_id == avery.pk
    assert blake.status == Status.CONFIRMED


def test_moving_to_another_courses_session_is_refused(client, provider):
    source = session_of(provider)
    elsewhere = session_of(provider)
    registration = RegistrationFactory(session=source)
    client.force_login(staff_of(provider))
    response = client.post(
        action_url(registration, "move"), {"to_session": elsewhere.pk}, follow=True
    )
    assert "A person can only be moved to a session of the same course." in page_messages(response)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


@pytest.mark.parametrize(
    "target", ["", "abc", "99999999", "-1", "1.5", "²", "99999999999999999999999"]
)
def test_a_bad_move_target_shows_a_message_not_an_error(client, provider, target):
    registration = RegistrationFactory(session=session_of(provider))
    client.force_login(staff_of(provider))
    response = client.post(action_url(registration, "move"), {"to_session": target}, follow=True)
    assert response.status_code == 200
    assert "Choose one of the listed sessions" in page_messages(response)[0]


def test_moving_to_another_providers_session_is_refused(client, provider, other_provider):
    registration = RegistrationFactory(session=session_of(provider))
    theirs = session_of(other_provider)
    client.force_login(staff_of(provider))
    response = client.post(action_url(registration, "move"), {"to_session": theirs.pk}, follow=True)
    assert "Choose one of the listed sessions" in page_messages(response)[0]
    assert not Registration.objects.filter(session=theirs).exists()


def test_bad_action_posts_are_404_or_405_never_500(client, provider):
    session, other = session_of(provider), session_of(provider)
    registration = RegistrationFactory(session=other)
    client.force_login(staff_of(provider))
    base = f"/staff/sessions/{session.pk}/registrations"
    assert client.post(f"{base}/99999999/cancel/").status_code == 404
    # A registration of another session, even one the user manages.
    assert client.post(f"{base}/{registration.pk}/cancel/").status_code == 404
    assert client.post("/staff/sessions/99999999/capacity/", {"capacity": 3}).status_code == 404
    assert client.get(action_url(registration, "cancel")).status_code == 405
    assert client.post(f"/staff/sessions/{session.pk}/registrations/").status_code == 405


def test_lowering_capacity_below_confirmed_shows_the_rule(client, provider):
    session = session_of(provider, capacity=3)
    register(person=educator(), session=session)
    register(person=educator(), session=session)
    client.force_login(staff_of(provider))
    url = f"/staff/sessions/{session.pk}/capacity/"
    response = client.post(url, {"capacity": 1}, follow=True)
    assert "Capacity cannot be lower than the 2 people already confirmed." in page_messages(
        response
    )
    session.refresh_from_db()
    assert session.capacity == 3
    for bad in ("", "many", "-1", "99999999999"):
        response = client.post(url, {"capacity": bad}, follow=True)
        assert response.status_code == 200 and "whole number" in page_messages(response)[0]


def test_raising_capacity_promotes_the_waitlist(client, provider):
    session = session_of(provider, capacity=1)
    register(person=educator(), session=session)
    waiting = [register(person=educator(), session=session).registration for _ in range(3)]
    client.force_login(staff_of(provider))
    response = client.post(f"/staff/sessions/{session.pk}/capacity/", {"capacity": 3})
    assert response.status_code == 303
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]


def test_a_busy_session_shows_the_busy_message(client, provider, monkeypatch):
    from registrations import staff_views
    from registrations.locking import SessionBusy

    registration = RegistrationFactory(session=session_of(provider))

    def busy(**kwargs):
        raise SessionBusy()

    monkeypatch.setattr(staff_views, "cancel_registration", busy)
    client.force_login(staff_of(provider))
    back = reverse("staff:session_registrations", args=[registration.session_id])
    response = client.post(
        action_url(registration, "cancel"), HTTP_REFERER=f"http://testserver{back}"
    )
    # One mapping for every page (pd_platform.middleware.SessionBusyMiddleware).
    assert response.status_code == 409 and response["Retry-After"] == "2"
    assert SessionBusy.message in response.text
    assert f'href="http://testserver{back}"' in response.text


# Roster CSV --------------------------------------------------------------------------------


def test_the_roster_csv_lists_active_registrations_in_order(client, provider):
    session = session_of(provider, capacity=1)
    register(person=person("Avery", "Adams"), session=session)
    register(person=person("Blake", "Brown"), session=session)
    register(person=person("Casey", "Cole"), session=session)
    RegistrationFactory(session=session, person=person("Emery"), status=Status.PENDING)
    RegistrationFactory(session=session, person=person("Finley"), status=Status.CANCELLED)
    client.force_login(staff_of(provider))
    response = client.get(f"/staff/sessions/{session.pk}/roster.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="session-{session.pk}-roster.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["status", "waitlist position", "name"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("confirmed", "", "Avery Adams"),
        ("waitlisted", "1", "Blake Brown"),
        ("waitlisted", "2", "Casey Cole"),
        ("pending", "", "Emery Example"),
    ]
    avery = Registration.objects.get(person__first_name="Avery")
    assert rows[1][3:] == [
        avery.person.email,
        avery.district.name,
        avery.school.name,
        "Teacher",
        f"{avery.price:.2f}",
        "I pay",
        "",
    ]


def test_the_roster_csv_defuses_formulas(client, provider):
    session = session_of(provider)
    RegistrationFactory(
        session=session,
        person=person("=HYPERLINK(1)", "@evil"),
        payer=Registration.Payer.DISTRICT,
        purchase_order="+SUM(A1)",
    )
    client.force_login(staff_of(provider))
    row = read_csv(client.get(f"/staff/sessions/{session.pk}/roster.csv"))[1]
    assert row[2] == "'=HYPERLINK(1) @evil"
    assert row[9] == "'+SUM(A1)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Jordan", "Jordan"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (125, "125"),
    ],
)
def test_safe_cell_escapes_only_leading_formula_characters(value, expected):
    assert safe_cell(value) == expected


# Billing -----------------------------------------------------------------------------------


def at(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


def session_at(provider, starts: dt.datetime, **kwargs):
    return session_of(provider, meetings=[(starts, starts + dt.timedelta(minutes=20))], **kwargs)


def billing(client, **params):
    return client.get("/staff/billing.csv", params)


def test_billing_counts_sessions_by_their_first_local_date(client, provider):
    # March 9, 2025 is the spring daylight-saving change.
    late = session_at(provider, at(2025, 3, 9, 23, 30))
    after = session_at(provider, at(2025, 3, 10, 0, 30))
    early = session_at(provider, at(2025, 3, 1, 0, 30))
    before = session_at(provider, at(2025, 2, 28, 23, 30))
    for session in (late, after, early, before):
        RegistrationFactory(session=session, price=Decimal("125"))
    client.force_login(staff_of(provider))
    response = billing(client, start="2025-03-01", end="2025-03-09")
    assert response.status_code == 200 and response.streaming
    assert "billing-2025-03-01-2025-03-09.csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "session id",
        "course",
        "session first date",
        "name",
        "email",
        "district",
        "payer",
        "purchase order",
        "price",
    ]
    assert [(r[0], r[2]) for r in rows[1:-1]] == [
        (str(early.pk), "2025-03-01"),
        (str(late.pk), "2025-03-09"),
    ]
    assert rows[-1] == ["TOTAL", "", "", "", "", "", "", "2 registrations", "250.00"]


def test_billing_lists_only_confirmed_registrations_of_own_provider(
    client, provider, other_provider
):
    ours = session_at(provider, at(2025, 4, 2, 9), capacity=5)
    free = session_at(provider, at(2025, 4, 3, 9), is_free=True)
    cancelled_session = session_at(provider, at(2025, 4, 4, 9), status="cancelled")
    theirs = session_at(other_provider, at(2025, 4, 2, 9))
    paid = RegistrationFactory(
        session=ours,
        person=person("Jordan", "Rivera"),
        price=Decimal("125"),
        payer=Registration.Payer.DISTRICT,
        purchase_order="PO-77",
    )
    for status in (Status.WAITLISTED, Status.PENDING, Status.CANCELLED, Status.DECLINED):
        RegistrationFactory(session=ours, status=status, price=Decimal("99"))
    RegistrationFactory(session=free, person=person("Kai"), price=Decimal("0"))
    RegistrationFactory(session=cancelled_session, price=Decimal("40"))
    RegistrationFactory(session=theirs, price=Decimal("300"))
    client.force_login(staff_of(provider))
    rows = read_csv(billing(client, start="2025-04-01", end="2025-04-30"))
    assert rows[1] == [
        str(ours.pk),
        str(ours),
        "2025-04-02",
        "Jordan Rivera",
        paid.person.email,
        paid.district.name,
        "My district pays",
        "PO-77",
        "125.00",
    ]
    assert rows[2][3] == "Kai Example" and rows[2][-1] == "0.00"
    assert len(rows) == 4
    assert rows[-1][0] == "TOTAL" and rows[-1][-2:] == ["2 registrations", "125.00"]


def test_alliance_admins_bill_every_provider_with_a_provider_column(
    client, provider, other_provider
):
    RegistrationFactory(session=session_at(provider, at(2025, 5, 1, 9)), price=Decimal("10"))
    RegistrationFactory(session=session_at(other_provider, at(2025, 5, 2, 9)), price=Decimal("20"))
    client.force_login(alliance_admin())
    rows = read_csv(billing(client, start="2025-05-01", end="2025-05-31"))
    assert rows[0][0] == "provider"
    assert [r[0] for r in rows[1:]] == ["LEARN", "CES", "TOTAL"]
    assert rows[-1][-1] == "30.00" and len(rows[-1]) == len(rows[0])
    only_ces = read_csv(billing(client, start="2025-05-01", end="2025-05-31", provider="ces"))
    assert [r[0] for r in only_ces[1:]] == ["CES", "TOTAL"]
    assert billing(client, start="2025-05-01", end="2025-05-31", provider="nope").status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "2025-01-01"},
        {"start": "2025-13-01", "end": "2025-12-31"},
        {"start": "yesterday", "end": "2025-12-31"},
        {"start": "2025-06-02", "end": "2025-06-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
    ],
)
def test_bad_billing_dates_are_a_400_with_a_plain_message(client, provider, params):
    client.force_login(staff_of(provider))
    response = billing(client, **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"Bad billing period" in response.content


def test_the_billing_page_defaults_to_the_current_fiscal_year(client, provider):
    RegistrationFactory(session=session_at(provider, at(2025, 9, 1, 9)), price=Decimal("80"))
    client.force_login(staff_of(provider))
    with time_machine.travel(at(2025, 8, 15, 12)):
        page = client.get("/staff/billing/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="2025-07-01"' in html and 'value="2026-06-30"' in html
    assert "1 confirmed registration, total $80.00" in html
    assert "/staff/billing.csv?start=2025-07-01&amp;end=2026-06-30" in html
    assert 'name="provider"' not in html


def test_the_billing_page_shows_field_errors(client, provider):
    client.force_login(staff_of(provider))
    page = client.get("/staff/billing/", {"start": "2025-06-02", "end": "2025-06-01"})
    assert page.status_code == 400
    assert b"The last date must be on or after the first date." in page.content
    assert b"Download billing CSV" not in page.content


# Query counts ------------------------------------------------------------------------------


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def test_the_session_list_costs_the_same_for_5_and_200_sessions(client, provider):
    course = CourseFactory(provider=provider)
    for _ in range(5):
        RegistrationFactory(session=session_of(provider, course=course))
    client.force_login(staff_of(provider))
    client.get("/staff/sessions/")
    small = _queries(client, "/staff/sessions/")
    for _ in range(195):
        session_of(provider, course=course)
    assert _queries(client, "/staff/sessions/") == small


def test_the_registrations_page_costs_the_same_for_5_and_200_registrations(client, provider):
    course = CourseFactory(provider=provider)
    session = session_of(provider, course=course, capacity=3)
    session_of(provider, course=course, starts_in_days=30)
    for _ in range(5):
        register(person=educator(), session=session)
    client.force_login(staff_of(provider))
    client.get(registrations_url(session))
    small = _queries(client, registrations_url(session))
    for index in range(195):
        status = Status.PENDING if index % 3 == 0 else Status.WAITLISTED
        RegistrationFactory(session=session, status=status)
    assert _queries(client, registrations_url(session)) == small


def test_the_billing_csv_costs_the_same_for_5_and_200_rows(client, provider):
    course = CourseFactory(provider=provider)
    sessions = [session_at(provider, at(2025, 1, day, 9), course=course) for day in range(1, 11)]
    for index in range(5):
        RegistrationFactory(session=sessions[index], price=Decimal("50"))
    client.force_login(staff_of(provider))
    params = {"start": "2025-01-01", "end": "2025-01-31"}
    client.get("/staff/billing.csv", params)
    small = _queries(client, "/staff/billing.csv", **params)
    for index in range(195):
        RegistrationFactory(session=sessions[index % 10], price=Decimal("50"))
    assert _queries(client, "/staff/billing.csv", **params) == small
    rows = read_csv(billing(client, **params))
    assert len(rows) == 202 and rows[-1][-1] == "10000.00"


def test_the_registrations_table_says_who_pays_and_that_a_free_seat_costs_nobody(client, provider):
    staff = staff_of(provider)
    paid = session_of(provider)
    free = session_of(provider, is_free=True)
    RegistrationFactory(
        session=paid, person=person("Dana"), price=Decimal("150.00"), payer="district"
    )
    RegistrationFactory(session=paid, person=person("Eli"), price=Decimal("150.00"), payer="self")
    RegistrationFactory(session=free, person=person("Fay"), price=Decimal("0"), payer="district")
    client.force_login(staff)

    paid_page = client.get(registrations_url(paid)).content.decode()
    free_page = client.get(registrations_url(free)).content.decode()

    assert "The district" in paid_page and "Pays themself" in paid_page
    assert "Nobody (free)" in free_page and "The district" not in free_page

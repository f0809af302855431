"""Typing the check-in code at /checkin/ (DESIGN.md, Check-in), and the way there from /me/."""

import html
import re

import pytest
import time_machine
from django.test import override_settings

from attendance.models import Attendance
from attendance.services import check_in_code_for
from registrations.models import Registration
from tests.factories import SessionFactory, educator, in_days

pytestmark = pytest.mark.django_db


def _at(hour, minute=0, days=0):
    return time_machine.travel(in_days(days, hour).replace(minute=minute), tick=False)


def _session(days=0, start=9, end=15, **kwargs):
    return SessionFactory(
        registration_opens_at=in_days(days - 30),
        registration_closes_at=in_days(days - 1),
        meetings=[(in_days(days, start), in_days(days, end))],
        **kwargs,
    )


def _confirmed(session, person=None, status="confirmed"):
    person = person or educator()
    return Registration.objects.create(
        session=session,
        person=person,
        status=status,
        district=person.profile.district,
        school=person.profile.school,
        position=person.profile.position,
    )


def _input(html: str) -> str:
    return re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)


def test_the_page_asks_for_the_code_with_a_label_and_help(client):
    assert client.get("/checkin/")["Location"] == "/accounts/login/?next=/checkin/"
    client.force_login(educator())
    page = client.get("/checkin/")
    content = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_code">Check-in code</label>' in content
    field = _input(content)
    assert 'aria-describedby="id_code_helptext"' in field and 'id="id_code_helptext"' in content
    assert "Check me in</button>" in content


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {first}-{last} ", "{first} {last}"])
def test_a_typed_code_checks_the_person_in_whatever_the_case_spaces_and_dashes(client, typed):
    with _at(9, 10):
        session = _session(title="Cohort 4")
        meeting = session.meetings.get()
        registration = _confirmed(session)
        code = check_in_code_for(meeting).code
        client.force_login(registration.person)
        text = typed.format(code=code, lower=code.lower(), first=code[:4].lower(), last=code[4:])
        response = client.post("/checkin/", {"code": text})
        assert response.status_code == 302 and response["Location"] == f"/checkin/{code}/"
        done = client.get(response["Location"])
    assert b"You are checked in for" in done.content and b"Cohort 4" in done.content
    row = Attendance.objects.get()
    assert (row.registration, row.meeting, row.status, row.source) == (
        registration,
        meeting,
        "present",
        "checkin",
    )


@pytest.mark.parametrize(
    ("hour", "minute", "who", "typed", "message"),
    [
        (8, 0, "registrant", "{code}", "Check-in opens at"),
        (15, 1, "registrant", "{code}", "This check-in code expired"),
        (10, 0, "stranger", "{code}", "You are not confirmed for this session"),
        (10, 0, "registrant", "ZZZZ-9999", "This check-in code is not valid"),
        (10, 0, "registrant", " - ", "Enter the check-in code your trainer shows."),
    ],
    ids=["too early", "after the end", "not registered", "unknown code", "blank"],
)
def test_a_refused_code_says_why_next_to_the_field(client, hour, minute, who, typed, message):
    with _at(hour, minute):
        session = _session()
        registration = _confirmed(session)
        code = check_in_code_for(session.meetings.get()).code
        client.force_login(registration.person if who == "registrant" else educator())
        response = client.post("/checkin/", {"code": typed.format(code=code)})
    content = html.unescape(response.content.decode())
    assert response.status_code == 400
    error = re.search(r'<ul class="errorlist" id="id_code_error">(.*?)</ul>', content, re.S)
    assert error and message in error.group(1)
    field = _input(content)
    assert 'aria-invalid="true"' in field
    assert re.search(r'aria-describedby="id_code_helptext id_code_error"', field)
    assert not Attendance.objects.exists()


@override_settings(RATE_LIMITS={"register": "3/m", "checkin": "3/m"})
def test_typed_codes_share_the_check_in_rate_limit():
    from django.test import Client

    client = Client()
    with time_machine.travel(in_days(0, 10).replace(second=5), tick=False):
        client.force_login(educator())
        statuses = [
            client.post("/checkin/", {"code": f"WRONG{n:03d}"}).status_code for n in range(2)
        ]
        statuses.append(client.get("/checkin/WRONG999/").status_code)
        statuses.append(client.post("/checkin/", {"code": "WRONG004"}).status_code)
    assert statuses == [400, 400, 404, 429]


def test_me_links_to_check_in_while_a_meeting_of_today_has_not_ended(client):
    with _at(8):
        person = educator()
        today = _session(title="Today cohort")
        tomorrow = _session(days=1, title="Tomorrow cohort")
        this_morning = _session(start=6, end=7, title="Early cohort")
        waiting = _session(title="Waitlisted cohort")
        for session in (today, tomorrow, this_morning):
            _confirmed(session, person)
        _confirmed(waiting, person, status="waitlisted")
        client.force_login(person)
        page = client.get("/me/").content.decode()
    links = re.findall(
        r'<a class="button" href="/checkin/">Check in<span class="visually-hidden"> to ([^<]+)</span></a>',
        page,
    )
    assert [html.unescape(name) for name in links] == [str(today)]
    with _at(15, 1):
        after = client.get("/me/").content.decode()
    assert 'href="/checkin/"' not in after

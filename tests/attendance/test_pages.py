"""The trainer's pages (their sessions, a meeting's roster, the check-in code) and self
check-in, as people use them in the browser."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attendance.completion import store_credited_minutes
from attendance.models import Attendance, CheckInCode, Headcount
from attendance.qr import qr_svg
from attendance.roster import roster_registrations
from attendance.services import check_in_code_for
from registrations.models import Registration
from tests.certificates.helpers import past_session
from tests.factories import (
    DistrictFactory,
    ProviderFactory,
    SessionFactory,
    UserFactory,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _today_session(*, trainers=(), **kwargs):
    """A session with one meeting today 09:00-15:00 local (freeze the clock inside it)."""
    session = SessionFactory(
        registration_closes_at=in_days(-1),
        registration_opens_at=in_days(-30),
        meetings=[(in_days(0, 9), in_days(0, 15))],
        **kwargs,
    )
    session.trainers.set(trainers)
    return session


def _confirmed(session, person=None):
    person = person or educator()
    return Registration.objects.create(
        session=session,
        person=person,
        status="confirmed",
        district=person.profile.district,
        school=person.profile.school,
        position=person.profile.position,
    )


def _at(hour, minute=0, days=0):
    """Freeze the clock at a local time today (or `days` from today)."""
    return time_machine.travel(in_days(days, hour).replace(minute=minute), tick=False)


def _roster_url(session, meeting=None):
    url = f"/trainer/sessions/{session.pk}/roster/"
    return f"{url}?meeting={meeting.pk}" if meeting else url


def _checked(content: bytes, registration, status) -> bool:
    pattern = rf'name="status-{registration.pk}" id="[^"]+" value="{status}" checked'
    return re.search(pattern, content.decode()) is not None


# The trainer's home ----------------------------------------------------------------------------


def test_trainer_home_groups_today_upcoming_and_past_needing_attendance(client, trainer):
    with _at(10):
        today = _today_session(trainers=[trainer], title="Today cohort")
        later = SessionFactory(starts_in_days=5, title="Later cohort")
        later.trainers.add(trainer)
        unmarked = past_session(
            hours=(3, 3), trainers=[trainer], title="Unmarked cohort", days_ago=3
        )
        _confirmed(unmarked)
        all_marked = past_session(hours=(3,), trainers=[trainer], title="Marked cohort")
        registration = _confirmed(all_marked)
        Attendance.objects.create(
            registration=registration,
            meeting=all_marked.meetings.get(),
            status="present",
            recorded_at=timezone.now(),
        )
        store_credited_minutes(all_marked.registrations.all())
        locked = past_session(hours=(3, 3), trainers=[trainer], title="Locked cohort", days_ago=20)
        _confirmed(locked)
        SessionFactory(starts_in_days=5, title="Someone else's")
        client.force_login(trainer)
        page = client.get("/trainer/")
    assert page.status_code == 200
    html = page.content.decode()
    today_part, rest = html.split('id="past-heading"')
    past_part, upcoming_part = rest.split('id="upcoming-heading"')
    assert "Today cohort" in today_part
    assert f"/trainer/sessions/{today.pk}/roster/" in today_part
    assert "Unmarked cohort" in past_part and "Later cohort" not in past_part
    assert "Later cohort" in upcoming_part
    for absent in ("Marked cohort", "Locked cohort", "Someone else"):
        assert absent not in html
    assert f"/trainer/sessions/{later.pk}/roster/" in html


def _two_day_session_meeting_today(*, trainers, title):
    """Day 1 yesterday 09:00-15:00, day 2 today 09:00-15:00 (freeze the clock inside it)."""
    session = SessionFactory(
        registration_closes_at=in_days(-2),
        registration_opens_at=in_days(-30),
        meetings=[(in_days(-1, 9), in_days(-1, 15)), (in_days(0, 9), in_days(0, 15))],
        title=title,
    )
    session.trainers.set(trainers)
    return session


def _sections(html: str) -> tuple[str, str, str]:
    today_part, rest = html.split('id="past-heading"')
    past_part, upcoming_part = rest.split('id="upcoming-heading"')
    return today_part, past_part, upcoming_part


def test_trainer_home_lists_todays_session_with_an_unrecorded_earlier_day_as_to_record(
    client, trainer
):
    with _at(10):
        session = _two_day_session_meeting_today(trainers=[trainer], title="Two-day cohort")
        _confirmed(session)
        day_one = session.meetings.order_by("starts_at").first()
        client.force_login(trainer)
        page = client.get("/trainer/")
    today_part, past_part, _ = _sections(page.content.decode())
    assert "Two-day cohort" in today_part
    assert "Attendance to record for an earlier meeting" in today_part
    assert "Two-day cohort" in past_part
    assert "All caught up" not in past_part
    assert f"/trainer/sessions/{session.pk}/roster/?meeting={day_one.pk}" in past_part


def test_trainer_home_says_all_caught_up_when_every_ended_meeting_is_recorded(client, trainer):
    with _at(10):
        session = _two_day_session_meeting_today(trainers=[trainer], title="Two-day cohort")
        registration = _confirmed(session)
        Attendance.objects.create(
            registration=registration,
            meeting=session.meetings.order_by("starts_at").first(),
            status="present",
            recorded_at=timezone.now(),
        )
        store_credited_minutes(session.registrations.all())
        client.force_login(trainer)
        page = client.get("/trainer/")
    today_part, past_part, _ = _sections(page.content.decode())
    assert "Two-day cohort" in today_part
    assert "Attendance to record" not in today_part.split('id="today-heading"')[1]
    assert "All caught up" in past_part and "Two-day cohort" not in past_part


def test_trainer_home_without_sessions_shows_a_friendly_empty_state(client):
    client.force_login(educator())
    page = client.get("/trainer/")
    assert page.status_code == 200
    assert b"You are not a trainer of any current session" in page.content


def test_trainer_home_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/trainer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/trainer/")


def test_trainer_home_costs_the_same_queries_for_few_and_many_sessions(client, trainer):
    client.force_login(trainer)

    def add(n):
        for _ in range(n):
            SessionFactory(starts_in_days=3).trainers.add(trainer)
            session = past_session(hours=(3, 3), trainers=[trainer])
            _confirmed(session)

    add(1)
    client.get("/trainer/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/trainer/").status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/trainer/")
    assert page.content.count(b"trainer-session-link") == 22
    assert len(many) == len(few)


# Who sees a roster -------------------------------------------------------------------------------


def test_the_roster_is_for_the_sessions_trainers_and_the_providers_staff_only(client, trainer):
    provider = ProviderFactory()
    session = _today_session(trainers=[trainer], course__provider=provider)
    other_trainer = UserFactory()
    SessionFactory().trainers.add(other_trainer)
    cases = [
        (trainer, 200),
        (other_trainer, 404),
        (staff_of(provider), 200),
        (staff_of(ProviderFactory()), 404),
        (educator(), 404),
    ]
    for user, status in cases:
        client.force_login(user)
        assert client.get(_roster_url(session)).status_code == status, user
        meeting = session.meetings.get()
        assert client.get(f"/trainer/meetings/{meeting.pk}/checkin/").status_code == status


def test_the_roster_opens_on_todays_meeting_with_links_to_the_others(client, trainer):
    with _at(10):
        session = SessionFactory(
            registration_closes_at=in_days(-2),
            meetings=[(in_days(d, 9), in_days(d, 12)) for d in (-1, 0, 1)],
        )
        session.trainers.add(trainer)
        first, second, third = session.meetings.order_by("starts_at")
        client.force_login(trainer)
        page = client.get(_roster_url(session))
    html = page.content.decode()
    assert "meeting 2 of 3" in html
    assert f'href="?meeting={second.pk}" aria-current="page"' in html
    assert f'href="?meeting={first.pk}"' in html and f'href="?meeting={third.pk}"' in html


# Saving the roster ----------------------------------------------------------------------------------


def test_saving_the_roster_records_every_chosen_row_and_a_reload_shows_them(client, trainer):
    with _at(14):
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        a, b, c, d, unchosen = (_confirmed(session) for _ in range(5))
        client.force_login(trainer)
        response = client.post(
            _roster_url(session, meeting),
            {
                f"status-{a.pk}": "present",
                f"status-{b.pk}": "partial",
                f"minutes-{b.pk}": "120",
                f"status-{c.pk}": "absent",
                f"minutes-{c.pk}": "30",  # ignored: only partial keeps minutes
                f"status-{d.pk}": "excused",
            },
        )
        assert response.status_code == 302
        last_changed = [r for r in roster_registrations(meeting) if r.pk != unchosen.pk][-1]
        assert response["Location"] == f"{_roster_url(session, meeting)}#r{last_changed.pk}"
        page = client.get(response["Location"])
    saved = {
        x.registration_id: (x.status, x.minutes, x.recorded_by) for x in Attendance.objects.all()
    }
    assert saved == {
        a.pk: ("present", None, trainer),
        b.pk: ("partial", 120, trainer),
        c.pk: ("absent", None, trainer),
        d.pk: ("excused", None, trainer),
    }
    html = page.content
    assert b"Saved attendance for 4 people." in html
    assert _checked(html, a, "present") and _checked(html, b, "partial")
    assert _checked(html, c, "absent") and _checked(html, d, "excused")
    assert f'name="minutes-{b.pk}" id="r{b.pk}-minutes" min="1" max="360"'.encode() in html
    assert b'value="120"' in html
    assert not any(_checked(html, unchosen, s) for s in ("present", "partial", "absent", "excused"))
    assert re.search(rb'total-n">1</span> present.*total-n">1</span> not marked', html, re.S)


def test_saving_the_roster_opens_it_again_at_the_person_the_trainer_was_at(client, trainer):
    with _at(10):
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        first, second = _confirmed(session), _confirmed(session)
        client.force_login(trainer)
        url = _roster_url(session, meeting)
        sent = client.post(url, {f"status-{first.pk}": "present", "at": f"r{second.pk}"})
        forged = client.post(url, {f"status-{second.pk}": "absent", "at": "main"})
        unchanged = client.post(url, {f"status-{second.pk}": "absent"})
        filtered = client.post(f"{url}&q=Ann+Lee", {f"status-{first.pk}": "present"})
    assert sent["Location"] == f"{url}#r{second.pk}"  # as static/js/roster.js says
    assert forged["Location"] == f"{url}#r{second.pk}"  # the row that changed
    assert unchanged["Location"] == f"{url}#attendance-heading"  # nothing changed
    assert filtered["Location"] == f"{url}&q=Ann+Lee#attendance-heading"


def test_the_roster_filters_by_name_without_javascript(client, trainer):
    with _at(10):
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        names = [("Alex", "Rivera"), ("Blair", "Chen"), ("José", "Álvarez")]
        rows = {
            first: _confirmed(session, educator(first_name=first, last_name=last))
            for first, last in names
        }
        client.force_login(trainer)
        page = client.get(f"{_roster_url(session, meeting)}&q=+rivera+")
        accents = client.get(f"{_roster_url(session, meeting)}&q=jose+alv")
        nobody = client.get(f"{_roster_url(session, meeting)}&q=zed")
    html = page.content.decode()
    assert 'id="roster-q" name="q" value="rivera"' in html
    assert f'id="r{rows["Alex"].pk}"' in html and f'id="r{rows["Blair"].pk}"' not in html
    assert "1 of 3 people shown." in html
    assert re.search(r'total-n">3</span> not marked', html)  # totals count everyone
    assert f'action="?meeting={meeting.pk}&amp;q=rivera"' in html
    assert f'id="r{rows["José"].pk}"' in accents.content.decode()
    assert "No one on this roster matches “zed”." in nobody.content.decode()


def test_a_partial_row_with_bad_minutes_shows_the_error_and_saves_nothing(client, trainer):
    with _at(14):
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        ok, bad = _confirmed(session, educator(first_name="Olive")), _confirmed(session)
        client.force_login(trainer)
        for minutes in ("", "0", "361", "abc"):
            page = client.post(
                _roster_url(session, meeting),
                {
                    f"status-{ok.pk}": "present",
                    f"status-{bad.pk}": "partial",
                    f"minutes-{bad.pk}": minutes,
                },
            )
            assert page.status_code == 400
            assert b'role="alert"' in page.content and b"Nothing was saved" in page.content
            assert b"enter the minutes attended, from 1 to 360" in page.content
            assert f'aria-describedby="r{bad.pk}-error"'.encode() in page.content
            assert _checked(page.content, ok, "present")  # what was sent is kept
    assert not Attendance.objects.exists()


def test_an_error_from_the_service_is_shown_with_the_persons_name(client, trainer):
    with _at(7):  # more than 30 minutes before the 09:00 start
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        registration = _confirmed(session, educator(first_name="Quinn", last_name="Early"))
        client.force_login(trainer)
        page = client.get(_roster_url(session))
        assert b"Attendance for this meeting opens" in page.content
        response = client.post(
            _roster_url(session, meeting), {f"status-{registration.pk}": "present"}
        )
    assert response.status_code == 400
    assert b"Quinn Early: Meeting 1 starts" in response.content
    assert not Attendance.objects.exists()


def test_mark_everyone_not_yet_marked_present(client, trainer):
    with _at(10):
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        excused, *others = (_confirmed(session) for _ in range(3))
        client.force_login(trainer)
        client.post(_roster_url(session, meeting), {f"status-{excused.pk}": "excused"})
        response = client.post(f"/trainer/meetings/{meeting.pk}/present/", follow=True)
    assert b"Marked 2 people present." in response.content
    statuses = dict(Attendance.objects.values_list("registration_id", "status"))
    assert statuses == {excused.pk: "excused", others[0].pk: "present", others[1].pk: "present"}


# Walk-ins and headcounts -------------------------------------------------------------------------


def test_a_walk_in_with_an_account_takes_a_free_seat_and_joins_the_roster(client, trainer):
    with _at(9, 15):
        session = _today_session(trainers=[trainer], capacity=2)
        meeting = session.meetings.get()
        _confirmed(session)
        walker = educator(email="Walk.In@example.org", first_name="Wally", last_name="Walker")
        client.force_login(trainer)
        response = client.post(
            f"/trainer/meetings/{meeting.pk}/walk-in/",
            {"email": "walk.in@EXAMPLE.org"},
            follow=True,
        )
    assert b"they are now on the roster and have been emailed" in response.content
    assert Registration.objects.get(person=walker).status == "confirmed"
    assert b'<legend class="roster-name">Wally Walker</legend>' in response.content


def test_a_walk_in_is_refused_when_no_seat_is_left(client, trainer):
    with _at(9, 15):
        session = _today_session(trainers=[trainer], capacity=1)
        meeting = session.meetings.get()
        _confirmed(session)
        client.force_login(trainer)
        url = f"/trainer/meetings/{meeting.pk}/walk-in/"
        full = client.post(url, {"email": "anyone@example.org"})
    assert full.status_code == 400
    assert b"No seat is left in this session for a walk-in." in full.content
    assert Registration.objects.filter(session=session).count() == 1


def test_headcounts_are_added_checked_and_deleted(client, trainer):
    with _at(10):
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        district = DistrictFactory(name="Lyme Public Schools")
        client.force_login(trainer)
        url = f"/trainer/meetings/{meeting.pk}/headcounts/"
        added = client.post(
            url, {"audience": "youth", "count": "12", "district": district.pk}, follow=True
        )
        assert b"Counted 12 youth." in added.content
        assert re.search(rb'total-n">12</span> youth counted', added.content)
        assert b"Lyme Public Schools" in added.content
        for count, message in (("0", b"at least 1"), ("10001", b"at most 10,000")):
            page = client.post(url, {"audience": "adult", "count": count})
            assert page.status_code == 400
            assert message in page.content
            assert b'aria-describedby="hc-count-error"' in page.content
            assert b'id="hc-audience-adult" value="adult" checked' in page.content
        headcount = Headcount.objects.get()
        assert (headcount.audience, headcount.count, headcount.district) == ("youth", 12, district)
        deleted = client.post(f"/trainer/headcounts/{headcount.pk}/delete/", follow=True)
    assert b"The headcount is deleted." in deleted.content
    assert not Headcount.objects.exists()


def test_another_trainer_cannot_delete_a_headcount(client, trainer):
    with _at(10):
        session = _today_session(trainers=[trainer])
        headcount = Headcount.objects.create(
            meeting=session.meetings.get(), audience="youth", count=3, recorded_at=timezone.now()
        )
        client.force_login(educator())
        asked = client.get(f"/trainer/headcounts/{headcount.pk}/delete/")
        response = client.post(f"/trainer/headcounts/{headcount.pk}/delete/")
    assert asked.status_code == 404
    assert response.status_code == 404
    assert Headcount.objects.exists()


def test_deleting_a_headcount_asks_first_with_its_number_and_audience(client, trainer):
    with _at(10):
        session = _today_session(trainers=[trainer])
        meeting = session.meetings.get()
        headcount = Headcount.objects.create(
            meeting=meeting,
            audience="youth",
            count=24,
            district=DistrictFactory(name="Lyme Public Schools"),
            recorded_at=timezone.now(),
        )
        client.force_login(trainer)
        roster = client.get(_roster_url(session, meeting))
        url = f"/trainer/headcounts/{headcount.pk}/delete/"
        assert f'<form method="get" action="{url}"' in roster.content.decode()
        asked = client.get(url)
        assert asked.status_code == 200
        text = " ".join(asked.content.decode().split())
        assert "Delete this headcount?" in text
        assert "24 youth · Lyme Public Schools" in text
        assert "Yes, delete the headcount of 24 youth</button>" in text
        assert f'href="{_roster_url(session, meeting)}">Keep it</a>' in text
        assert Headcount.objects.filter(pk=headcount.pk).exists()
        deleted = client.post(url)
    assert deleted.status_code == 302
    assert deleted["Location"] == _roster_url(session, meeting)
    assert not Headcount.objects.exists()


# The 14-day lock -----------------------------------------------------------------------------------


def test_attendance_locks_for_the_trainer_15_days_after_but_staff_still_save(client, trainer):
    provider = ProviderFactory()
    session = past_session(hours=(3,), trainers=[trainer], days_ago=15, course__provider=provider)
    meeting = session.meetings.get()
    registration = _confirmed(session)
    client.force_login(trainer)
    page = client.get(_roster_url(session))
    assert b"Attendance of this session locked on" in page.content
    assert b'<fieldset class="roster-all" disabled>' in page.content
    refused = client.post(_roster_url(session, meeting), {f"status-{registration.pk}": "present"})
    assert refused.status_code == 400 and b"locked on" in refused.content
    assert not Attendance.objects.exists()

    staff = staff_of(provider)
    client.force_login(staff)
    page = client.get(_roster_url(session))
    assert b"locked on" not in page.content
    saved = client.post(_roster_url(session, meeting), {f"status-{registration.pk}": "present"})
    assert saved.status_code == 302
    assert Attendance.objects.get().recorded_by == staff


# The check-in code, for trainers -------------------------------------------------------------------


def test_the_check_in_page_shows_the_code_link_qr_and_window(client, trainer):
    session = _today_session(trainers=[trainer])
    meeting = session.meetings.get()
    client.force_login(trainer)
    page = client.get(f"/trainer/meetings/{meeting.pk}/checkin/")
    code = CheckInCode.objects.get(meeting=meeting)
    html = page.content.decode()
    assert code.display in html
    assert f"{settings.SITE_URL}/checkin/{code.code}/" in html
    assert re.search(r'<svg role="img" aria-label="QR code for the check-in link [^"]+"', html)
    assert "8:30 AM" in html and "3:00 PM" in html  # opens 30 minutes early, ends at 15:00
    assert "stop working" in html


def test_rotating_the_code_replaces_it(client, trainer):
    session = _today_session(trainers=[trainer])
    meeting = session.meetings.get()
    old = check_in_code_for(meeting).code
    client.force_login(trainer)
    response = client.post(f"/trainer/meetings/{meeting.pk}/checkin/rotate/", follow=True)
    new = CheckInCode.objects.get(meeting=meeting)
    assert new.code != old
    assert f"The new check-in code is {new.display}".encode() in response.content
    assert client.get(f"/checkin/{old}/").status_code == 404


def test_the_qr_code_encodes_the_link_with_presentation_attributes_only():
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image, ImageDraw

    url = "https://pd.example.org/checkin/ABCD2345/"
    svg = qr_svg(url, label="QR <code>")
    assert "style" not in svg  # the CSP (style-src 'self') blocks style attributes
    assert svg.startswith('<svg role="img" aria-label="QR &lt;code&gt;" class="qr"')
    assert "<title>QR &lt;code&gt;</title>" in svg and 'viewBox="0 0 ' in svg
    # Rasterize segno's path: one-module-high horizontal strokes ("h"), moves absolute ("M")
    # or relative ("m"), in modules, scaled by the transform.
    scale = int(re.search(r'transform="scale\((\d+)\)"', svg).group(1))
    size = int(re.search(r'width="(\d+)"', svg).group(1))
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    path = re.search(r' d="([^"]+)"', svg).group(1)
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            top = (y - 0.5) * scale
            draw.rectangle([x * scale, top, (x + float(a)) * scale - 1, top + scale - 1], fill=0)
            x += float(a)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]


# Self check-in, for registrants ----------------------------------------------------------------------


def test_check_in_sends_anonymous_visitors_to_sign_in_and_back(client):
    code = check_in_code_for(_today_session().meetings.get())
    response = client.get(f"/checkin/{code.code}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/checkin/{code.code}/"


def test_checking_in_during_the_meeting_marks_the_person_present(client):
    with _at(9, 10):
        session = _today_session(title="Cohort 7")
        meeting = session.meetings.get()
        registration = _confirmed(session)
        code = check_in_code_for(meeting)
        client.force_login(registration.person)
        page = client.get(f"/checkin/{code.display}/")  # typed with the dash
        assert page.status_code == 200
        assert b"Check me in</button>" in page.content and b"Cohort 7" in page.content
        assert not Attendance.objects.exists()  # GET changes nothing
        done = client.post(f"/checkin/{code.code}/", follow=True)
    assert b"You are checked in for" in done.content
    assert b"Check me in</button>" not in done.content
    row = Attendance.objects.get()
    assert (row.registration, row.meeting, row.status, row.source) == (
        registration,
        meeting,
        "present",
        "checkin",
    )


def test_an_unknown_code_is_a_404_with_the_message(client):
    client.force_login(educator())
    for method in (client.get, client.post):
        response = method("/checkin/ZZZZ9999/")
        assert response.status_code == 404
        assert b"This check-in code is not valid" in response.content


def test_checking_in_too_early_or_unregistered_says_why(client):
    with _at(8):
        session = _today_session()
        registration = _confirmed(session)
        code = check_in_code_for(session.meetings.get())
        client.force_login(registration.person)
        early = client.post(f"/checkin/{code.code}/")
    assert early.status_code == 400
    assert b"Check-in opens at" in early.content and b"8:30 AM" in early.content
    with _at(10):
        client.force_login(educator())
        stranger = client.post(f"/checkin/{code.code}/")
    assert stranger.status_code == 400
    assert b"You are not confirmed for this session" in stranger.content
    assert not Attendance.objects.exists()


# Query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("big", [200])
def test_the_roster_costs_the_same_queries_for_5_and_200_registrations(client, trainer, big):
    with _at(10):
        district = DistrictFactory()
        people = [educator(district=district) for _ in range(big)]
        sizes = {}
        for size in (5, big):
            session = _today_session(trainers=[trainer])
            meeting = session.meetings.get()
            for person in people[:size]:
                registration = _confirmed(session, person)
            Attendance.objects.create(
                registration=registration,
                meeting=meeting,
                status="present",
                recorded_at=timezone.now(),
            )
            store_credited_minutes(session.registrations.all())
            Headcount.objects.create(
                meeting=meeting,
                audience="youth",
                count=4,
                district=district,
                recorded_at=timezone.now(),
            )
            client.force_login(trainer)
            client.get(_roster_url(session))
            with CaptureQueriesContext(connection) as queries:
                page = client.get(_roster_url(session))
            assert page.content.count(b'class="roster-row') == size
            sizes[size] = len(queries)
    assert sizes[5] == sizes[big], sizes


def test_check_in_window_closes_at_the_end_of_the_meeting(client):
    session = _today_session()
    registration = _confirmed(session)
    code = check_in_code_for(session.meetings.get())
    client.force_login(registration.person)
    with time_machine.travel(in_days(0, 15) + dt.timedelta(minutes=1), tick=False):
        late = client.post(f"/checkin/{code.code}/")
    assert late.status_code == 400 and b"expired" in late.content


def test_today_is_the_local_date_on_the_day_clocks_spring_forward(client, trainer):
    tz = timezone.get_current_timezone()
    start = dt.datetime(2027, 3, 14, 9, tzinfo=tz)  # DST begins at 02:00 that morning
    with time_machine.travel(dt.datetime(2027, 3, 14, 0, 30, tzinfo=tz), tick=False):
        session = SessionFactory(
            registration_closes_at=start - dt.timedelta(days=2),
            meetings=[(start, start.replace(hour=15))],
            title="Spring cohort",
        )
        session.trainers.add(trainer)
        client.force_login(trainer)
        page = client.get("/trainer/")
    today_part = page.content.decode().split('id="past-heading"')[0]
    assert "Spring cohort" in today_part and "Sun, Mar 14, 9:00 AM EDT" in today_part

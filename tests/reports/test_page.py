"""The reach report page (/reports/reach/) and its "Compare fiscal years" tab: who sees what,
filters, figures, sortable tables, charts, the coordinator's 18-hour table, query counts."""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance.services import AttendanceEntry, record_attendance, record_headcount
from courses.dates import LOCAL_TZ
from organizations.models import Position
from registrations.models import Registration
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProgramFactory,
    ProviderFactory,
    SessionFactory,
    alliance_admin,
    coordinator_of,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db

URL = "/reports/reach/"
COMPARE_URL = "/reports/reach/compare/"
# FY2025 (2024-07-01 .. 2025-06-30); every test runs on this day unless it travels.
NOW = dt.datetime(2025, 3, 14, 12, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)


def past_session(course, day: dt.date, hours: int = 6, **kwargs):
    start = local(day, 8)
    return SessionFactory(
        course=course,
        registration_opens_at=start - dt.timedelta(days=40),
        registration_closes_at=start - dt.timedelta(days=1),
        meetings=[(start, start + dt.timedelta(hours=hours))],
        **kwargs,
    )


def complete(session, *people) -> list[Registration]:
    """Confirm `people` in `session` and mark them present: completed registrations."""
    registrations = [
        Registration.objects.create(
            session=session,
            person=person,
            status=Registration.Status.CONFIRMED,
            district=person.profile.district,
            school=person.profile.school,
            position=person.profile.position,
        )
        for person in people
    ]
    meeting = session.meetings.get()
    record_attendance(
        session=session,
        entries=[AttendanceEntry(r.pk, meeting.pk, "present") for r in registrations],
        by=None,
    )
    return registrations


@pytest.fixture
def data():
    """LEARN and CES, two districts, sessions in FY2025 and one in FY2024.

    FY2025, LEARN: "Calm Classrooms" (6 h): Tia (teacher, Alder), Pam (paraeducator, Alder),
    Ted (teacher, Birch); youth headcount 25 naming Alder. "Long Day" (12 h): Tia.
    FY2025, CES: "Coastal Science" (3 h): Tia, Bea (Birch).
    FY2024, LEARN: "Calm Classrooms" (6 h): Tia.
    """
    learn = ProviderFactory(short_name="LEARN", name="LEARN")
    ces = ProviderFactory(short_name="CES", name="Cooperative Educational Services")
    alder = DistrictFactory(name="Alder Public Schools", member_of=learn)
    birch = DistrictFactory(name="Birch Public Schools", member_of=ces)
    program = ProgramFactory(provider=learn, name="UPLIFT", slug="uplift")
    calm = CourseFactory(provider=learn, program=program, title="Calm Classrooms", slug="calm")
    long_day = CourseFactory(provider=learn, title="Long Day", slug="long-day")
    coastal = CourseFactory(provider=ces, title="Coastal Science", slug="coastal")
    tia = educator(first_name="Tia", last_name="Teacher", district=alder)
    pam = educator(
        first_name="Pam", last_name="Para", district=alder, position=Position.PARAEDUCATOR
    )
    ted = educator(first_name="Ted", last_name="Birchman", district=birch)
    bea = educator(first_name="Bea", last_name="Birchwood", district=birch)

    calm_session = past_session(calm, dt.date(2025, 3, 4))
    complete(calm_session, tia, pam, ted)
    record_headcount(
        meeting=calm_session.meetings.get(), audience="youth", count=25, district=alder, by=None
    )
    complete(past_session(long_day, dt.date(2025, 2, 10), hours=12), tia)
    complete(past_session(coastal, dt.date(2025, 1, 20), hours=3), tia, bea)
    complete(past_session(calm, dt.date(2024, 3, 1)), tia)
    return {
        "learn": learn,
        "ces": ces,
        "alder": alder,
        "birch": birch,
        "calm_session": calm_session,
        "people": {"tia": tia, "pam": pam, "ted": ted, "bea": bea},
    }


def page(client, user, url=URL, **params):
    client.force_login(user)
    return client.get(url, params)


def html(response) -> str:
    return unescape(response.content.decode())


def figure(response, label: str) -> str:
    """The big number shown for `label`."""
    match = re.search(
        rf"<dt>{re.escape(label)}</dt>\s*<dd class=\"figure-n\">([^<]*)</dd>", html(response)
    )
    assert match, f"no figure {label!r}"
    return match.group(1)


def table(response, key: str) -> list[list[str]]:
    """The body rows of table `key` as lists of cell texts."""
    match = re.search(rf'<table id="table-{key}".*?<tbody>(.*?)</tbody>', html(response), re.S)
    assert match, f"no table {key!r}"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [
        [c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows
    ]


# Who sees what ------------------------------------------------------------------------------


def test_provider_staff_see_their_providers_figures_and_not_another_providers(client, data):
    response = page(client, staff_of(data["learn"]))

    assert response.status_code == 200
    assert figure(response, "Completions") == "4"  # Calm Classrooms 3, Long Day 1
    assert figure(response, "Staff trained") == "3"
    assert figure(response, "PD hours") == "30.00"
    assert figure(response, "Youth reached") == "25"
    assert figure(response, "Sessions delivered") == "2"
    text = html(response)
    assert "Calm Classrooms" in text
    assert "Coastal Science" not in text
    assert [row[0] for row in table(response, "session")] == ["Long Day", "Calm Classrooms"]


def test_the_default_period_is_the_current_fiscal_year(client, data):
    response = page(client, staff_of(data["learn"]))

    text = html(response)
    assert "Fiscal year 2025: Mon, Jul 1, 2024 to Mon, Jun 30, 2025" in text
    assert re.search(r'<option value="2025" selected>FY2025', text)


def test_the_default_fiscal_year_follows_the_clock(client, data):
    with time_machine.travel(dt.datetime(2025, 7, 1, 0, 30, tzinfo=LOCAL_TZ), tick=False):
        response = page(client, staff_of(data["learn"]))

    assert "Fiscal year 2026: Tue, Jul 1, 2025 to Tue, Jun 30, 2026" in html(response)
    assert figure(response, "Completions") == "0"


def test_changing_the_fiscal_year_changes_the_figures(client, data):
    response = page(client, staff_of(data["learn"]), fiscal_year="2024")

    assert response.status_code == 200
    assert "Fiscal year 2024" in html(response)
    assert figure(response, "Completions") == "1"
    assert figure(response, "PD hours") == "6.00"


def test_start_and_end_dates_replace_the_fiscal_year(client, data):
    response = page(client, staff_of(data["learn"]), fiscal_year="2024", start="2025-03-01")

    assert "Sat, Mar 1, 2025 to Mon, Jun 30, 2025" in html(response)
    assert figure(response, "Completions") == "3"  # Calm Classrooms only


def test_staff_cannot_choose_another_provider(client, data):
    response = page(client, staff_of(data["learn"]), provider="ces")

    assert response.status_code == 400
    assert "Choose one of the providers in the list." in html(response)
    assert 'class="figure-list"' not in html(response)
    assert b"Coastal Science" not in response.content


def test_staff_may_choose_their_own_provider(client, data):
    response = page(client, staff_of(data["learn"]), provider="learn")

    assert response.status_code == 200
    assert figure(response, "Completions") == "4"


def test_alliance_admins_see_all_providers_and_the_per_provider_table(client, data):
    response = page(client, alliance_admin())

    assert response.status_code == 200
    assert figure(response, "Completions") == "6"
    assert figure(response, "Staff trained") == "4"
    rows = table(response, "provider")
    assert [(row[0], row[3]) for row in rows] == [("CES", "2"), ("LEARN", "4")]


def test_alliance_admins_may_choose_one_provider_and_lose_the_per_provider_table(client, data):
    response = page(client, alliance_admin(), provider="ces")

    assert figure(response, "Completions") == "2"
    assert 'id="table-provider"' not in html(response)


def test_staff_see_no_per_provider_table(client, data):
    response = page(client, staff_of(data["learn"]))

    assert 'id="table-provider"' not in html(response)


def test_coordinators_see_only_their_districts_staff_and_the_18_hour_table(client, data):
    coordinator = coordinator_of(data["alder"], user__first_name="Cora", user__last_name="Coord")

    response = page(client, coordinator)

    assert response.status_code == 200
    # Alder: Tia (Calm, Long Day, Coastal) and Pam (Calm); Ted and Bea are Birch's.
    assert figure(response, "Completions") == "4"
    assert figure(response, "Staff trained") == "2"
    assert figure(response, "Districts reached") == "1"
    assert [row[0] for row in table(response, "district")] == ["Alder Public Schools"]
    assert "Birch Public Schools" not in html(response)
    hours = table(response, "hours")
    assert [(row[0], row[2], row[3], row[4]) for row in hours] == [
        ("Cora Coord", "Administrator", "0.00", "n/a"),
        ("Pam Para", "Paraeducator", "6.00", "No"),
        ("Tia Teacher", "Teacher", "21.00", "Yes"),  # 6 + 12 + 3; FY2024's 6 not counted
    ]
    assert "1 of 2" in re.sub(r"<[^>]+>", "", html(response))


def test_the_18_hour_table_follows_the_fiscal_year(client, data):
    response = page(client, coordinator_of(data["alder"]), fiscal_year="2024")

    tia = next(row for row in table(response, "hours") if row[0] == "Tia Teacher")
    assert tia[3:] == ["6.00", "No"]


def test_coordinators_see_sessions_of_every_provider_their_staff_attended(client, data):
    response = page(client, coordinator_of(data["birch"]))

    titles = {row[0] for row in table(response, "session")}
    assert titles == {"Calm Classrooms", "Coastal Science"}
    assert figure(response, "Completions") == "2"


@pytest.mark.parametrize("who", ["educator", "trainer"])
def test_educators_and_trainers_get_403(client, data, who):
    person = educator(district=data["alder"])
    if who == "trainer":
        data["calm_session"].trainers.add(person)

    assert page(client, person).status_code == 403
    assert page(client, person, COMPARE_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_nav_links_to_reports_only_for_people_who_may_see_them(client, data):
    assert b'href="/reports/reach/"' in page(client, staff_of(data["learn"]), "/me/").content
    assert b'href="/reports/reach/"' in page(client, coordinator_of(data["alder"]), "/me/").content
    assert b'href="/reports/reach/"' not in page(client, educator(), "/me/").content


# Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"provider": "nowhere"}, "Choose one of the providers in the list."),
        ({"program": "nothing"}, "Choose one of the programs in the list."),
        ({"course": "no-such-course"}, "Choose one of the courses in the list."),
        ({"fiscal_year": "twenty"}, "Choose one of the fiscal years in the list."),
        ({"fiscal_year": "1999"}, "Choose one of the fiscal years in the list."),
        ({"start": "2025-02-30"}, "Enter a valid date."),
        ({"end": "soon"}, "Enter a valid date."),
        ({"start": "0001-01-01"}, "Choose a date between 2000 and 2100."),
        ({"start": "2025-03-01", "end": "2025-02-01"}, "Choose an end date on or after"),
        ({"delivery": "carrier-pigeon"}, "Choose direct, turnkey or both."),
        ({"provider": "le\x00arn"}, "Null characters are not allowed."),
        ({"course": "calm\x00"}, "Null characters are not allowed."),
        ({"start": "2025-01-01\x00"}, "Enter a valid date."),
    ],
)
def test_bad_filters_answer_400_with_the_message_and_no_figures(client, data, params, message):
    response = page(client, alliance_admin(), **params)

    assert response.status_code == 400
    text = html(response)
    assert message in text
    assert 'role="alert"' in text
    assert 'class="figure-list"' not in text
    assert 'aria-invalid="true"' in text


def test_program_course_and_delivery_filters_narrow_the_figures(client, data):
    admin = alliance_admin()

    assert figure(page(client, admin, program="uplift"), "Completions") == "3"
    assert figure(page(client, admin, course="coastal"), "Completions") == "2"
    assert figure(page(client, admin, delivery="turnkey"), "Completions") == "0"
    assert figure(page(client, admin, delivery="direct"), "Completions") == "6"
    assert figure(page(client, admin, delivery="any"), "Completions") == "6"


def test_staff_choose_only_their_providers_courses(client, data):
    response = page(client, staff_of(data["learn"]), course="coastal")

    assert response.status_code == 400
    assert "Choose one of the courses in the list." in html(response)


def test_export_links_keep_the_filters(client, data):
    response = page(client, staff_of(data["learn"]), fiscal_year="2024", delivery="direct")

    text = html(response)
    for path in (
        "/reports/reach/export.csv",
        "/reports/reach/export.xlsx",
        "/reports/reach/export.pdf",
        "/reports/reach/detail.csv",
    ):
        assert f'href="{path}?fiscal_year=2024&delivery=direct"' in text


# Tables and charts --------------------------------------------------------------------------


def test_tables_sort_by_a_column_header_link(client, data):
    admin = alliance_admin()

    default = page(client, admin)
    by_completions = page(client, admin, sort="district.completions", dir="desc")
    ascending = page(client, admin, sort="district.completions", dir="asc")

    assert [row[0] for row in table(default, "district")] == [
        "Alder Public Schools",
        "Birch Public Schools",
    ]
    assert [row[0] for row in table(by_completions, "district")] == [
        "Alder Public Schools",  # 4 completions
        "Birch Public Schools",  # 2
    ]
    assert [row[0] for row in table(ascending, "district")] == [
        "Birch Public Schools",
        "Alder Public Schools",
    ]
    text = html(by_completions)
    assert re.search(r'<th scope="col" class="num" aria-sort="descending">', text)
    # The header links keep the filters and point back at the table.
    assert 'href="?fiscal_year=2025&sort=district.completions&dir=asc#table-district"' in text


def test_sorting_one_table_leaves_the_others_in_their_default_order(client, data):
    response = page(client, alliance_admin(), sort="session.completions", dir="desc")

    assert [row[0] for row in table(response, "session")][0] == "Calm Classrooms"
    assert [row[0] for row in table(response, "position")] == ["Paraeducator", "Teacher"]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "district.password", "dir": "desc"},
        {"sort": "nowhere.completions"},
        {"sort": "district.completions", "dir": "sideways"},
        {"sort": "<script>"},
    ],
)
def test_an_unknown_sort_is_ignored(client, data, params):
    response = page(client, alliance_admin(), **params)

    assert response.status_code == 200
    # The default order (by name); a known column with a bad direction sorts largest first.
    assert [row[0] for row in table(response, "district")] == [
        "Alder Public Schools",
        "Birch Public Schools",
    ]
    assert "<script>" not in response.content.decode()


def test_the_18_hour_table_sorts_by_hours_ascending_and_by_name(client, data):
    coordinator = coordinator_of(data["alder"], user__first_name="Cora", user__last_name="Coord")

    response = page(client, coordinator, sort="hours.name", dir="desc")

    assert [row[0] for row in table(response, "hours")] == ["Tia Teacher", "Pam Para", "Cora Coord"]


def test_each_breakdown_has_an_accessible_chart_beside_a_captioned_table(client, data):
    response = page(client, alliance_admin())

    text = html(response)
    charts = re.findall(r"<svg[^>]*>.*?</svg>", text, re.S)
    assert len(charts) == 4
    for chart in charts:
        assert 'role="img"' in chart
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', chart).group(1)
        assert re.search(rf'<title id="{labelled_by}">[^<]+</title>', chart)
    assert "<title id=" in charts[0] and "Completions by district</title>" in charts[0]
    for key in ("district", "position", "session", "delivery", "multiplier", "provider"):
        assert re.search(rf'<table id="table-{key}"[^>]*>\s*<caption', text)
    assert '<th scope="row">Alder Public Schools</th>' in text
    assert 'class="table-scroll"' in text


def test_chart_labels_are_escaped(client, data):
    data["calm_session"].course.title = "<b>Bold</b> & Calm"
    data["calm_session"].course.save()

    response = page(client, alliance_admin())

    assert b"<b>Bold</b>" not in response.content
    assert b"&lt;b&gt;Bold&lt;/b&gt; &amp; Calm" in response.content


def test_the_multiplier_section_is_shown(client, data):
    response = page(client, alliance_admin())

    assert "Train-the-trainer multiplier" in html(response)
    assert 'id="table-multiplier"' in html(response)


# Query count --------------------------------------------------------------------------------


def _queries(client, user, **params) -> int:
    client.force_login(user)
    client.get(URL, params)  # warm-up: session and content-type caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_10_and_100_registrations(client, data):
    people = {
        "admin": alliance_admin(),
        "staff": staff_of(data["learn"]),
        "coordinator": coordinator_of(data["alder"]),
    }
    session = past_session(data["calm_session"].course, dt.date(2025, 3, 5))
    complete(session, *[educator(district=data["alder"]) for _ in range(10)])
    small = {who: _queries(client, user) for who, user in people.items()}

    complete(session, *[educator(district=data["alder"]) for _ in range(90)])
    large = {who: _queries(client, user) for who, user in people.items()}

    assert large == small
    assert figure(page(client, people["admin"]), "Completions") == "106"


# Compare fiscal years -----------------------------------------------------------------------


def test_the_compare_tab_shows_the_chosen_fiscal_years_side_by_side(client, data):
    response = page(client, staff_of(data["learn"]), COMPARE_URL, years=["2024", "2025"])

    assert response.status_code == 200
    text = html(response)
    assert "FY2024 (Jul 2023 to Jun 2024)</th>" in text
    assert "FY2025 (Jul 2024 to Jun 2025)</th>" in text
    completions = re.search(r"Completions<span.*?</th>\s*(.*?)</tr>", text, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', completions) == ["1", "4"]
    assert 'role="img"' in text and "Completions by fiscal year</title>" in text


def test_the_compare_tab_defaults_to_the_last_three_fiscal_years(client, data):
    response = page(client, alliance_admin(), COMPARE_URL)

    text = html(response)
    assert response.status_code == 200
    for year in (2023, 2024, 2025):
        assert f"FY{year} (" in text


@pytest.mark.parametrize(
    "years", [["2025"], ["2025", "2025"], ["2020", "2021", "2022", "2023", "2024"], ["x"]]
)
def test_the_compare_tab_needs_two_to_four_known_years(client, data, years):
    response = page(client, alliance_admin(), COMPARE_URL, years=years)

    assert response.status_code == 400
    assert 'role="alert"' in html(response)


def test_the_compare_tab_keeps_the_scope_limits(client, data):
    response = page(client, staff_of(data["learn"]), COMPARE_URL, provider="ces")

    assert response.status_code == 400


def test_the_tabs_keep_the_filters_but_not_the_period(client, data):
    response = page(client, alliance_admin(), fiscal_year="2024", provider="ces")

    assert 'href="/reports/reach/compare/?provider=ces"' in html(response)


def test_a_long_breakdown_shows_its_first_rows_in_the_asked_order_and_says_so(
    client, data, monkeypatch
):
    monkeypatch.setattr("reports.views.TABLE_ROWS", 2)
    admin = alliance_admin()

    by_date = page(client, admin)
    by_completions = page(client, admin, sort="session.completions", dir="desc")
    export = page(client, admin, url=reverse("reports:export", kwargs={"fmt": "csv"}))

    first_cells = [row[0] for row in table(by_date, "session")]
    assert len(first_cells) == 2
    assert first_cells[0].startswith("Coastal Science") and first_cells[1].startswith("Long Day")
    assert [row[1] for row in table(by_completions, "session")] == ["3", "2"]
    assert "Showing the first 2 of 3 rows in this order" in html(by_date)
    # Short tables are whole and say nothing; the export has every session.
    assert len(table(by_date, "district")) == 2
    assert html(by_date).count("Showing the first") == 1
    csv_text = export.content.decode()
    assert all(title in csv_text for title in ("Calm Classrooms", "Long Day", "Coastal Science"))

"""LEARN staff's day: add a course and a two-meeting session in the staff admin, see it in the
catalog, look at who registered, then read the reach report for this fiscal year and the last
one and download last year's figures as a spreadsheet."""

import datetime as dt
import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from attendance.services import AttendanceEntry, record_attendance
from courses.dates import fiscal_year_bounds, fiscal_year_of, start_of_local_day, today
from courses.models import Course, Session
from registrations.models import Registration
from registrations.services import register
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    SchoolFactory,
    SessionFactory,
    educator,
    in_days,
    staff_of,
)

from .helpers import AXE_OPTIONS, assert_accessible, shot, sign_in

_axe = Axe()


def check_admin_page(page: Page) -> list[str]:
    """axe on a page of Django's own admin: print what it finds, never fail on it (the admin's
    markup is Django's, not ours)."""
    page.wait_for_load_state()
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    found = [
        f"{v['id']} ({v['impact']}): {v['help']}, at "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
        for v in violations
    ]
    path = page.url.split("://", 1)[-1].split("/", 1)[-1]
    print(f"axe on the Django admin /{path}: " + ("; ".join(found) if found else "no violations"))
    return found


def _at(day: dt.date, hour: int) -> dt.datetime:
    """An aware local datetime on `day` at `hour`:00 Eastern."""
    return start_of_local_day(day) + dt.timedelta(hours=hour)


def _delivered_session(course: Course, day: dt.date, people: dict, staff) -> Session:
    """A one-meeting 09:00-15:00 session on `day` (in the past), registered for through
    registrations.services and its attendance recorded by `staff` that afternoon:
    `people` maps each person to "present" or "absent"."""
    starts, ends = _at(day, 9), _at(day, 15)
    session = SessionFactory(
        course=course,
        registration_opens_at=starts - dt.timedelta(days=30),
        registration_closes_at=starts - dt.timedelta(days=1),
        meetings=[(starts, ends)],
    )
    meeting = session.meetings.get()
    entries = []
    for person, status in people.items():
        registration = register(
            person=person, session=session, now=starts - dt.timedelta(days=10)
        ).registration
        entries.append(AttendanceEntry(registration.pk, meeting.pk, status))
    record_attendance(session=session, entries=entries, by=staff, now=ends + dt.timedelta(hours=1))
    return session


def _figure(page: Page, label: str):
    """The number shown for one figure of the reach page (e.g. "Completions")."""
    figure = page.locator(".figure", has=page.locator("dt", has_text=re.compile(f"^{label}$")))
    return figure.locator(".figure-n")


def _fill_datetime(page: Page, field_id: str, moment: dt.datetime) -> None:
    """Fill one of the admin's split date/time widgets (id_<name>_0 and id_<name>_1)."""
    local = timezone.localtime(moment)
    page.locator(f"#{field_id}_0").fill(local.strftime("%Y-%m-%d"))
    page.locator(f"#{field_id}_1").fill(local.strftime("%H:%M"))


def test_learn_staff_add_a_session_see_its_registrations_and_compare_fiscal_years(
    page: Page, site: str, tmp_path
):
    learn = ProviderFactory(short_name="LEARN", name="LEARN", slug="learn")
    staff = staff_of(
        learn, email="dana.reyes@learn.example.org", first_name="Dana", last_name="Reyes"
    )
    school = SchoolFactory(
        name="Lyme Consolidated School",
        district=DistrictFactory(name="Lyme-Old Lyme Public Schools", member_of=learn),
    )
    people = {
        name: educator(
            email=f"{name.lower().replace(' ', '.')}@example.org",
            first_name=name.split()[0],
            last_name=name.split()[1],
            district=school.district,
            school=school,
        )
        for name in ("Avery Brooks", "Blake Chen", "Riley Novak", "Sky Patel")
    }
    avery, blake, riley, sky = people.values()

    # Last fiscal year, LEARN delivered "Calm Classrooms" twice: Avery completed both, Blake
    # the first; Riley missed the second. This year so far, Blake completed one session.
    this_year = fiscal_year_of(today())
    last_year = this_year - 1
    last_first_day, _ = fiscal_year_bounds(last_year)
    this_first_day, _ = fiscal_year_bounds(this_year)
    calm = CourseFactory(provider=learn, title="Calm Classrooms", slug="calm-classrooms")
    _delivered_session(
        calm, last_first_day + dt.timedelta(days=100), {avery: "present", blake: "present"}, staff
    )
    _delivered_session(
        calm, last_first_day + dt.timedelta(days=200), {avery: "present", riley: "absent"}, staff
    )
    expected = {
        last_year: {"Sessions delivered": "2", "Staff trained": "2", "Completions": "3"},
        this_year: {"Sessions delivered": "0", "Staff trained": "0", "Completions": "0"},
    }
    # A whole day of this fiscal year has passed unless today is July 1.
    if today() > this_first_day:
        day = max(this_first_day, today() - dt.timedelta(days=7))
        _delivered_session(calm, day, {blake: "present"}, staff)
        expected[this_year] = {"Sessions delivered": "1", "Staff trained": "1", "Completions": "1"}

    # Dana signs in and opens the staff admin from the menu.
    sign_in(page, site, staff.email)
    page.get_by_role("link", name="Staff admin").click()
    expect(page).to_have_url(f"{site}/admin/")
    check_admin_page(page)

    # A new course: LEARN is her only provider, so it is already chosen.
    page.locator("#content-main").get_by_role("link", name="Courses").click()
    page.get_by_role("link", name="Add course").click()
    check_admin_page(page)
    expect(page.locator("#id_provider option:checked")).to_have_text("LEARN")
    page.get_by_label("Title").fill("Restorative Circles in Middle School")
    page.get_by_label("Title").press("Tab")  # the admin fills the slug in from the title
    expect(page.get_by_label("Slug")).to_have_value("restorative-circles-in-middle-school")
    page.get_by_label("Summary").fill("Running circles that build community and repair harm.")
    page.get_by_label("Hours").fill("12")
    page.get_by_label("Member price:", exact=True).fill("150.00")
    page.get_by_label("Non member price:", exact=True).fill("225.00")
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    course = Course.objects.get(slug="restorative-circles-in-middle-school")
    assert (course.provider, course.status, str(course.hours)) == (learn, "published", "12.00")

    # Its session: two Tuesdays, registration closing the afternoon before the first.
    first_day = (timezone.localtime() + dt.timedelta(days=21)).date()
    meetings = [
        (_at(first_day, 9), _at(first_day, 15)),
        (_at(first_day + dt.timedelta(days=7), 9), _at(first_day + dt.timedelta(days=7), 15)),
    ]
    page.goto(f"{site}/admin/")
    page.locator("#content-main").get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="Add session").click()
    check_admin_page(page)
    page.locator(".field-course .select2-selection").click()
    page.locator(".select2-search__field").fill("Restorative")
    page.locator(".select2-results__option", has_text="Restorative Circles").click()
    page.get_by_label("Capacity").fill("20")
    _fill_datetime(page, "id_registration_opens_at", in_days(0, 0))
    _fill_datetime(page, "id_registration_closes_at", meetings[0][0] - dt.timedelta(hours=16))
    _fill_datetime(page, "id_meetings-0-starts_at", meetings[0][0])
    _fill_datetime(page, "id_meetings-0-ends_at", meetings[0][1])
    page.get_by_role("button", name="Add another Meeting").click()
    _fill_datetime(page, "id_meetings-1-starts_at", meetings[1][0])
    _fill_datetime(page, "id_meetings-1-ends_at", meetings[1][1])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    check_admin_page(page)
    session = Session.objects.get(course=course)
    assert [(m.starts_at, m.ends_at) for m in session.meetings.order_by("starts_at")] == meetings
    assert session.registration_closes_at < meetings[0][0]

    # The catalog lists the course and its session.
    page.get_by_role("link", name="View site").click()
    page.get_by_role("link", name="Courses", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Restorative Circles in Middle School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Restorative Circles in Middle School"
    )
    assert_accessible(page)
    expect(page.locator(".session-item")).to_have_count(1)
    expect(page.locator(".session-item")).to_contain_text("20 seats left")

    # Riley and Sky register (on their own, elsewhere); Dana looks at the session's list.
    for person in (riley, sky):
        assert register(person=person, session=session).registration.status == "confirmed"
    page.get_by_role("link", name="Sessions", exact=True).click()
    expect(page).to_have_url(f"{site}/staff/sessions/")
    assert_accessible(page)
    row = page.get_by_role("row", name=re.compile("^Restorative Circles in Middle School"))
    expect(row).to_contain_text("2 / 20")
    row.get_by_role("link", name="Restorative Circles in Middle School", exact=True).click()
    expect(page).to_have_url(f"{site}/staff/sessions/{session.pk}/registrations/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Restorative Circles in Middle School"
    )
    confirmed = page.get_by_role("table", name="Confirmed registrations (2)")
    expect(confirmed.get_by_role("row")).to_have_count(3)
    for person in (riley, sky):
        expect(
            confirmed.get_by_role("row", name=re.compile(person.get_full_name()))
        ).to_contain_text(person.email)
    assert_accessible(page)
    shot(page, "session-registrations")

    # The reach report: this fiscal year first.
    page.get_by_role("link", name="Reports").click()
    expect(page).to_have_url(f"{site}/reports/reach/")
    expect(page.get_by_role("heading", level=2, name=f"Fiscal year {this_year}:")).to_be_visible()
    expect(page.get_by_role("combobox", name="Fiscal year")).to_have_value(str(this_year))
    for label, value in expected[this_year].items():
        expect(_figure(page, label)).to_have_text(value)
    assert_accessible(page)
    shot(page, "reach-this-year")

    # Last fiscal year.
    page.get_by_role("combobox", name="Fiscal year").select_option(value=str(last_year))
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", level=2, name=f"Fiscal year {last_year}:")).to_be_visible()
    for label, value in expected[last_year].items():
        expect(_figure(page, label)).to_have_text(value)
    expect(_figure(page, "PD hours")).to_have_text("18.00")
    assert_accessible(page)
    shot(page, "reach-last-year")

    # The spreadsheet says what the page says.
    shown = int(_figure(page, "Completions").inner_text())
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"reach-learn-{last_first_day.isoformat()}-to-{last_year}-06-30.xlsx"
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    summary = {
        row[0]: row[1]
        for row in workbook["Summary"].iter_rows(min_col=1, max_col=2, values_only=True)
        if row[0]
    }
    workbook.close()
    assert summary["Completions"] == shown == 3
    assert summary["Staff trained"] == 2

    assert Registration.objects.filter(session=session, status="confirmed").count() == 2

"""A session still under way completes nobody, in every report: the reach figures, the detail
export and the coordinator's 18-hour table (DESIGN.md, Completed). Reports read the completion
stored by attendance.completion, so they count it once the session is settled."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from attendance.services import AttendanceEntry, record_attendance, settle_ended_sessions
from courses.dates import LOCAL_TZ
from registrations.models import Registration
from reports.coordinator import staff_hours
from reports.detail import detail_rows
from reports.selectors import ReachScope, reach_report
from tests.factories import CourseFactory, DistrictFactory, SessionFactory, educator

pytestmark = pytest.mark.django_db
FIRST = dt.datetime(2026, 3, 2, 9, tzinfo=LOCAL_TZ)
SECOND = dt.datetime(2026, 3, 9, 9, tzinfo=LOCAL_TZ)


def _three_hours(start):
    return (start, start + dt.timedelta(hours=3))


def test_a_registration_counts_as_completed_only_once_the_last_meeting_has_ended():
    district = DistrictFactory()
    course = CourseFactory()
    # Two meetings a week apart; half the minutes complete it, so the first day alone does.
    session = SessionFactory(
        course=course,
        meetings=[_three_hours(FIRST), _three_hours(SECOND)],
        completion_threshold=50,
        registration_opens_at=FIRST - dt.timedelta(days=60),
        registration_closes_at=FIRST - dt.timedelta(days=1),
    )
    person = educator(district=district)
    registration = Registration.objects.create(
        session=session,
        person=person,
        status="confirmed",
        district=district,
        school=person.profile.school,
        position=person.profile.position,
    )
    first = session.meetings.order_by("starts_at").first()
    between = FIRST + dt.timedelta(days=2)
    record_attendance(
        session=session,
        entries=[AttendanceEntry(registration.pk, first.pk, "present")],
        by=None,
        now=between,
    )
    scope = ReachScope.fiscal_year(2026, provider_ids=(course.provider_id,))

    def figures():
        report = reach_report(scope)
        people = {
            row.person_id: row.pd_hours
            for row in staff_hours(district_ids=(district.pk,), year=2026)
        }
        return (
            report.figures.completions,
            report.figures.pd_hours,
            len(list(detail_rows(scope))) - 1,
            people[person.pk],
        )

    with time_machine.travel(between, tick=False):
        assert figures() == (0, Decimal("0.00"), 0, Decimal("0.00"))
    with time_machine.travel(SECOND + dt.timedelta(hours=3), tick=False):
        # Completion is stored when the settle command (every 5 minutes) finds the ended
        # session: every report counts it from then on, together with its certificate.
        assert figures() == (0, Decimal("0.00"), 0, Decimal("0.00"))
        assert settle_ended_sessions() == 1
        assert figures() == (1, Decimal("3.00"), 1, Decimal("3.00"))

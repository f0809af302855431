"""The reach figures on a hand-built data set, every expected number worked out by hand.

Fiscal year 2026 = 2025-07-01..2026-06-30 (local dates). Every meeting is 180 minutes unless
said otherwise. LEARN runs S1..S7; CES runs one session that only Alliance-wide scope sees.

  S1 paid (price 100), 2025-09-10; trainer T also registered and present (never counted)
  S2 paid, 2025-10-10 and 11, two meetings (360 min), threshold 80 % (288 min)
  S3 free, 2025-11-10
  S4 cancelled, 2025-12-01, with attendance and a youth headcount (never counted)
  S5 paid, first meeting 11:30 pm on 2026-06-30 (60 min): in FY2026
  S6 free turnkey (UPLIFT), 2026-03-01, headcounts only: youth 30 (district C), adults 5
  S7 paid, 12:30 am on 2026-07-01: FY2027, out of scope

  P1 A teacher      S1 present, S2 present+present           -> 2 completions (180 + 360)
  P2 B teacher      S1 present; moved to district C later    -> counted in B (180)
  P3 A para         S2 present + partial 100 = 280 < 288     -> not completed
  P4 A teacher      S2 present + partial 110 = 290 >= 288    -> completed (290)
  P5 B teacher      S1 excused; S3 present                   -> S3 only (180)
  P6 C counselor    S3 present                               -> 180
  P7 B teacher      S4 present (cancelled session)           -> nothing
  P8 A para         S5 present                               -> 60
  P9 A teacher      S7 present                               -> out of period
  Headcount adults 3 naming D on S1 (a paid session): D is reached but not free.

  completions 7; staff_trained 6 (P1 P2 P4 P5 P6 P8); pd_hours 1430 min = 23.83;
  districts_reached 4 (A B C D); youth_reached 30; adults_uncounted 8; sessions_delivered 5;
  free_districts 1 (C: only the free S3 and the free S6's headcount).
"""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.services import AttendanceEntry, record_attendance, record_headcount
from courses.dates import LOCAL_TZ
from courses.models import CertifiedTrainer, Session
from organizations.models import Profile
from registrations.models import Registration
from reports.selectors import ReachScope, reach_report
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProgramFactory,
    ProviderFactory,
    SessionFactory,
    educator,
)

pytestmark = pytest.mark.django_db
LATER = dt.datetime(2026, 8, 15, 12, tzinfo=LOCAL_TZ)  # every meeting is over


def local(y, m, d, h=9, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=LOCAL_TZ)


def block(start, minutes=180):
    return (start, start + dt.timedelta(minutes=minutes))


def session(course, meetings, **kwargs):
    return SessionFactory(
        course=course,
        meetings=meetings,
        registration_opens_at=meetings[0][0] - dt.timedelta(days=60),
        registration_closes_at=meetings[0][0] - dt.timedelta(days=1),
        capacity=30,
        **kwargs,
    )


def enrol(session, person, price):
    profile = person.profile
    return Registration.objects.create(
        session=session,
        person=person,
        status="confirmed",
        district=profile.district,
        school=profile.school,
        position=profile.position,
        price=Decimal(price),
    )


def mark(registration, *statuses):
    meetings = registration.session.meetings.order_by("starts_at")
    entries = [
        AttendanceEntry(
            registration.pk,
            meeting.pk,
            "partial" if isinstance(s, int) else s,
            s if isinstance(s, int) else None,
        )
        for meeting, s in zip(meetings, statuses, strict=True)
    ]
    record_attendance(session=registration.session, entries=entries, by=None, now=LATER)


@pytest.fixture
def world():
    learn, ces = ProviderFactory(short_name="LEARN"), ProviderFactory(short_name="CES")
    a, b, c, d = (DistrictFactory(member_of=learn, name=f"District {x}") for x in "ABCD")
    uplift = ProgramFactory(provider=learn, name="UPLIFT")
    ttt = CourseFactory(provider=learn, program=uplift, trains_trainers=True)
    paid = CourseFactory(provider=learn, member_price=Decimal("100"))
    foundations = CourseFactory(provider=learn, program=uplift)

    s1 = session(paid, [block(local(2025, 9, 10))])
    s2 = session(
        paid, [block(local(2025, 10, 10)), block(local(2025, 10, 11))], completion_threshold=80
    )
    s3 = session(paid, [block(local(2025, 11, 10))], is_free=True)
    s4 = session(paid, [block(local(2025, 12, 1))])
    s5 = session(paid, [block(local(2026, 6, 30, 23, 30), 60)])
    s6 = session(foundations, [block(local(2026, 3, 1))], is_free=True, delivery="turnkey")
    s7 = session(paid, [block(local(2026, 7, 1, 0, 30))])
    ces_session = session(CourseFactory(provider=ces), [block(local(2025, 9, 12))])

    people = {
        "P1": educator(district=a),
        "P2": educator(district=b),
        "P3": educator(district=a, position="paraeducator"),
        "P4": educator(district=a),
        "P5": educator(district=b),
        "P6": educator(district=c, position="school_counselor"),
        "P7": educator(district=b),
        "P8": educator(district=a, position="paraeducator"),
        "P9": educator(district=a),
        "T": educator(district=a),
        "CT": educator(district=c),
        "X": educator(district=a),
    }
    p = people
    s1.trainers.add(p["T"])
    s6.trainers.add(p["CT"])
    CertifiedTrainer.objects.create(
        program=uplift, person=p["CT"], certified_at=local(2025, 8, 1), source_session=None
    )
    assert ttt.trains_trainers

    mark(enrol(s1, p["P1"], 100), "present")
    mark(enrol(s2, p["P1"], 100), "present", "present")
    mark(enrol(s1, p["P2"], 100), "present")
    Profile.objects.filter(user=p["P2"]).update(district=c)  # moved after registering
    mark(enrol(s2, p["P3"], 100), "present", 100)
    mark(enrol(s2, p["P4"], 100), "present", 110)
    mark(enrol(s1, p["P5"], 100), "excused")
    mark(enrol(s3, p["P5"], 0), "present")
    mark(enrol(s3, p["P6"], 0), "present")
    mark(enrol(s4, p["P7"], 100), "present")
    Session.objects.filter(pk=s4.pk).update(status="cancelled")
    mark(enrol(s5, p["P8"], 100), "present")
    mark(enrol(s7, p["P9"], 100), "present")
    mark(enrol(s1, p["T"], 100), "present")
    mark(enrol(ces_session, p["X"], 100), "present")

    def head(s, audience, count, district):
        record_headcount(
            meeting=s.meetings.first(),
            audience=audience,
            count=count,
            district=district,
            by=None,
            now=LATER,
        )

    head(s1, "adult", 3, d)
    head(s6, "youth", 30, c)
    head(s6, "adult", 5, None)
    Session.objects.filter(pk=s4.pk).update(status="scheduled")
    head(s4, "youth", 100, a)
    Session.objects.filter(pk=s4.pk).update(status="cancelled")
    return {"learn": learn, "ces": ces, "a": a, "b": b, "c": c, "d": d, "uplift": uplift, "s6": s6}


def test_every_figure_of_the_fiscal_year(world):
    report = reach_report(ReachScope.fiscal_year(2026, provider_ids=(world["learn"].pk,)))
    f = report.figures
    assert f.completions == 7
    assert f.staff_trained == 6
    assert f.pd_hours == Decimal("23.83")
    assert f.districts_reached == 4
    assert f.youth_reached == 30
    assert f.adults_uncounted == 8
    assert f.sessions_delivered == 5
    assert f.free_districts == 1


def test_breakdown_by_district_uses_the_registration_snapshot(world):
    report = reach_report(ReachScope.fiscal_year(2026, provider_ids=(world["learn"].pk,)))
    rows = {r.name: r for r in report.by_district}
    assert set(rows) == {"District A", "District B", "District C", "District D"}
    a, b, c, d = (rows[f"District {x}"] for x in "ABCD")
    assert (a.staff_trained, a.completions, a.pd_hours, a.free) == (3, 4, Decimal("14.83"), False)
    assert (b.staff_trained, b.completions, b.pd_hours, b.free) == (2, 2, Decimal("6.00"), False)
    assert (c.staff_trained, c.completions, c.pd_hours, c.youth_reached, c.free) == (
        1,
        1,
        Decimal("3.00"),
        30,
        True,
    )
    assert (d.completions, d.adults_uncounted, d.free) == (0, 3, False)


def test_breakdowns_by_position_delivery_and_session(world):
    report = reach_report(ReachScope.fiscal_year(2026, provider_ids=(world["learn"].pk,)))
    positions = {
        r.position: (r.staff_trained, r.completions, r.pd_hours) for r in report.by_position
    }
    assert positions == {
        "teacher": (4, 5, Decimal("19.83")),
        "school_counselor": (1, 1, Decimal("3.00")),
        "paraeducator": (1, 1, Decimal("1.00")),
    }
    delivery = {
        r.delivery: (
            r.sessions_delivered,
            r.staff_trained,
            r.completions,
            r.pd_hours,
            r.youth_reached,
        )
        for r in report.by_delivery
    }
    assert delivery == {
        "direct": (4, 6, 7, Decimal("23.83"), 0),
        "turnkey": (1, 0, 0, Decimal("0.00"), 30),
    }
    sessions = report.by_session
    assert len(sessions) == 5  # S1 S2 S3 S5 S6: not the cancelled S4, not S7
    last = sessions[-1]
    assert last.first_date == dt.date(2026, 6, 30) and last.completions == 1
    assert [s.delivered for s in sessions] == [True] * 5


def test_the_turnkey_multiplier(world):
    report = reach_report(ReachScope.fiscal_year(2026, provider_ids=(world["learn"].pk,)))
    (row,) = report.turnkey_multiplier
    assert (
        row.program,
        row.trainers_certified,
        row.turnkey_sessions,
        row.staff_trained,
        row.youth_reached,
    ) == (
        "UPLIFT",
        1,
        1,
        0,
        30,
    )


def test_the_session_at_half_past_midnight_on_july_first_is_next_year(world):
    report = reach_report(ReachScope.fiscal_year(2027, provider_ids=(world["learn"].pk,)))
    assert (report.figures.completions, report.figures.staff_trained) == (1, 1)


def test_a_date_range_and_the_delivery_filter(world):
    learn = (world["learn"].pk,)
    autumn = reach_report(
        ReachScope(start=dt.date(2025, 9, 1), end=dt.date(2025, 10, 10), provider_ids=learn)
    )
    # S1 (P1, P2) and S2 (first meeting Oct 10: P1, P4).
    assert (autumn.figures.completions, autumn.figures.staff_trained) == (4, 3)
    turnkey = reach_report(ReachScope.fiscal_year(2026, provider_ids=learn, delivery="turnkey"))
    assert (turnkey.figures.sessions_delivered, turnkey.figures.youth_reached) == (1, 30)
    assert turnkey.figures.completions == 0


def test_alliance_wide_includes_every_provider(world):
    everything = reach_report(ReachScope.fiscal_year(2026))
    assert everything.figures.completions == 8 and everything.figures.staff_trained == 7


def test_a_coordinator_sees_only_their_districts_staff_and_headcounts(world):
    scope = ReachScope.fiscal_year(2026, district_ids=(world["a"].pk,))
    f = reach_report(scope).figures
    # A: P1 (S1, S2), P4 (S2), P8 (S5), and X at CES (S1 of CES): every provider's sessions.
    assert (f.completions, f.staff_trained, f.pd_hours) == (5, 4, Decimal("17.83"))
    assert (f.youth_reached, f.adults_uncounted, f.districts_reached) == (0, 0, 1)
    # Sessions where A's people were present: LEARN S1, S2, S5 and CES's session.
    assert f.sessions_delivered == 4


def test_the_report_costs_the_same_queries_whatever_the_size(world):
    scope = ReachScope.fiscal_year(2026, provider_ids=(world["learn"].pk,))
    with CaptureQueriesContext(connection) as small:
        reach_report(scope)
    s1 = Session.objects.filter(course__provider=world["learn"]).order_by("id").first()
    meeting = s1.meetings.get()
    district = world["a"]
    for _ in range(40):
        registration = enrol(s1, educator(district=district), 100)
        record_attendance(
            session=s1,
            entries=[AttendanceEntry(registration.pk, meeting.pk, "present")],
            by=None,
            now=LATER,
        )
    with CaptureQueriesContext(connection) as large:
        report = reach_report(scope)
    assert report.figures.completions == 47
    # Eight temporary tables built (six analyzed on PostgreSQL, after jit = off), six reads,
    # eight drops: 24 queries on SQLite, 31 on PostgreSQL (plus savepoints); then the
    # evaluations block: two counts, and one aggregate once there are 3 responses or more.
    assert len(large) == len(small) <= 34


def test_completions_agree_with_the_certificates_issued(world):
    from certificates.models import Certificate

    report = reach_report(ReachScope.fiscal_year(2026, provider_ids=(world["learn"].pk,)))
    in_scope = {row.session_id for row in report.by_session}
    certificates = Certificate.objects.filter(
        registration__session_id__in=in_scope, revoked_at__isnull=True
    )
    assert certificates.count() == report.figures.completions
    minutes = sum(c.credited_minutes for c in certificates)
    assert Decimal(minutes) / 60 == pytest.approx(report.figures.pd_hours, abs=Decimal("0.01"))


@pytest.mark.parametrize(
    "extra",
    [{}, {"delivery": "direct"}, {"district_ids": "a"}],
    ids=["alliance", "direct-only", "coordinator-of-a"],
)
def test_each_providers_row_equals_the_report_narrowed_to_that_provider(world, extra):
    if "district_ids" in extra:
        extra = {"district_ids": (world["a"].pk,)}
    scope = ReachScope.fiscal_year(2026, **extra)
    rows = reach_report(scope, per_provider=True).by_provider
    assert [row.name for row in rows] == ["CES", "LEARN"]
    for row in rows:
        narrowed = reach_report(replace(scope, provider_ids=(row.provider_id,))).figures
        assert row.figures == narrowed, row.name
    learn = next(row for row in rows if row.name == "LEARN")
    ces = next(row for row in rows if row.name == "CES")
    assert (
        learn.figures.completions + ces.figures.completions
        == reach_report(scope).figures.completions
    )
    assert ces.figures.completions == 1  # X, of district A, at CES's session


def test_a_providers_scope_lists_only_that_provider(world):
    scope = ReachScope.fiscal_year(2026, provider_ids=(world["ces"].pk,))
    assert [row.name for row in reach_report(scope, per_provider=True).by_provider] == ["CES"]
    assert reach_report(scope).by_provider == []

"""The demo data behind `manage.py seed_demo`: invented people, real RESC and town names.

Deterministic and idempotent. Every row is found by a natural key (slug, email, CSDE code,
a session's course and title, a registration's session and person) and updated in place, so a
second run leaves the same rows with the same values. Dates are computed from today's local date,
so the demo always has a session today, upcoming sessions and past ones in the previous fiscal
year. Catalog and schedule changes go through courses.services, profiles and roles through
organizations.services. Registrations are written directly: the demo is a state, not a story of
sign-ups, so no registration emails or invites go out, and a second run puts back the planned
statuses (a demo registration cancelled through the site is confirmed again).

Past sessions get attendance through attendance.services.record_attendance (as a staff
correction, by nobody, at the end of the session's last meeting), so completions, certificates
and certified trainers follow from the same rules as on the site; the certificates' emails go
out on the first run only (to the invented example.org addresses). A second run records the
same statuses again, which changes nothing, or puts back the planned ones. Headcounts are
keyed by meeting, audience, district and count: a second run keeps those and deletes others.

The demo lives in courses but seeds every app, so it imports from the apps above courses; no
app imports it.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from attendance.models import Attendance, Headcount
from attendance.services import (
    AttendanceEntry,
    delete_headcount,
    record_attendance,
    record_headcount,
)
from certificates.models import Certificate
from evaluations.models import Evaluation, EvaluationForm, Question
from evaluations.selectors import form_for_session
from evaluations.services import (
    QuestionSpec,
    ask_for_evaluations,
    save_evaluation_form,
    submit_evaluation,
)
from organizations.models import District, Position, Profile, Provider, Role, School
from organizations.services import complete_profile, grant_role
from registrations.models import Registration
from registrations.services import cancel_session, update_session

from . import dates
from .models import Audience, CertifiedTrainer, Course, Meeting, Program, Session, Venue
from .services import MeetingTimes, create_course, schedule_session, update_course

PASSWORD = "demo-pass-2025"

# Demo accounts with a fixed purpose; the command's output and the tests name them.
ADMIN_EMAIL = "admin@example.org"
STAFF_EMAIL = "staff@learn.example.org"
TRAINER_EMAIL = "trainer@learn.example.org"
EDUCATOR_EMAIL = "educator@example.org"
COORDINATOR_EMAIL = "coordinator@example.org"
# The educator's colleague whose registration awaits the coordinator's approval.
COLLEAGUE_EMAIL = "jordan.rivera@example.org"
# A district educator who completed UPLIFT Train-the-Trainer and leads turnkey sessions.
TURNKEY_TRAINER_EMAIL = "avery.chen@example.org"

# The educator's and coordinator's district: a LEARN member.
HOME_DISTRICT = "9152011"

PROVIDERS = [
    # slug, short name, full name
    ("aces", "ACES", "Area Cooperative Educational Services"),
    ("ces", "CES", "Cooperative Educational Services"),
    ("crec", "CREC", "Capitol Region Education Council"),
    ("eastconn", "EASTCONN", "EASTCONN"),
    ("edadvance", "EdAdvance", "EdAdvance"),
    ("learn", "LEARN", "LEARN"),
]


@dataclass(frozen=True)
class DistrictSpec:
    csde_code: str
    name: str
    town: str
    member_of: str | None  # a provider slug
    schools: Sequence[str]
    kind: str = District.Kind.PUBLIC

    def school_codes(self) -> list[tuple[str, str]]:
        """Invented school codes: the district's first four digits, then 111, 211, 311."""
        return [(f"{self.csde_code[:4]}{n}11", name) for n, name in enumerate(self.schools, 1)]


def _public(code: str, town: str, member_of: str, *schools: str) -> DistrictSpec:
    """A town's public school district; `schools` are named "<town> <given> School"."""
    names = [f"{town} {school} School" for school in schools]
    return DistrictSpec(code, f"{town} Public Schools", town, member_of, names)


# Invented CSDE-like codes (no real code starts with 9) with real town names.
DISTRICTS = [
    _public("9044011", "East Lyme", "learn", "Harbor Elementary", "Middle"),
    _public("9059011", "Groton", "learn", "Pine Hill Elementary", "Middle", "High"),
    _public("9072011", "Ledyard", "learn", "Center Elementary", "High"),
    _public("9086011", "Montville", "learn", "Riverside Elementary"),
    _public(HOME_DISTRICT, "Waterford", "learn", "Seaside Elementary", "Middle", "High"),
    _public("9106011", "Old Saybrook", "learn", "Marsh Elementary", "High"),
    _public("9137011", "Stonington", "learn", "Borough Elementary"),
    _public("9027011", "Clinton", "learn", "Shoreline Elementary", "Middle"),
    _public("9163011", "Windham", "eastconn", "Mill River Elementary", "High"),
    _public("9143011", "Torrington", "edadvance", "Hillside Middle"),
    _public("9017011", "Bristol", "crec", "Forestville Elementary", "High"),
    _public("9080011", "Meriden", "aces", "Brookside Elementary"),
    _public("9103011", "Norwalk", "ces", "Harbor Middle", "High"),
    # Not a member of any RESC: pays non-member prices.
    DistrictSpec(
        "9901013",
        "Harborlight Charter Academy",
        "New London",
        None,
        ["Harborlight Charter Academy"],
        kind=District.Kind.CHARTER,
    ),
]

# Provider slug, venue name, address, town.
VENUES = [
    ("learn", "LEARN Professional Learning Center", "12 Shoreline Way", "Old Lyme"),
    ("learn", "LEARN Southeast Training Room", "40 Thames Street", "Groton"),
    ("aces", "ACES Professional Development Center", "5 Ridge Road", "North Haven"),
    ("ces", "CES Learning Commons", "80 Oak Hill Drive", "Trumbull"),
    ("crec", "CREC Conference Center", "111 Charter Oak Avenue", "Hartford"),
    ("eastconn", "EASTCONN Training Center", "376 Hartford Turnpike", "Hampton"),
    ("edadvance", "EdAdvance Learning Center", "355 Goshen Road", "Litchfield"),
]

UPLIFT = {
    "slug": "uplift",
    "provider": "learn",
    "name": "UPLIFT",
    "description": (
        "A trauma-informed, resilience-focused program for whole school staffs. Districts send "
        "staff to the Foundations course, or send future trainers to Train-the-Trainer so they "
        "can deliver Foundations to their own colleagues (turnkey)."
    ),
    "funders": "Connecticut State Department of Education; federal grant",
}

COURSES = [
    {
        "slug": "uplift-foundations",
        "provider": "learn",
        "program": "uplift",
        "title": "UPLIFT Foundations: Trauma-Informed, Resilience-Focused Classrooms",
        "summary": "How stress and trauma shape learning, and daily practices that help every "
        "student feel safe, connected and ready to learn.",
        "description": (
            "A one-day course for every adult in a school: teachers, paraeducators, "
            "administrators, counselors, nurses and support staff.\n\n"
            "You will learn how adversity affects the developing brain and behavior, how to "
            "recognize stress responses in the classroom, and how predictable routines, "
            "co-regulation and relationship-building help students recover and thrive. "
            "Grant-funded sessions are free for Connecticut districts."
        ),
        "audience": Audience.ALL_STAFF,
        "hours": Decimal("6.00"),
        "member_price": Decimal("75.00"),
        "non_member_price": Decimal("125.00"),
    },
    {
        "slug": "uplift-train-the-trainer",
        "provider": "learn",
        "program": "uplift",
        "title": "UPLIFT Train-the-Trainer",
        "summary": "Become a certified UPLIFT trainer and deliver Foundations in your district.",
        "description": (
            "Two days for experienced educators who will lead UPLIFT Foundations sessions for "
            "their colleagues. Covers the course content in depth, facilitation of difficult "
            "conversations, and the materials and evaluation tools of the program. Completing "
            "it certifies you as an UPLIFT trainer."
        ),
        "audience": Audience.TRAINERS,
        "hours": Decimal("12.00"),
        "member_price": Decimal("250.00"),
        "non_member_price": Decimal("400.00"),
        "trains_trainers": True,
    },
    {
        "slug": "restorative-practices-in-the-classroom",
        "provider": "crec",
        "title": "Restorative Practices in the Classroom",
        "summary": "Circles, affective statements and restorative conversations that build "
        "community and repair harm.",
        "description": (
            "Move from punitive responses to restorative ones. Practice community-building "
            "circles, affective language and restorative questions, and plan how to bring "
            "them into your classroom routines the following week."
        ),
        "audience": Audience.TEACHERS,
        "hours": Decimal("6.00"),
        "member_price": Decimal("150.00"),
        "non_member_price": Decimal("225.00"),
    },
    {
        "slug": "science-of-reading-for-paraeducators",
        "provider": "eastconn",
        "title": "Science of Reading for Paraeducators",
        "summary": "Phonemic awareness, phonics and fluency routines paraeducators can use "
        "in small-group intervention.",
        "description": (
            "Three online evenings on how children learn to read and how to support "
            "structured literacy lessons: phonemic awareness, decoding, fluency practice and "
            "error correction, with short practice assignments between meetings."
        ),
        "audience": Audience.PARAEDUCATORS,
        "hours": Decimal("9.00"),
        "member_price": Decimal("120.00"),
        "non_member_price": Decimal("180.00"),
    },
    {
        "slug": "co-teaching-that-works",
        "provider": "ces",
        "title": "Co-Teaching That Works",
        "summary": "Six co-teaching models and the planning habits that make them succeed.",
        "description": (
            "For general and special education teachers who share a classroom. Teams attend "
            "together, learn the six co-teaching approaches, and leave with a co-planning "
            "routine and a plan for their first month. Requires your district's approval."
        ),
        "audience": Audience.TEACHERS,
        "hours": Decimal("6.00"),
        "member_price": Decimal("140.00"),
        "non_member_price": Decimal("210.00"),
    },
    {
        "slug": "sel-in-middle-school",
        "provider": "edadvance",
        "title": "Social-Emotional Learning in Middle School",
        "summary": "Embedding SEL competencies in advisory and content classes for grades 6-8.",
        "description": (
            "Practical routines for self-awareness, self-management and relationship skills "
            "that fit into advisory periods and content lessons, with attention to the "
            "particular needs of early adolescents."
        ),
        "audience": Audience.TEACHERS,
        "hours": Decimal("6.00"),
        "member_price": Decimal("125.00"),
        "non_member_price": Decimal("190.00"),
    },
    {
        "slug": "data-teams-for-school-leaders",
        "provider": "aces",
        "title": "Data Teams for School Leaders",
        "summary": "Run data team meetings that lead to instructional decisions, not just charts.",
        "description": (
            "Two days for principals, assistant principals and team leaders: the data team "
            "cycle, protocols for looking at student work, setting measurable goals, and "
            "monitoring the strategies a team chooses."
        ),
        "audience": Audience.ADMINISTRATORS,
        "hours": Decimal("12.00"),
        "member_price": Decimal("275.00"),
        "non_member_price": Decimal("400.00"),
    },
    {
        "slug": "family-engagement-essentials",
        "provider": "learn",
        "title": "Family Engagement Essentials",
        "summary": "Draft: partnering with families across languages and cultures.",
        "description": "Being written; not yet in the catalog.",
        "audience": Audience.ALL_STAFF,
        "hours": Decimal("3.00"),
        "member_price": Decimal("60.00"),
        "non_member_price": Decimal("90.00"),
        "status": Course.Status.DRAFT,
    },
]

# Invented educators: first name, last name, district code, school code or None, position.
PEOPLE = [
    ("Jordan", "Rivera", HOME_DISTRICT, "9152211", Position.TEACHER),
    ("Avery", "Chen", "9059011", "9059211", Position.SCHOOL_COUNSELOR),
    ("Taylor", "Brooks", "9044011", "9044111", Position.TEACHER),
    ("Morgan", "Patel", "9072011", "9072211", Position.TEACHER),
    ("Riley", "Okafor", "9086011", "9086111", Position.PARAEDUCATOR),
    ("Casey", "Nguyen", HOME_DISTRICT, "9152111", Position.PARAEDUCATOR),
    ("Jamie", "Kowalski", "9106011", "9106211", Position.TEACHER),
    ("Quinn", "Delgado", "9137011", "9137111", Position.SOCIAL_WORKER),
    ("Drew", "Fitzgerald", "9027011", "9027211", Position.ADMINISTRATOR),
    ("Reese", "Abernathy", "9163011", "9163111", Position.PARAEDUCATOR),
    ("Skyler", "Haddad", "9143011", "9143111", Position.TEACHER),
    ("Rowan", "Lindqvist", "9017011", "9017211", Position.TEACHER),
    ("Emerson", "Sato", "9080011", "9080111", Position.NURSE),
    ("Parker", "Mensah", "9103011", "9103111", Position.TEACHER),
    ("Hayden", "Castillo", "9901013", "9901111", Position.TEACHER),
    ("Sawyer", "Novak", "9059011", "9059311", Position.ADMINISTRATOR),
    ("Kendall", "Iverson", "9044011", "9044211", Position.SCHOOL_PSYCHOLOGIST),
    ("Finley", "Moreau", "9072011", "9072111", Position.SUPPORT_STAFF),
    ("Logan", "Achebe", "9027011", "9027111", Position.PARAEDUCATOR),
    ("Blake", "Sorensen", "9103011", "9103211", Position.ADMINISTRATOR),
    ("Harper", "Valdez", "9901013", None, Position.OTHER),
    ("Micah", "Thornton", HOME_DISTRICT, "9152311", Position.TEACHER),
]


def _email_of(first: str, last: str) -> str:
    return f"{first}.{last}@example.org".lower()


FILLERS = [_email_of(first, last) for first, last, *_ in PEOPLE]


# The UPLIFT program's evaluation form: asked after every UPLIFT session (neither course has a
# form of its own). Its certificates wait for the evaluation, as the sessions require by default.
UPLIFT_EVALUATION_TITLE = "UPLIFT session evaluation"
UPLIFT_EVALUATION = (
    QuestionSpec("agreement", "The session met its objectives", is_overall=True),
    QuestionSpec("agreement", "I will use what I learned"),
    QuestionSpec("prepost", "Confidence in recognizing signs of trauma"),
    QuestionSpec("prepost", "Confidence in using co-regulation strategies"),
    QuestionSpec("single", "How did you take part?", choices=("In person", "Online")),
    QuestionSpec("text", "What will you try first?", required=False),
)
# What invented completers answer, in turn: agreement ratings, pre/post pairs and comments.
RATINGS = (5, 4, 5, 4, 3, 5, 4, 4)
BEFORE_NOW = ((2, 4), (3, 4), (2, 5), (3, 3), (1, 4), (2, 4), (3, 5), (2, 3))
COMMENTS = (
    "A calm-down corner with a visual schedule.",
    "Greeting every student at the door.",
    "",
    "Breathing breaks before tests.",
    "Naming feelings with the younger grades.",
    "",
    "Co-regulating before redirecting.",
    "Sharing the strategies with our paraeducators.",
)


@dataclass(frozen=True)
class Seat:
    email: str
    status: str = Registration.Status.CONFIRMED


# Attendance of one person at each meeting of a session, in time order: a status, or the
# minutes of a partial attendance.
Marks = Sequence[str | int]
PRESENT, ABSENT, EXCUSED = (
    Attendance.Status.PRESENT,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
)


@dataclass(frozen=True)
class PlannedHeadcount:
    audience: str
    count: int
    district: str | None = None  # a CSDE code
    meeting: int = 0  # index of the meeting, in time order


@dataclass(frozen=True)
class PlannedSession:
    """One session of the demo; `title` is unique within its course and is the natural key."""

    course: str
    title: str
    days: Sequence[dt.date]
    start: str = "08:30"
    end: str = "15:00"
    # Unpaid lunch: a full day of 8:30-3:00 with 30 minutes for lunch is 6 PD hours. None
    # means LUNCH_MINUTES for meetings of FULL_DAY_HOURS or longer, else no break.
    break_minutes: int | None = None
    venue: str | None = None
    format: str = Session.Format.IN_PERSON
    delivery: str = Session.Delivery.DIRECT
    online_url: str = ""
    capacity: int = 25
    requires_approval: bool = False
    is_free: bool = False
    trainers: Sequence[str] = ()
    seats: Sequence[Seat] = ()
    cancelled: bool = False
    notes: str = ""
    # Past sessions only: record attendance, everyone confirmed present at every meeting
    # except the people in `marks`.
    attended: bool = False
    marks: Mapping[str, Marks] = field(default_factory=dict)
    headcounts: Sequence[PlannedHeadcount] = ()
    # Sessions with an evaluation form (UPLIFT's): the first `evaluations` completers, in seat
    # order and not in `not_evaluated_by`, evaluate it the day it ends; the others' certificates
    # wait for their evaluation.
    evaluations: int = 0
    not_evaluated_by: Sequence[str] = ()


LUNCH_MINUTES = 30
FULL_DAY_HOURS = 5


def _break_of(planned: "PlannedSession") -> int:
    if planned.break_minutes is not None:
        return planned.break_minutes
    day = dt.date(2000, 1, 3)
    duration = _at(day, planned.end) - _at(day, planned.start)
    return LUNCH_MINUTES if duration >= dt.timedelta(hours=FULL_DAY_HOURS) else 0


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dates.LOCAL_TZ)


def _weekday(day: dt.date) -> dt.date:
    """The day itself, or the Monday after when it falls on a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _fillers(start: int, count: int, *, skip: Sequence[str] = ()) -> list[Seat]:
    """`count` invented educators, taken in a fixed rotation from `start`."""
    pool = [email for email in FILLERS if email not in skip]
    return [Seat(pool[(start + i) % len(pool)]) for i in range(count)]


def plan_sessions(today: dt.date) -> list[PlannedSession]:
    """Every demo session, dated relative to `today` (a local date)."""
    previous_fy_start, _ = dates.fiscal_year_bounds(dates.fiscal_year_of(today) - 1)

    def ahead(days: int) -> dt.date:
        return _weekday(today + dt.timedelta(days=days))

    def last_year(days: int) -> dt.date:
        # Days into the previous fiscal year: always in the past, always in that year.
        return _weekday(previous_fy_start + dt.timedelta(days=days))

    def consecutive(first: dt.date, count: int, step: int = 1) -> list[dt.date]:
        days = [first]
        while len(days) < count:
            days.append(_weekday(days[-1] + dt.timedelta(days=step)))
        return days

    learn_center = "LEARN Professional Learning Center"
    waitlisted = Registration.Status.WAITLISTED
    trainer_seat = [Seat(TURNKEY_TRAINER_EMAIL)]
    youth, adult = Headcount.Audience.YOUTH, Headcount.Audience.ADULT
    return [
        # UPLIFT: past cohorts last fiscal year, today's session, a free turnkey session ahead.
        # Trainer cohort 1 comes first: completing it certifies Avery Chen, and only certified
        # trainers may be named on the turnkey sessions that follow.
        PlannedSession(
            course="uplift-train-the-trainer",
            title="Trainer cohort 1",
            days=consecutive(last_year(75), 2),
            venue=learn_center,
            capacity=16,
            trainers=[TRAINER_EMAIL],
            seats=trainer_seat + _fillers(10, 5, skip=[TURNKEY_TRAINER_EMAIL]),
            attended=True,
            marks={
                _email_of("Parker", "Mensah"): [PRESENT, 200],
                _email_of("Hayden", "Castillo"): [ABSENT, PRESENT],
            },
            # Avery evaluates first: the certificate, and so the certification, follows.
            evaluations=3,
        ),
        PlannedSession(
            course="uplift-foundations",
            title="Cohort 1, last year",
            days=[last_year(110)],
            venue=learn_center,
            capacity=30,
            is_free=True,
            trainers=[TRAINER_EMAIL],
            seats=[Seat(EDUCATOR_EMAIL)] + _fillers(0, 12),
            attended=True,
            marks={_email_of("Riley", "Okafor"): [240], _email_of("Quinn", "Delgado"): [ABSENT]},
            headcounts=[PlannedHeadcount(adult, 4)],
            evaluations=8,
        ),
        PlannedSession(
            course="uplift-foundations",
            title="Groton turnkey, last year",
            days=[last_year(250)],
            venue="LEARN Southeast Training Room",
            delivery=Session.Delivery.TURNKEY,
            capacity=25,
            is_free=True,
            trainers=[TURNKEY_TRAINER_EMAIL],
            seats=_fillers(3, 9, skip=[TURNKEY_TRAINER_EMAIL]),
            attended=True,
            marks={_email_of("Jamie", "Kowalski"): [EXCUSED]},
            headcounts=[
                PlannedHeadcount(youth, 48, "9059011"),
                PlannedHeadcount(adult, 6, "9059011"),
            ],
            evaluations=5,
        ),
        # Last week: the demo educator completed it and has not evaluated it yet, so their
        # certificate waits for the evaluation (/me/ asks for it); most others evaluated.
        PlannedSession(
            course="uplift-foundations",
            title="Recent cohort",
            days=[_weekday(today - dt.timedelta(days=8))],
            venue=learn_center,
            capacity=30,
            is_free=True,
            trainers=[TRAINER_EMAIL],
            seats=[Seat(EDUCATOR_EMAIL)] + _fillers(18, 9),
            attended=True,
            evaluations=6,
            not_evaluated_by=[EDUCATOR_EMAIL],
        ),
        PlannedSession(
            course="uplift-foundations",
            title="Today at LEARN",
            days=[today],
            venue=learn_center,
            capacity=30,
            is_free=True,
            trainers=[TRAINER_EMAIL],
            seats=[Seat(EDUCATOR_EMAIL)] + _fillers(5, 14),
            notes="Sign in at the front desk; lunch is provided.",
        ),
        PlannedSession(
            course="uplift-foundations",
            title="Free grant-funded turnkey session",
            days=[ahead(21)],
            venue="LEARN Southeast Training Room",
            delivery=Session.Delivery.TURNKEY,
            capacity=25,
            is_free=True,
            trainers=[TURNKEY_TRAINER_EMAIL],
            seats=_fillers(8, 6, skip=[TURNKEY_TRAINER_EMAIL]),
        ),
        PlannedSession(
            course="uplift-train-the-trainer",
            title="Trainer cohort 2",
            days=consecutive(ahead(35), 2),
            venue=learn_center,
            capacity=16,
            trainers=[TRAINER_EMAIL],
            seats=_fillers(14, 4, skip=[TURNKEY_TRAINER_EMAIL]),
        ),
        # Restorative Practices: completed last year by the educator; full with a waitlist ahead.
        PlannedSession(
            course="restorative-practices-in-the-classroom",
            title="Last year",
            days=[last_year(200)],
            venue="CREC Conference Center",
            capacity=24,
            seats=[Seat(EDUCATOR_EMAIL)] + _fillers(11, 8),
            attended=True,
            marks={_email_of("Finley", "Moreau"): [300]},
            headcounts=[PlannedHeadcount(adult, 5, "9017011")],
        ),
        PlannedSession(
            course="restorative-practices-in-the-classroom",
            title="Small-group seminar",
            days=[ahead(10)],
            venue="CREC Conference Center",
            capacity=6,
            seats=_fillers(2, 6) + [Seat(email, waitlisted) for email in FILLERS[8:11]],
            notes="Kept small on purpose; join the waitlist and we will write when a seat opens.",
        ),
        # Science of Reading for Paraeducators: online, three evenings.
        PlannedSession(
            course="science-of-reading-for-paraeducators",
            title="Online evening series",
            days=consecutive(ahead(14), 3, step=7),
            start="16:00",
            end="19:00",
            format=Session.Format.ONLINE,
            online_url="https://meet.example.org/eastconn-sor-paras",
            capacity=40,
            seats=_fillers(4, 5),
        ),
        # Co-Teaching: requires approval; the educator's colleague waits for the coordinator.
        PlannedSession(
            course="co-teaching-that-works",
            title="Grade-level teams",
            days=[ahead(18)],
            venue="CES Learning Commons",
            capacity=20,
            requires_approval=True,
            seats=[Seat(COLLEAGUE_EMAIL, Registration.Status.PENDING)]
            + _fillers(12, 3, skip=[COLLEAGUE_EMAIL]),
        ),
        # SEL in Middle School: one past (completed by the educator), one open, one cancelled.
        PlannedSession(
            course="sel-in-middle-school",
            title="Early cohort",
            days=[_weekday(today - dt.timedelta(days=30))],
            venue="EdAdvance Learning Center",
            capacity=25,
            seats=[Seat(EDUCATOR_EMAIL)] + _fillers(15, 7),
            attended=True,
            marks={_email_of("Harper", "Valdez"): [ABSENT]},
            headcounts=[PlannedHeadcount(youth, 25, "9143011")],
        ),
        PlannedSession(
            course="sel-in-middle-school",
            title="Open cohort",
            days=[ahead(7)],
            venue="EdAdvance Learning Center",
            capacity=25,
            seats=_fillers(6, 4),
        ),
        PlannedSession(
            course="sel-in-middle-school",
            title="Evening cohort",
            days=[ahead(28)],
            start="16:00",
            end="19:00",
            venue="EdAdvance Learning Center",
            capacity=20,
            cancelled=True,
            notes="Cancelled for low enrollment; please join the open cohort instead.",
        ),
        # Data Teams: past this year and a hybrid two-day session ahead.
        PlannedSession(
            course="data-teams-for-school-leaders",
            title="Leadership cohort A",
            days=consecutive(_weekday(today - dt.timedelta(days=60)), 2),
            venue="ACES Professional Development Center",
            capacity=20,
            seats=[Seat(email) for email in _leaders()],
            attended=True,
            marks={_email_of("Blake", "Sorensen"): [PRESENT, 180]},
        ),
        PlannedSession(
            course="data-teams-for-school-leaders",
            title="Leadership cohort B",
            days=consecutive(ahead(42), 2),
            venue="ACES Professional Development Center",
            format=Session.Format.HYBRID,
            online_url="https://meet.example.org/aces-data-teams",
            capacity=20,
            seats=[Seat(email) for email in _leaders()[:2]],
        ),
    ]


def _leaders() -> list[str]:
    return [
        _email_of(first, last)
        for first, last, _d, _s, position in PEOPLE
        if position == Position.ADMINISTRATOR
    ]


# ---- writing ---------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.providers: dict[str, Provider] = {}
        self.districts: dict[str, District] = {}
        self.schools: dict[str, School] = {}
        self.venues: dict[str, Venue] = {}
        self.courses: dict[str, Course] = {}
        self.people: dict[str, User] = {}
        self._password_hash: str | None = None

    def run(self) -> None:
        self.seed_organizations()
        self.seed_people()
        self.seed_catalog()
        for planned in plan_sessions(self.today):
            self.seed_session(planned)

    # organizations -----------------------------------------------------------------------

    def seed_organizations(self) -> None:
        for slug, short_name, name in PROVIDERS:
            self.providers[slug], _ = Provider.objects.update_or_create(
                slug=slug, defaults={"short_name": short_name, "name": name, "in_alliance": True}
            )
        for spec in DISTRICTS:
            district, _ = District.objects.update_or_create(
                csde_code=spec.csde_code,
                defaults={
                    "name": spec.name,
                    "town": spec.town,
                    "kind": spec.kind,
                    "member_of": self.providers[spec.member_of] if spec.member_of else None,
                },
            )
            self.districts[spec.csde_code] = district
            for school_code, school_name in spec.school_codes():
                self.schools[school_code], _ = School.objects.update_or_create(
                    csde_code=school_code, defaults={"district": district, "name": school_name}
                )
        for provider, name, address, town in VENUES:
            self.venues[name], _ = Venue.objects.update_or_create(
                provider=self.providers[provider],
                name=name,
                defaults={"address": address, "town": town},
            )

    # people --------------------------------------------------------------------------------

    def person(self, email: str, first_name: str, last_name: str, **flags: bool) -> User:
        """A demo account with a verified primary email; `flags` are only ever switched on."""
        wanted = {"first_name": first_name, "last_name": last_name, **flags}
        user = User.objects.filter(email=email).first()
        if user is None:
            # One hash for every demo account: hashing is slow on purpose, and they all share
            # the one published password anyway. A password changed since is kept.
            if self._password_hash is None:
                self._password_hash = make_password(PASSWORD)
            user = User(email=email, password=self._password_hash)
        changed = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        if user._state.adding:
            user.save()
        elif changed:
            user.save(update_fields=changed)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        self.people[email] = user
        return user

    def profile(self, user: User, district_code: str, school_code: str | None, position: str):
        complete_profile(
            user=user,
            first_name=user.first_name,
            last_name=user.last_name,
            district=self.districts[district_code],
            school=self.schools[school_code] if school_code else None,
            position=position,
        )

    def seed_people(self) -> None:
        admin = self.person(ADMIN_EMAIL, "Alex", "Admin", is_staff=True, is_superuser=True)
        grant_role(user=admin, kind=Role.Kind.ALLIANCE_ADMIN)
        staff = self.person(STAFF_EMAIL, "Sam", "Whitaker")
        grant_role(user=staff, kind=Role.Kind.PROVIDER_STAFF, provider=self.providers["learn"])
        # LEARN's trainer leads sessions but does not manage the catalog: no staff role, so
        # the trainer sees rosters of their own sessions only.
        self.person(TRAINER_EMAIL, "Toni", "Marsh")
        educator = self.person(EDUCATOR_EMAIL, "Elliot", "Hale")
        self.profile(educator, HOME_DISTRICT, "9152211", Position.TEACHER)
        coordinator = self.person(COORDINATOR_EMAIL, "Corey", "Lund")
        self.profile(coordinator, HOME_DISTRICT, None, Position.ADMINISTRATOR)
        grant_role(
            user=coordinator,
            kind=Role.Kind.DISTRICT_COORDINATOR,
            district=self.districts[HOME_DISTRICT],
        )
        # example.org is no district's domain, so the demo educator's district is verified by
        # their coordinator's confirmation (kept when already there; quietly, no email).
        Profile.objects.filter(
            user=educator, district=self.districts[HOME_DISTRICT], district_confirmed_at=None
        ).update(district_confirmed_by=coordinator, district_confirmed_at=timezone.now())
        for first, last, district_code, school_code, position in PEOPLE:
            user = self.person(_email_of(first, last), first, last)
            self.profile(user, district_code, school_code, position)

    # catalog -------------------------------------------------------------------------------

    def seed_catalog(self) -> None:
        program, _ = Program.objects.update_or_create(
            slug=UPLIFT["slug"],
            defaults={
                "provider": self.providers[UPLIFT["provider"]],
                "name": UPLIFT["name"],
                "description": UPLIFT["description"],
                "funders": UPLIFT["funders"],
            },
        )
        for spec in COURSES:
            fields = {
                "provider": self.providers[spec["provider"]],
                "program": program if spec.get("program") == program.slug else None,
                "title": spec["title"],
                "summary": spec["summary"],
                "description": spec["description"],
                "audience": spec["audience"],
                "hours": spec["hours"],
                "member_price": spec["member_price"],
                "non_member_price": spec["non_member_price"],
                "trains_trainers": spec.get("trains_trainers", False),
                "status": spec.get("status", Course.Status.PUBLISHED),
            }
            course = Course.objects.filter(slug=spec["slug"]).first()
            if course is None:
                course = create_course(by=None, slug=spec["slug"], **fields)
            elif any(getattr(course, name) != value for name, value in fields.items()):
                course = update_course(course=course, by=None, **fields)
            self.courses[spec["slug"]] = course
        self.seed_evaluation_form(program)

    def seed_evaluation_form(self, program: Program) -> EvaluationForm:
        """UPLIFT's form, saved again only when it differs (a change would make a version)."""
        current = EvaluationForm.objects.filter(program=program, is_current=True).first()
        if current is not None and current.title == UPLIFT_EVALUATION_TITLE:
            questions = tuple(
                QuestionSpec(q.kind, q.text, tuple(q.choices), q.required, q.is_overall)
                for q in current.questions.all()
            )
            if questions == UPLIFT_EVALUATION:
                return current
        return save_evaluation_form(
            by=None, title=UPLIFT_EVALUATION_TITLE, questions=UPLIFT_EVALUATION, program=program
        )

    # schedule ------------------------------------------------------------------------------

    def seed_session(self, planned: PlannedSession) -> Session:
        course = self.courses[planned.course]
        meetings = [
            MeetingTimes(_at(day, planned.start), _at(day, planned.end), _break_of(planned))
            for day in planned.days
        ]
        first_day = min(planned.days)
        fields = {
            "format": planned.format,
            "delivery": planned.delivery,
            "venue": self.venues[planned.venue] if planned.venue else None,
            "online_url": planned.online_url,
            "capacity": planned.capacity,
            "registration_opens_at": _at(first_day - dt.timedelta(days=60), "08:00"),
            "registration_closes_at": _at(first_day - dt.timedelta(days=1), "17:00"),
            "requires_approval": planned.requires_approval,
            "is_free": planned.is_free,
            "notes": planned.notes,
        }
        trainers = [self.people[email] for email in planned.trainers]
        session = Session.objects.filter(course=course, title=planned.title).first()
        if session is None:
            session = schedule_session(
                course=course,
                title=planned.title,
                meetings=meetings,
                trainers=trainers,
                by=None,
                **fields,
            )
        elif self._session_differs(session, fields, meetings, trainers):
            # Demo seats are re-seeded below, so capacity is set as planned, not through
            # the seat rules of registrations.services.change_capacity.
            planned_fields = dict(fields)
            capacity = planned_fields.pop("capacity")
            session = update_session(
                session=session, meetings=meetings, trainers=trainers, by=None, **planned_fields
            )
            Session.objects.filter(pk=session.pk).update(capacity=capacity)
            session.capacity = capacity
        if planned.cancelled:
            session = cancel_session(session=session, by=None)
        registrations = [
            self.seed_registration(session, seat, position)
            for position, seat in enumerate(planned.seats)
        ]
        if planned.attended:
            self.seed_attendance(session, planned, registrations)
            self.seed_evaluations(session, planned, registrations)
        return session

    def seed_evaluations(
        self, session: Session, planned: PlannedSession, registrations: Sequence[Registration]
    ) -> None:
        """Ask the completers to evaluate the session as it ends, as settle_sessions would;
        the planned ones answer within hours (their certificates follow)."""
        if form_for_session(session) is None:
            return
        ended = session.meetings.order_by("-ends_at").first().ends_at
        ask_for_evaluations(now=ended)
        completers = [
            registration
            for registration in Registration.objects.filter(
                pk__in=[r.pk for r in registrations], completed=True
            ).select_related("person", "evaluation_request__form")
            if registration.person.email not in planned.not_evaluated_by
        ]
        seat_order = {registration.pk: seat for seat, registration in enumerate(registrations)}
        completers.sort(key=lambda registration: seat_order[registration.pk])
        answered = set(
            Evaluation.objects.filter(registration__in=completers).values_list(
                "registration_id", flat=True
            )
        )
        for turn, registration in enumerate(completers[: planned.evaluations]):
            if registration.pk in answered:
                continue
            submit_evaluation(
                registration=registration,
                by=registration.person,
                answers=_demo_answers(registration.evaluation_request.form, turn),
                now=ended + dt.timedelta(hours=1, minutes=7 * turn),
            )

    def seed_attendance(
        self, session: Session, planned: PlannedSession, registrations: Sequence[Registration]
    ) -> None:
        """Attendance of the confirmed seats (completions, certificates and certified
        trainers follow) and the headcounts, recorded at the end of the last meeting."""
        meetings = list(session.meetings.order_by("starts_at"))
        recorded_at = meetings[-1].ends_at
        everywhere = [PRESENT] * len(meetings)
        entries = []
        for registration in registrations:
            if registration.status != Registration.Status.CONFIRMED:
                continue
            marks = planned.marks.get(registration.person.email, everywhere)
            for meeting, mark in zip(meetings, marks, strict=True):
                if isinstance(mark, int):
                    entries.append(
                        AttendanceEntry(
                            registration.pk, meeting.pk, Attendance.Status.PARTIAL, mark
                        )
                    )
                else:
                    entries.append(AttendanceEntry(registration.pk, meeting.pk, mark))
        record_attendance(
            session=session,
            entries=entries,
            by=None,
            source=Attendance.Source.STAFF,
            now=recorded_at,
        )
        for index, meeting in enumerate(meetings):
            wanted = [
                (h.audience, self.districts[h.district].pk if h.district else None, h.count)
                for h in planned.headcounts
                if h.meeting == index
            ]
            for headcount in meeting.headcounts.order_by("pk"):
                key = (headcount.audience, headcount.district_id, headcount.count)
                if key in wanted:
                    wanted.remove(key)
                else:
                    delete_headcount(headcount=headcount, by=None, now=recorded_at)
            for audience, district_id, count in wanted:
                record_headcount(
                    meeting=meeting,
                    audience=audience,
                    count=count,
                    district=District.objects.get(pk=district_id) if district_id else None,
                    by=None,
                    now=recorded_at,
                )

    @staticmethod
    def _session_differs(session, fields, meetings, trainers) -> bool:
        current_meetings = [
            MeetingTimes(m.starts_at, m.ends_at, m.break_minutes)
            for m in Meeting.objects.filter(session=session)
        ]
        current_trainers = sorted(session.trainers.values_list("pk", flat=True))
        return (
            any(getattr(session, name) != value for name, value in fields.items())
            or current_meetings != sorted(meetings, key=lambda m: m.starts_at)
            or current_trainers != sorted(user.pk for user in trainers)
        )

    def seed_registration(self, session: Session, seat: Seat, position: int) -> Registration:
        person = self.people[seat.email]
        profile = Profile.objects.select_related("district", "school").get(user=person)
        member = profile.district.member_of_id is not None
        wanted = {
            "status": seat.status,
            "district": profile.district,
            "school": profile.school,
            "position": profile.position,
            "price": session.price_for(member=member),
            # Member districts usually pay for their staff; others' people pay themselves.
            "payer": Registration.Payer.DISTRICT if member else Registration.Payer.SELF,
            "cancelled_at": None,
            # Waitlist order follows the order of the plan: an hour apart after opening.
            "queued_at": session.registration_opens_at + dt.timedelta(hours=position + 1),
            "created_by": person,
        }
        # The latest row is the one that counts when the person cancelled and registered again.
        registration = (
            Registration.objects.filter(session=session, person=person).order_by("-pk").first()
        )
        if registration is None:
            registration = Registration.objects.create(session=session, person=person, **wanted)
        elif any(getattr(registration, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(registration, name, value)
            registration.save()
        return registration


def _demo_answers(form: EvaluationForm, turn: int) -> dict[int, object]:
    """An invented completer's answers to `form`, varied by `turn`."""
    answers: dict[int, object] = {}
    for offset, question in enumerate(form.questions.all()):
        index = turn + offset
        if question.kind == Question.Kind.AGREEMENT:
            answers[question.pk] = RATINGS[index % len(RATINGS)]
        elif question.kind == Question.Kind.PREPOST:
            before, now = BEFORE_NOW[index % len(BEFORE_NOW)]
            answers[question.pk] = {"before": before, "now": now}
        elif question.kind == Question.Kind.SINGLE:
            answers[question.pk] = 0 if turn % 4 else 1
        elif question.kind == Question.Kind.MULTIPLE:
            answers[question.pk] = [0]
        elif COMMENTS[turn % len(COMMENTS)]:
            answers[question.pk] = COMMENTS[turn % len(COMMENTS)]
    return answers


def seed(*, today: dt.date | None = None) -> dict[str, int]:
    """Load or refresh the demo data for `today` (default: today's local date); return counts."""
    with transaction.atomic():
        _Seeder(today or dates.today()).run()
    return counts()


def counts() -> dict[str, int]:
    by_status = {
        f"registrations {value}": Registration.objects.filter(status=value).count()
        for value in Registration.Status.values
    }
    return {
        "providers": Provider.objects.count(),
        "districts": District.objects.count(),
        "schools": School.objects.count(),
        "programs": Program.objects.count(),
        "courses": Course.objects.count(),
        "venues": Venue.objects.count(),
        "sessions": Session.objects.count(),
        "meetings": Meeting.objects.count(),
        "people": User.objects.count(),
        **by_status,
        "attendance rows": Attendance.objects.count(),
        "headcounts": Headcount.objects.count(),
        "certificates": Certificate.objects.count(),
        "evaluation forms": EvaluationForm.objects.filter(is_current=True).count(),
        "evaluations": Evaluation.objects.count(),
        "certified trainers": CertifiedTrainer.objects.filter(revoked_at__isnull=True).count(),
    }

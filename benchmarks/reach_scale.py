"""Reach report at scale: the funders' report on a year of Alliance-sized data, on PostgreSQL.

Drops and creates the database `pd_reach_bench`, migrates it, and loads with COPY (psycopg's
`cursor.copy()`, straight into the real tables) 6 providers, 200 districts, `--people` people
with profiles, `--sessions` sessions over fiscal years 2025 and 2026 (most with one meeting, some
with two or three; a few cancelled; direct and turnkey; some free), their registrations (mostly
confirmed, some cancelled, waitlisted, pending or declined), about `--attendance` attendance rows
(present, partial, absent, excused) and youth and adult headcounts. Then ANALYZE, and:

- times `reports.selectors.reach_report` (every figure and breakdown) for one provider's fiscal
  year and for the whole Alliance's: first run and best of 3, with the number of queries;
- times each export of `reports/exports.py` (reach_csv, reach_xlsx, reach_pdf) when it exists;
- computes the same report the naive way (registrations and attendance loaded into Python) on a
  sample of about 1% of the sessions, times both, and checks that every figure and breakdown is
  equal; two more small scopes (a program's turnkey sessions, a district coordinator's view) are
  cross-checked the same way;
- EXPLAIN ANALYZEs the slowest statement when a report misses the goal (1 s).

    .venv/bin/python benchmarks/reach_scale.py [--people 50000] [--sessions 20000]
        [--attendance 1000000] [--keep-db] [--skip-load]

Prints GOAL MET or GOAL MISSED for the timings; exits 1 only when the naive figures differ
from the SQL figures (a correctness failure). See benchmarks/README.md.
"""

import argparse
import datetime as dt
import importlib.util
import inspect
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pgbench_db

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "pd_reach_bench"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{SERVER_URL}/{DB_NAME}"
MIGRATE_TIMEOUT = 300.0
GOAL_SECONDS = 1.0
STATEMENT_TIMEOUT_MS = 20_000  # a report statement that runs longer counts as a timeout
EXPLAIN_TIMEOUT_MS = 180_000
SEED = 20250701
FISCAL_YEARS = (2025, 2026)  # both in the past on 2026-11: every session has happened
REPORT_YEAR = 2026
LOCAL = ZoneInfo("America/New_York")
UTC = dt.UTC
PLAN_PATH = Path("/tmp/reach_scale_plan.txt")


# --- environment ---------------------------------------------------------------------------------


def app_environment() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TASKS_BACKEND", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pd_platform.settings",
        DATABASE_URL=DATABASE_URL,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def recreate_database() -> None:
    pgbench_db.recreate_database(DB_NAME)


def drop_database() -> None:
    pgbench_db.drop_database(DB_NAME)


def migrate(env: dict[str, str]) -> None:
    pgbench_db.migrate(env, timeout=MIGRATE_TIMEOUT)


setup_django = pgbench_db.setup_django


def database_exists() -> bool:
    return pgbench_db.database_exists(DB_NAME)


def progress(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- data generation -----------------------------------------------------------------------------

FIRST_NAMES = ["Ana", "Ben", "Carla", "Dev", "Elena", "Femi", "Grace", "Hugo", "Ines", "Jamal", "Kira", "Luis", "Maya", "Nico", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoe"]  # fmt: skip
LAST_NAMES = ["Adams", "Brown", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones", "Kim", "Lopez", "Moore", "Nguyen", "Ortiz", "Patel", "Reed", "Silva", "Tran", "Walsh", "Young"]  # fmt: skip
POSITIONS = [
    ("teacher", 55),
    ("paraeducator", 15),
    ("administrator", 7),
    ("school_counselor", 5),
    ("social_worker", 4),
    ("school_psychologist", 3),
    ("nurse", 3),
    ("support_staff", 5),
    ("other", 3),
]
PROVIDERS = [
    ("Area Cooperative Educational Services", "ACES"),
    ("Cooperative Educational Services", "CES"),
    ("Capitol Region Education Council", "CREC"),
    ("Eastern Connecticut Regional Educational Service Center", "EASTCONN"),
    ("EdAdvance", "EdAdvance"),
    ("LEARN Regional Educational Service Center", "LEARN"),
]
MEETING_LENGTHS = [60, 90, 120, 180, 240, 300, 360, 390]
# Local start times; the evening ones end after midnight UTC, so local and UTC dates differ.
START_TIMES = [(8, 0), (8, 30), (9, 0), (9, 0), (12, 30), (13, 0), (15, 30), (18, 0), (19, 0)]
# A confirmed registrant who did not attend every meeting fully: per meeting status weights.
MIXED_STATUS = [("present", 35), ("partial", 30), ("absent", 25), ("excused", 10)]


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in weighted], [w for _, w in weighted])[0]


def ts(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def nul(value) -> str:
    return "\\N" if value is None else str(value)


@dataclass
class Table:
    name: str
    columns: list[str]
    lines: list[str] = field(default_factory=list)

    def add(self, *values) -> None:
        self.lines.append("\t".join(nul(v) for v in values))


@dataclass
class Generated:
    tables: list[Table]
    seconds: float


def generate(*, people: int, sessions: int, attendance: int, seed: int) -> Generated:  # noqa: C901
    """Every row as COPY text lines, deterministically from `seed`."""
    from accounts.models import User
    from attendance.models import Attendance, Headcount
    from courses.models import CertifiedTrainer, Course, Meeting, Program, Session
    from organizations.models import District, Profile, Provider
    from registrations.models import Registration

    began = time.perf_counter()
    rng = random.Random(seed)
    db = {m: m._meta.db_table for m in (User, Attendance, Headcount, CertifiedTrainer, Course)}
    t_provider = Table(Provider._meta.db_table, ["id", "name", "short_name", "slug", "website", "email", "in_alliance"])  # fmt: skip
    t_district = Table(District._meta.db_table, ["id", "name", "csde_code", "town", "kind", "member_of_id"])  # fmt: skip
    t_user = Table(db[User], ["id", "password", "is_superuser", "email", "first_name", "last_name", "is_staff", "is_active", "date_joined"])  # fmt: skip
    t_profile = Table(Profile._meta.db_table, ["id", "user_id", "district_id", "position", "certification_number", "completed_at"])  # fmt: skip
    t_program = Table(Program._meta.db_table, ["id", "provider_id", "name", "slug", "description", "funders"])  # fmt: skip
    t_course = Table(db[Course], ["id", "provider_id", "program_id", "title", "slug", "summary", "description", "audience", "hours", "member_price", "non_member_price", "trains_trainers", "status", "created_at", "updated_at"])  # fmt: skip
    t_session = Table(Session._meta.db_table, ["id", "course_id", "title", "status", "format", "delivery", "online_url", "capacity", "registration_opens_at", "registration_closes_at", "requires_approval", "completion_threshold", "is_free", "notes", "cancelled_at", "created_at", "updated_at"])  # fmt: skip
    t_trainers = Table(Session.trainers.through._meta.db_table, ["id", "session_id", "user_id"])
    t_meeting = Table(Meeting._meta.db_table, ["id", "session_id", "starts_at", "ends_at", "sequence", "length_minutes"])  # fmt: skip
    t_certified = Table(db[CertifiedTrainer], ["id", "program_id", "person_id", "certified_at", "revoked_at", "revoked_reason"])  # fmt: skip
    t_registration = Table(Registration._meta.db_table, ["id", "session_id", "person_id", "status", "district_id", "position", "price", "payer", "purchase_order", "queued_at", "created_at", "updated_at", "decided_at", "decline_reason", "cancelled_at"])  # fmt: skip
    t_attendance = Table(db[Attendance], ["id", "registration_id", "meeting_id", "status", "minutes", "source", "recorded_by_id", "recorded_at"])  # fmt: skip
    t_headcount = Table(db[Headcount], ["id", "meeting_id", "audience", "district_id", "count", "recorded_by_id", "recorded_at"])  # fmt: skip

    # Providers and districts: 85% of districts are members of a provider. The first 8 are
    # "grant districts": their people only attend free sessions and only free sessions name
    # them on headcounts, so free_districts is not trivially 0.
    for pk, (name, short) in enumerate(PROVIDERS, start=1):
        t_provider.add(pk, name, short, short.lower(), "", "", "t")
    n_districts = 200
    member_of = {}
    for pk in range(1, n_districts + 1):
        member_of[pk] = rng.randint(1, 6) if rng.random() < 0.85 else None
        kind = pick(rng, [("public", 70), ("regional", 15), ("charter", 10), ("other", 5)])
        t_district.add(pk, f"Town {pk:03d} Public Schools", f"{9000000 + pk}", f"Town {pk:03d}", kind, member_of[pk])  # fmt: skip
    grant_districts = set(range(1, 9))

    # People: 2% never completed their profile (no district, no position). The first 600 are
    # provider staff and trainers (they also attend other sessions).
    joined = ts(dt.datetime(2024, 1, 15, 12, tzinfo=UTC))
    district_of: dict[int, int | None] = {}
    position_of: dict[int, str] = {}
    regular_pool: list[int] = []
    for pk in range(1, people + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        t_user.add(pk, "!", "f", f"person{pk:06d}@bench.example.org", first, last, "f", "t", joined)  # fmt: skip
        if rng.random() < 0.02:
            district, position, completed = None, "", None
        else:
            district = rng.choice(sorted(grant_districts)) if rng.random() < 0.04 else rng.randint(9, n_districts)  # fmt: skip
            position, completed = pick(rng, POSITIONS), joined
        district_of[pk], position_of[pk] = district, position
        t_profile.add(pk, pk, district, position, "", completed)
        if district not in grant_districts:
            regular_pool.append(pk)
    everyone = list(range(1, people + 1))
    trainer_pool = list(range(1, min(600, people) + 1))

    # Programs (1 or 2 per provider), each with a train-the-trainer course, and 40 courses per
    # provider, 60% of them in a program; 10% of courses cost nothing.
    created = ts(dt.datetime(2024, 3, 1, 12, tzinfo=UTC))
    programs_of: dict[int, list[int]] = defaultdict(list)
    program_pk = 0
    for provider in range(1, 7):
        for _ in range(1 if provider % 2 else 2):
            program_pk += 1
            programs_of[provider].append(program_pk)
            t_program.add(program_pk, provider, f"Program {program_pk} of {PROVIDERS[provider - 1][1]}", f"program-{program_pk}", "", "State grant")  # fmt: skip
    courses: list[tuple[int, int, int | None, bool, Decimal, Decimal, str]] = []
    course_pk = 0
    for provider in range(1, 7):
        for program in programs_of[provider]:
            course_pk += 1
            courses.append((course_pk, provider, program, True, Decimal("300.00"), Decimal("400.00"), f"Train-the-Trainer {program}"))  # fmt: skip
        for n in range(40):
            course_pk += 1
            program = rng.choice(programs_of[provider]) if rng.random() < 0.6 else None
            if rng.random() < 0.1:
                member = non_member = Decimal("0.00")
            else:
                member = Decimal(rng.randrange(25, 300, 25))
                non_member = member + Decimal(rng.choice([25, 50, 75]))
            courses.append((course_pk, provider, program, False, member, non_member, f"Course {course_pk} of {PROVIDERS[provider - 1][1]} #{n}"))  # fmt: skip
    for pk, provider, program, ttt, member, non_member, title in courses:
        t_course.add(pk, provider, program, title, f"course-{pk}", "", "", "trainers" if ttt else "all_staff", "6.00", member, non_member, "t" if ttt else "f", "published", created, created)  # fmt: skip

    # Certified trainers: 60 per program from the trainer pool, certified over three years; 5%
    # revoked.
    certified_of: dict[int, list[int]] = {}
    cert_pk = 0
    cert_start = dt.datetime(2023, 7, 1, 14, tzinfo=UTC)
    for program in range(1, program_pk + 1):
        persons = rng.sample(trainer_pool, min(60, len(trainer_pool)))
        active = []
        for person in persons:
            cert_pk += 1
            at = cert_start + dt.timedelta(days=rng.randrange(0, 3 * 365), hours=rng.randrange(0, 9))  # fmt: skip
            if rng.random() < 0.05:
                t_certified.add(cert_pk, program, person, ts(at), ts(at + dt.timedelta(days=90)), "Left the district")  # fmt: skip
            else:
                t_certified.add(cert_pk, program, person, ts(at), None, "")
                active.append(person)
        certified_of[program] = active

    # Sessions and meetings. Meetings per session: 1 (80%), 2 (15%), 3 (5%), a week apart.
    first_day = dt.date(FISCAL_YEARS[0] - 1, 7, 1)
    days = (dt.date(FISCAL_YEARS[-1], 6, 30) - first_day).days + 1
    plan = []  # (session pk, course, meetings [(pk, start, end, minutes)], cancelled)
    meeting_pk = 0
    for pk in range(1, sessions + 1):
        course = rng.choice(courses)
        n_meetings = 1 if rng.random() < 0.8 else (2 if rng.random() < 0.75 else 3)
        if pk % 997 == 0:
            # On the fiscal-year boundary: 9 pm on June 30 local is July 1 in UTC.
            day, (hour, minute) = dt.date(FISCAL_YEARS[0], 6, 30), (21, 0)
        else:
            day = first_day + dt.timedelta(days=rng.randrange(days))
            hour, minute = rng.choice(START_TIMES)
        length = rng.choice(MEETING_LENGTHS if hour < 15 else MEETING_LENGTHS[:4])
        meetings = []
        for n in range(n_meetings):
            meeting_pk += 1
            start = dt.datetime.combine(day + dt.timedelta(days=7 * n), dt.time(hour, minute), tzinfo=LOCAL)  # fmt: skip
            meetings.append((meeting_pk, start, start + dt.timedelta(minutes=length), length))
        plan.append((pk, course, meetings, rng.random() < 0.02))
    total_meetings = sum(len(m) for _, _, m, cancelled in plan if not cancelled)
    # Confirmed registrations per session, on average, so attendance rows reach the target
    # (about 3% of sessions never get a roster taken, a few marks are missing): aim 2% over.
    mean_confirmed = max(1.0, attendance * 1.02 / (total_meetings * 0.97))

    registration_pk = attendance_pk = headcount_pk = trainer_pk = 0
    for pk, course, meetings, cancelled in plan:
        course_pk, provider, program, ttt, member, non_member, _ = course
        start = meetings[0][1]
        turnkey = program is not None and not ttt and rng.random() < 0.4
        free = rng.random() < 0.1
        threshold = rng.choices([100, 80, 75], [70, 20, 10])[0]
        approval = rng.random() < 0.08
        confirmed_n = max(1, round(mean_confirmed * rng.uniform(0.4, 1.6)))
        waitlist_n = rng.randint(1, 8) if rng.random() < 0.1 else 0
        capacity = confirmed_n if waitlist_n else confirmed_n + rng.randint(0, 10)
        opens, closes = start - dt.timedelta(days=60), start - dt.timedelta(days=1)
        cancelled_at = ts(start - dt.timedelta(days=10)) if cancelled else None
        t_session.add(pk, course_pk, f"Cohort {pk % 7 + 1}" if pk % 3 == 0 else "", "cancelled" if cancelled else "scheduled", rng.choice(["in_person", "in_person", "online", "hybrid"]), "turnkey" if turnkey else "direct", "", capacity, ts(opens), ts(closes), "t" if approval else "f", threshold, "t" if free else "f", "", cancelled_at, ts(opens), ts(opens))  # fmt: skip
        for meeting, m_start, m_end, minutes in meetings:
            t_meeting.add(meeting, pk, ts(m_start), ts(m_end), 0, minutes)
        if turnkey and certified_of[program] and rng.random() < 0.9:
            pool = certified_of[program]
        else:
            pool = trainer_pool
        trainers = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
        for trainer in trainers:
            trainer_pk += 1
            t_trainers.add(trainer_pk, pk, trainer)

        # Who registers: distinct people, none of the session's trainers (but 1% of sessions
        # have a trainer with a confirmed registration too, which never counts as completed).
        cancelled_n = sum(rng.random() < 0.08 for _ in range(confirmed_n))
        pending_n = rng.randint(1, 3) if approval else 0
        declined_n = rng.randint(0, 2) if approval else 0
        total = confirmed_n + cancelled_n + waitlist_n + pending_n + declined_n
        candidates = rng.sample(everyone if free else regular_pool, total + len(trainers))
        chosen = [p for p in candidates if p not in trainers][:total]
        statuses = (
            ["confirmed"] * confirmed_n
            + ["cancelled"] * cancelled_n
            + ["waitlisted"] * waitlist_n
            + ["pending"] * pending_n
            + ["declined"] * declined_n
        )
        if cancelled:
            statuses = ["cancelled"] * len(statuses)
        if not cancelled and rng.random() < 0.01:
            chosen[0] = trainers[0]
        roster_taken = not cancelled and rng.random() < 0.97
        source = "checkin" if rng.random() < 0.2 else "roster"
        recorder = trainers[0]
        for person, status in zip(chosen, statuses, strict=True):
            registration_pk += 1
            district, position = district_of[person], position_of[person]
            if rng.random() < 0.03 and district not in grant_districts:
                # The person changed district or job since: the snapshot keeps the old one.
                district, position = rng.randint(9, n_districts), pick(rng, POSITIONS)
            if free:
                price = Decimal("0.00")
            elif district is not None and member_of[district] is not None:
                price = member
            else:
                price = non_member
            payer = "district" if rng.random() < 0.4 else "self"
            queued = opens + dt.timedelta(minutes=rng.randrange(0, 59 * 24 * 60))
            decided = ts(queued + dt.timedelta(days=2)) if approval and status != "pending" else None  # fmt: skip
            t_registration.add(registration_pk, pk, person, status, district, position, price, payer, f"PO-{registration_pk}" if payer == "district" and rng.random() < 0.5 else "", ts(queued), ts(queued), ts(queued), decided, "No substitute coverage" if status == "declined" else "", cancelled_at if cancelled else (ts(min(start, queued + dt.timedelta(days=5))) if status == "cancelled" else None))  # fmt: skip
            if not roster_taken:
                continue
            if status == "cancelled" and len(meetings) > 1 and rng.random() < 0.1:
                # Came to the first meeting, then cancelled.
                marks = [("present", None)] + [None] * (len(meetings) - 1)
            elif status != "confirmed":
                continue
            elif rng.random() < 0.82:
                marks = [("present", None)] * len(meetings)
            else:
                marks = []
                for _, _, _, minutes in meetings:
                    mark = pick(rng, MIXED_STATUS)
                    if rng.random() < 0.02:
                        marks.append(None)  # no mark for this meeting
                    elif mark == "partial":
                        # Quarter hours, so threshold edges (exactly 80%) occur; a few
                        # records exceed the meeting (credited as its full length).
                        attended = rng.randint(1, minutes // 15) * 15
                        if rng.random() < 0.03:
                            attended = minutes + 30
                        marks.append(("partial", attended))
                    else:
                        marks.append((mark, None))
            for (meeting, _, m_end, _), mark in zip(meetings, marks, strict=True):
                if mark is None:
                    continue
                attendance_pk += 1
                t_attendance.add(attendance_pk, registration_pk, meeting, mark[0], mark[1], source, recorder, ts(m_end + dt.timedelta(hours=1)))  # fmt: skip
        # Headcounts: youth on half the turnkey meetings, adults on 10% of meetings; 30-40%
        # without a district. Only free sessions name grant districts. A few sessions have
        # headcounts but no roster.
        if cancelled or not (roster_taken or rng.random() < 0.3):
            continue
        for meeting, _, m_end, _ in meetings:
            for audience, chance, low, high, no_district in (
                ("youth", 0.5 if turnkey else 0.05, 10, 300, 0.3),
                ("adult", 0.1, 1, 25, 0.4),
            ):
                if rng.random() >= chance:
                    continue
                if rng.random() < no_district:
                    district = None
                elif free and rng.random() < 0.3:
                    district = rng.choice(sorted(grant_districts))
                else:
                    district = rng.randint(9, n_districts)
                headcount_pk += 1
                t_headcount.add(headcount_pk, meeting, audience, district, rng.randint(low, high), recorder, ts(m_end + dt.timedelta(hours=2)))  # fmt: skip

    tables = [t_provider, t_district, t_user, t_profile, t_program, t_course, t_certified, t_session, t_trainers, t_meeting, t_registration, t_attendance, t_headcount]  # fmt: skip
    return Generated(tables=tables, seconds=time.perf_counter() - began)


def fill_new_columns(tables: list[Table]) -> None:
    """Columns added to the models after reach_scale's generator was written (e.g.
    Session.evaluation_required, Meeting.break_minutes) get their field's default, so COPY
    meets the NOT NULL constraints."""
    from django.apps import apps

    models = {model._meta.db_table: model for model in apps.get_models()}
    for table in tables:
        model = models.get(table.name)
        if model is None:
            continue
        for model_field in model._meta.concrete_fields:
            if model_field.column in table.columns or not model_field.has_default():
                continue
            value = model_field.get_default()
            if isinstance(value, bool):
                value = "t" if value else "f"
            text = nul(value)
            table.columns.append(model_field.column)
            table.lines = [f"{line}\t{text}" for line in table.lines]


def load(tables: list[Table]) -> list[tuple[str, int, float]]:
    """COPY every table in one transaction, then move each identity sequence past its rows.
    Columns the generator does not write get their field's default (fill_new_columns)."""
    fill_new_columns(tables)
    from django.db import connection, transaction

    timings = []
    with transaction.atomic():
        pg = connection.connection  # the psycopg connection under Django's
        with pg.cursor() as cursor:
            for table in tables:
                began = time.perf_counter()
                with cursor.copy(f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN") as copy:  # fmt: skip
                    chunk = 20_000
                    for n in range(0, len(table.lines), chunk):
                        copy.write("\n".join(table.lines[n : n + chunk]) + "\n")
                timings.append((table.name, len(table.lines), time.perf_counter() - began))
                progress(f"COPY {table.name}: {len(table.lines):,} rows in {timings[-1][2]:.1f} s")
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                )
        began = time.perf_counter()
    timings.append(("(commit: deferred foreign-key checks)", 0, time.perf_counter() - began))
    return timings


def store_all_credited_minutes() -> float:
    """COPY bypasses the application: store every registration's credited minutes and
    completion the way attendance.completion does after each change (the naive cross-check
    below adds them up from the attendance rows again, in Python)."""
    from django.db import transaction

    from attendance.completion import store_credited_minutes
    from attendance.selectors import with_completion
    from registrations.models import Registration

    began = time.perf_counter()
    with transaction.atomic():
        store_credited_minutes(Registration.objects.all())
        completes = with_completion(Registration.objects.filter(credited_minutes__gt=0))
        Registration.objects.filter(
            pk__in=completes.filter(completes_now=True).values("pk")
        ).update(completed=True)
    return time.perf_counter() - began


def vacuum_analyze() -> float:
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - began


def table_sizes() -> list[tuple[str, int, str]]:
    from django.db import connection

    from accounts.models import User
    from attendance.models import Attendance, Headcount
    from courses.models import CertifiedTrainer, Course, Meeting, Program, Session
    from organizations.models import District, Profile, Provider
    from registrations.models import Registration

    models = [Provider, District, User, Profile, Program, Course, CertifiedTrainer, Session]
    names = [m._meta.db_table for m in models] + [Session.trainers.through._meta.db_table]
    names += [m._meta.db_table for m in (Meeting, Registration, Attendance, Headcount)]
    rows = []
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(
                f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{name}')) FROM {name}"
            )
            count, size = cursor.fetchone()
            rows.append((name, count, size))
    return rows


# --- the naive way ---------------------------------------------------------------------------------


def naive_report(scope):  # noqa: C901
    """The same report computed in Python from rows loaded with the ORM, straight from the
    DESIGN.md definitions. Deliberately simple; meant for small scopes only."""
    from attendance.models import Attendance, Headcount
    from courses.dates import local_date, local_day_range
    from courses.models import CertifiedTrainer, Course, Meeting, Program, Session
    from organizations.models import District, Position
    from registrations.models import Registration
    from reports.selectors import (
        DeliveryRow,
        DistrictRow,
        MultiplierRow,
        PositionRow,
        ReachFigures,
        ReachReport,
        SessionRow,
        hours,
    )

    sessions = Session.objects.filter(status=Session.Status.SCHEDULED)
    if scope.provider_ids is not None:
        sessions = sessions.filter(course__provider_id__in=scope.provider_ids)
    if scope.program_id is not None:
        sessions = sessions.filter(course__program_id=scope.program_id)
    if scope.course_id is not None:
        sessions = sessions.filter(course_id=scope.course_id)
    if scope.delivery:
        sessions = sessions.filter(delivery=scope.delivery)
    info = {
        s["id"]: s
        for s in sessions.values(
            "id", "title", "delivery", "is_free", "completion_threshold",
            "course__title", "course__program_id", "course__provider__short_name",
        )
    }  # fmt: skip
    meetings = defaultdict(list)
    for m in Meeting.objects.filter(session__in=sessions).values(
        "id", "session_id", "starts_at", "ends_at"
    ):
        meetings[m["session_id"]].append(m)
    length = {}  # meeting id -> minutes
    in_scope = {}  # session id -> (first start, total minutes)
    for session_id, rows in meetings.items():
        first = min(m["starts_at"] for m in rows)
        if scope.start <= local_date(first) <= scope.end:
            for m in rows:
                length[m["id"]] = int((m["ends_at"] - m["starts_at"]).total_seconds() // 60)
            in_scope[session_id] = (first, sum(length[m["id"]] for m in rows))
    ids = list(in_scope)

    def district_ok(district_id) -> bool:
        return scope.district_ids is None or district_id in scope.district_ids

    registrations = {
        r["id"]: r
        for r in Registration.objects.filter(session_id__in=ids).values(
            "id", "session_id", "person_id", "status", "district_id", "position", "price"
        )
    }
    marks = defaultdict(list)
    for a in Attendance.objects.filter(registration__session_id__in=ids).values(
        "registration_id", "meeting_id", "status", "minutes"
    ):
        marks[a["registration_id"]].append(a)
    trainers = set(
        Session.trainers.through.objects.filter(session_id__in=ids).values_list(
            "session_id", "user_id"
        )
    )
    headcounts = [
        h
        for h in Headcount.objects.filter(meeting__session_id__in=ids).values(
            "meeting__session_id", "audience", "district_id", "count"
        )
        if scope.district_ids is None or h["district_id"] in scope.district_ids
    ]

    # Completed registrations: confirmed, not a trainer of the session, credited minutes at
    # least the threshold share of the session's meetings.
    completed = []  # (registration, minutes)
    delivered = {h["meeting__session_id"] for h in headcounts}
    for r in registrations.values():
        if not district_ok(r["district_id"]):
            continue
        if any(a["status"] in ("present", "partial") for a in marks[r["id"]]):
            delivered.add(r["session_id"])
        if r["status"] != "confirmed" or (r["session_id"], r["person_id"]) in trainers:
            continue
        minutes = 0
        for a in marks[r["id"]]:
            if a["status"] == "present":
                minutes += length[a["meeting_id"]]
            elif a["status"] == "partial":
                minutes += min(a["minutes"], length[a["meeting_id"]])
        first, total = in_scope[r["session_id"]]
        threshold = info[r["session_id"]]["completion_threshold"]
        if total > 0 and marks[r["id"]] and minutes * 100 >= threshold * total:
            completed.append((r, minutes))

    def sums(done, heads):
        staff = len({r["person_id"] for r, _ in done})
        minutes = sum(m for _, m in done)
        youth = sum(h["count"] for h in heads if h["audience"] == "youth")
        adults = sum(h["count"] for h in heads if h["audience"] == "adult")
        return staff, len(done), minutes, youth, adults

    reached = {r["district_id"] for r, _ in completed if r["district_id"] is not None}
    reached |= {h["district_id"] for h in headcounts if h["district_id"] is not None}
    paying = {r["district_id"] for r, _ in completed if r["price"] > 0}
    paying |= {
        h["district_id"]
        for h in headcounts
        if h["district_id"] is not None and not info[h["meeting__session_id"]]["is_free"]
    }
    staff, done, minutes, youth, adults = sums(completed, headcounts)
    figures = ReachFigures(
        sessions_delivered=len(delivered),
        staff_trained=staff,
        completions=done,
        districts_reached=len(reached),
        youth_reached=youth,
        adults_uncounted=adults,
        pd_hours=hours(minutes),
        free_districts=len(reached - paying - {None}),
    )

    names = dict(District.objects.filter(id__in=reached).values_list("id", "name"))
    by_district = []
    for pk in sorted(reached, key=lambda pk: (names[pk], pk)):
        s, d, m, y, a = sums(
            [(r, m) for r, m in completed if r["district_id"] == pk],
            [h for h in headcounts if h["district_id"] == pk],
        )
        by_district.append(DistrictRow(pk, names[pk], s, d, hours(m), y, a, pk not in paying))

    labels = dict(Position.choices)
    by_position = []
    for position in sorted({r["position"] for r, _ in completed}):
        s, d, m, _, _ = sums([(r, m) for r, m in completed if r["position"] == position], [])
        by_position.append(PositionRow(position, labels.get(position, "Not given"), s, d, hours(m)))  # fmt: skip

    by_session = []
    for pk in sorted(ids, key=lambda pk: (in_scope[pk][0], pk)):
        s = info[pk]
        st, d, m, y, a = sums(
            [(r, m) for r, m in completed if r["session_id"] == pk],
            [h for h in headcounts if h["meeting__session_id"] == pk],
        )
        title = f"{s['course__title']} — {s['title']}" if s["title"] else s["course__title"]
        by_session.append(
            SessionRow(
                pk, title, s["course__provider__short_name"], local_date(in_scope[pk][0]),
                s["delivery"], s["is_free"], pk in delivered, st, d, hours(m), y, a,
            )
        )  # fmt: skip

    delivery_labels = dict(Session.Delivery.choices)
    by_delivery = []
    for delivery in Session.Delivery.values:
        of = {pk for pk in ids if info[pk]["delivery"] == delivery}
        st, d, m, y, _ = sums(
            [(r, m) for r, m in completed if r["session_id"] in of],
            [h for h in headcounts if h["meeting__session_id"] in of],
        )
        by_delivery.append(
            DeliveryRow(
                delivery, delivery_labels[delivery], len(of & delivered), st, d, hours(m), y
            )  # fmt: skip
        )

    begin, end = local_day_range(scope.start, scope.end)
    programs = Program.objects.filter(
        id__in=Course.objects.filter(trains_trainers=True).values("program_id")
    )
    if scope.program_id is not None:
        programs = programs.filter(id=scope.program_id)
    if scope.provider_ids is not None:
        programs = programs.filter(provider_id__in=scope.provider_ids)
    active = defaultdict(set)  # program -> persons with an unrevoked certification
    certified_in_period = defaultdict(set)
    for c in CertifiedTrainer.objects.filter(revoked_at__isnull=True).values(
        "program_id", "person_id", "certified_at"
    ):
        active[c["program_id"]].add(c["person_id"])
        if begin <= c["certified_at"] < end:
            certified_in_period[c["program_id"]].add(c["person_id"])
    multiplier = []
    for pk, name in sorted(programs.values_list("id", "name"), key=lambda p: (p[1], p[0])):
        led = {
            s
            for s in ids
            if info[s]["delivery"] == "turnkey"
            and info[s]["course__program_id"] == pk
            and s in delivered
            and any((s, person) in trainers for person in active[pk])
        }
        st, _, _, y, _ = sums(
            [(r, m) for r, m in completed if r["session_id"] in led],
            [h for h in headcounts if h["meeting__session_id"] in led],
        )
        multiplier.append(MultiplierRow(pk, name, len(certified_in_period[pk]), len(led), st, y))

    return ReachReport(
        scope=scope,
        figures=figures,
        by_district=by_district,
        by_position=by_position,
        by_session=by_session,
        by_delivery=by_delivery,
        turnkey_multiplier=multiplier,
    )


def describe(f) -> str:
    return (
        f"delivered {f.sessions_delivered}, staff {f.staff_trained}, completions {f.completions}, "
        f"districts {f.districts_reached} (free {f.free_districts}), youth {f.youth_reached}, "
        f"adults {f.adults_uncounted}, hours {f.pd_hours}"
    )


def differences(naive, sql) -> list[str]:
    problems = []
    for f in fields(sql.figures):
        a, b = getattr(naive.figures, f.name), getattr(sql.figures, f.name)
        if a != b:
            problems.append(f"figures.{f.name}: naive {a} != sql {b}")
    for name in ("by_district", "by_position", "by_session", "by_delivery", "turnkey_multiplier"):
        a, b = getattr(naive, name), getattr(sql, name)
        if len(a) != len(b):
            problems.append(f"{name}: naive {len(a)} rows != sql {len(b)} rows")
        for n, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                problems.append(f"{name}[{n}]: naive {x} != sql {y}")
                break
    return problems


# --- timing ---------------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    first: float
    best: float
    queries: int
    # (function, seconds or None when it hit the statement timeout, SQL) of the first run
    statements: list[tuple[str, float | None, str]] = field(default_factory=list)
    report: object = None  # the ReachReport, when every statement finished

    @property
    def timed_out(self) -> bool:
        return self.report is None


PARTS = ("reach_figures", "by_district", "by_position", "by_session", "by_delivery", "turnkey_multiplier")  # fmt: skip


def time_report(label: str, scope, repeats: int = 3) -> Timing:
    """The first run under CaptureQueriesContext (queries and per-statement times), then best
    of `repeats` more unless the first took over 30 s. When reach_report hits the statement
    timeout, each of its six functions is run on its own to show which statements are slow."""
    from django.db import connection
    from django.db.utils import OperationalError
    from django.test.utils import CaptureQueriesContext

    from reports import selectors

    began = time.perf_counter()
    try:
        with CaptureQueriesContext(connection) as captured:
            report = selectors.reach_report(scope)
    except OperationalError as error:
        progress(f"{label}: reach_report: {str(error).strip().splitlines()[0]}; timing its parts ...")  # fmt: skip
        statements = []
        for name in PARTS:
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                try:
                    getattr(selectors, name)(scope)
                    seconds = time.perf_counter() - t0
                except OperationalError:
                    seconds = None
            sql = captured.captured_queries[-1]["sql"] if captured.captured_queries else ""
            statements.append((name, seconds, sql))
            shown = f"{seconds:.3f} s" if seconds is not None else "TIMEOUT"
            progress(f"{label}: {name}: {shown}")
        return Timing(label, float("inf"), float("inf"), len(PARTS), statements)
    first = time.perf_counter() - began
    statements = [
        (f"query {n}", float(q["time"]), q["sql"])
        for n, q in enumerate(captured.captured_queries, start=1)
    ]
    runs = []
    if first < 30:
        for _ in range(repeats):
            t0 = time.perf_counter()
            selectors.reach_report(scope)
            runs.append(time.perf_counter() - t0)
    timing = Timing(label, first, min(runs or [first]), len(statements), statements, report)
    progress(f"{label}: first {timing.first:.3f} s, best {timing.best:.3f} s, {timing.queries} queries")  # fmt: skip
    return timing


def time_without_providers(scope, repeats: int = 3) -> tuple[float, float, int]:
    """reach_report without each provider's figures (which an Alliance-wide scope includes by
    default): the cost of the issue's figures and breakdowns alone. (first s, best s, queries)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import selectors

    began = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        selectors.reach_report(scope, per_provider=False)
    first = time.perf_counter() - began
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        selectors.reach_report(scope, per_provider=False)
        runs.append(time.perf_counter() - t0)
    progress(f"without per-provider: first {first:.3f} s, best {min(runs):.3f} s")
    return first, min(runs), len(captured)


def time_page_parts(repeats: int = 3) -> list[tuple[str, float, float]]:
    """The other reads of the report pages: the compare tab (reach_figures per fiscal year,
    Alliance-wide, FY2025 and FY2026) and a coordinator's 18-hour table (5 districts, FY2026).
    (label, first s, best s) each."""
    from reports.coordinator import staff_hours
    from reports.selectors import ReachScope, reach_figures

    parts = [
        (
            "compare FY2025 + FY2026",
            lambda: [reach_figures(ReachScope.fiscal_year(y)) for y in FISCAL_YEARS],
        ),
        (
            "18-hour table, 5 districts",
            lambda: staff_hours(district_ids=(1, 2, 3, 42, 77), year=REPORT_YEAR),
        ),
    ]
    timings = []
    for label, run in parts:
        runs = []
        for _ in range(repeats + 1):
            t0 = time.perf_counter()
            run()
            runs.append(time.perf_counter() - t0)
        timings.append((label, runs[0], min(runs[1:])))
        progress(f"{label}: first {runs[0]:.3f} s, best {min(runs[1:]):.3f} s")
    return timings


def time_exports(label: str, scope, report) -> list[tuple[str, float | None, str]]:
    """Each export of reports/exports.py (reach_csv, reach_xlsx, reach_pdf), rendering the
    report already computed, with the filters from describe_scope(scope) when it takes them."""
    if importlib.util.find_spec("reports.exports") is None:
        return []
    import reports.exports as exports

    if report is None:
        return [(name, None, "skipped: the report did not finish") for name in EXPORTS]
    results = []
    for name in EXPORTS:
        function = getattr(exports, name, None)
        if function is None:
            results.append((name, None, "not defined in reports/exports.py"))
            continue
        kwargs = {}
        if "filters" in inspect.signature(function).parameters:
            describe = getattr(exports, "describe_scope", None)
            kwargs["filters"] = describe(scope) if describe else {}
        try:
            began = time.perf_counter()
            output = function(report, **kwargs)
            seconds = time.perf_counter() - began
        except Exception as error:  # report it and carry on: the export is someone else's work
            results.append((name, None, f"failed: {type(error).__name__}: {error}"))
            continue
        content = getattr(output, "content", output)
        size = len(content.encode() if isinstance(content, str) else bytes(content))
        results.append((name, seconds, f"{size:,} bytes"))
        progress(f"{label}: {name} {seconds:.3f} s, {size:,} bytes")
    return results


EXPORTS = ("reach_csv", "reach_xlsx", "reach_pdf")


# --- EXPLAIN --------------------------------------------------------------------------------------


def explain(sql: str) -> tuple[str, list[str]]:
    """EXPLAIN ANALYZE `sql`: the full text plan, and a summary of the costliest nodes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {EXPLAIN_TIMEOUT_MS}")
        try:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    if isinstance(plan, str):
        plan = json.loads(plan)
    root = plan[0]
    nodes = []
    lines = []

    def walk(node, depth=0):
        total = node.get("Actual Total Time", 0.0) * node.get("Actual Loops", 1)
        children = node.get("Plans", [])
        child_time = sum(
            c.get("Actual Total Time", 0.0) * c.get("Actual Loops", 1)
            for c in children
            if c.get("Parent Relationship") != "InitPlan"
        )
        what = node["Node Type"]
        if node.get("Relation Name"):
            what += f" on {node['Relation Name']}"
        if node.get("Index Name"):
            what += f" using {node['Index Name']}"
        if node.get("CTE Name"):
            what += f" of CTE {node['CTE Name']}"
        if node.get("Subplan Name"):
            what += f" ({node['Subplan Name']})"
        nodes.append(
            (
                max(0.0, total - child_time),
                total,
                what,
                node.get("Actual Rows", 0),
                node.get("Actual Loops", 1),
            )  # fmt: skip
        )
        lines.append(
            f"{'  ' * depth}-> {what}  (actual time={node.get('Actual Total Time', 0):.1f} ms "
            f"rows={node.get('Actual Rows', 0)} loops={node.get('Actual Loops', 1)})"
            + (f"  filter: {node['Filter']}" if node.get("Filter") else "")
            + (
                f"  cond: {node.get('Hash Cond') or node.get('Index Cond') or node.get('Join Filter')}"
                if node.get("Hash Cond") or node.get("Index Cond") or node.get("Join Filter")
                else ""
            )  # fmt: skip
        )
        for child in children:
            walk(child, depth + 1)

    walk(root["Plan"])
    nodes.sort(reverse=True)
    summary = [f"execution {root['Execution Time']:.0f} ms, planning {root['Planning Time']:.0f} ms"]  # fmt: skip
    summary += [
        f"{own:10.0f} ms self {total:10.0f} ms total  rows {rows:>9,} x loops {loops:>6,}  {what}"
        for own, total, what, rows, loops in nodes[:8]
    ]
    seq = sorted({what for _, _, what, _, _ in nodes if what.startswith("Seq Scan")})
    summary.append("sequential scans: " + (", ".join(seq) or "none"))
    return "\n".join(lines), summary


# --- scopes ----------------------------------------------------------------------------------------


def pick_sample_scopes(total_sessions: int):
    """About 1% of the sessions: one provider's sessions whose first meeting falls in a
    window of local dates just long enough; plus two small cross-check scopes."""
    from django.db import connection

    from courses.dates import local_date
    from courses.models import Course, Meeting, Program, Session
    from organizations.models import Provider
    from reports.selectors import ReachScope

    learn = Provider.objects.get(short_name="LEARN")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT MIN(m.starts_at) FROM {Meeting._meta.db_table} m
                JOIN {Session._meta.db_table} s ON s.id = m.session_id
                JOIN {Course._meta.db_table} c ON c.id = s.course_id
                WHERE c.provider_id = %s GROUP BY s.id""",
            [learn.pk],
        )
        firsts = sorted(local_date(row[0]) for row in cursor.fetchall())
    start = dt.date(REPORT_YEAR - 1, 10, 1)
    after = [day for day in firsts if day >= start]
    want = max(1, round(total_sessions / 100))
    end = after[min(len(after), want) - 1] if after else start
    sample = ReachScope(start=start, end=end, provider_ids=(learn.pk,))
    program = Program.objects.filter(courses__trains_trainers=True).order_by("pk").first()
    turnkey = ReachScope(
        start=start,
        end=start + dt.timedelta(days=120),
        provider_ids=(program.provider_id,),
        program_id=program.pk,
        delivery="turnkey",
    )
    coordinator = ReachScope(
        start=dt.date(REPORT_YEAR - 1, 12, 1),
        end=dt.date(REPORT_YEAR - 1, 12, 31),
        district_ids=(1, 2, 3, 42, 77),
    )
    return (
        ("1% sample: LEARN, " + f"{start}..{end}", sample),
        (f"turnkey of {program.name}, {turnkey.start}..{turnkey.end}", turnkey),
        ("coordinator of 5 districts (2 grant), Alliance-wide, December", coordinator),
    )


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000, help="people (users + profiles)")
    parser.add_argument("--sessions", type=int, default=20_000, help="sessions over two years")
    parser.add_argument(
        "--attendance", type=int, default=1_000_000, help="attendance rows to aim for"
    )
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (deterministic data)")
    parser.add_argument(
        "--keep-db", action="store_true", help=f"leave the {DB_NAME} database in place afterwards"
    )
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help=f"reuse the existing {DB_NAME} (from an earlier --keep-db run) instead of loading",
    )
    args = parser.parse_args(argv)
    if args.people < 700:
        parser.error("--people must be at least 700 (600 trainers and staff, and attendees)")
    if args.sessions < 100:
        parser.error("--sessions must be at least 100")
    if args.attendance < args.sessions:
        parser.error("--attendance must be at least --sessions")
    return args


def main(argv: list[str] | None = None) -> int:  # noqa: C901
    args = parse_args(argv)
    env = app_environment()
    began = time.monotonic()
    failed = False
    try:
        if args.skip_load:
            if not database_exists():
                raise SystemExit(f"--skip-load: database {DB_NAME} does not exist")
            print(f"Reusing database {DB_NAME} (--skip-load); migrating it if needed ...", flush=True)  # fmt: skip
            migrate(env)
            setup_django(env)
        else:
            print(f"Preparing database {DB_NAME} on {SERVER_URL} ...", flush=True)
            recreate_database()
            migrate(env)
            setup_django(env)
            progress(
                f"generating {args.people:,} people, {args.sessions:,} sessions, "
                f"~{args.attendance:,} attendance rows (seed {args.seed}) ..."
            )
            generated = generate(
                people=args.people,
                sessions=args.sessions,
                attendance=args.attendance,
                seed=args.seed,
            )
            progress(f"generated in {generated.seconds:.1f} s; loading with COPY ...")
            load_began = time.perf_counter()
            load_timings = load(generated.tables)
            copy_seconds = time.perf_counter() - load_began
            del generated.tables
            progress("VACUUM (ANALYZE) ...")
            analyze_seconds = vacuum_analyze()
            progress("storing credited minutes (attendance.services) ...")
            credit_seconds = store_all_credited_minutes()
            progress(f"stored in {credit_seconds:.1f} s; VACUUM (ANALYZE) again ...")
            analyze_seconds += vacuum_analyze()
        from django.db import connection

        from reports.selectors import ReachScope

        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        sizes = table_sizes()
        n_sessions = next(count for name, count, _ in sizes if name == "courses_session")
        print("\nData")
        print(f"  {'table':34}{'rows':>12}{'size':>12}")
        for name, count, size in sizes:
            print(f"  {name:34}{count:>12,}{size:>12}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT status, COUNT(*) FROM attendance_attendance GROUP BY status")
            marks = dict(cursor.fetchall())
            cursor.execute(
                "SELECT status, COUNT(*) FROM registrations_registration GROUP BY status"
            )
            statuses = dict(cursor.fetchall())
        total_marks = sum(marks.values()) or 1
        total_regs = sum(statuses.values()) or 1
        print(
            "  attendance: "
            + ", ".join(f"{k} {v / total_marks:.1%}" for k, v in sorted(marks.items()))
        )
        print(
            "  registrations: "
            + ", ".join(f"{k} {v / total_regs:.1%}" for k, v in sorted(statuses.items()))
        )
        if not args.skip_load:
            print(
                f"  load: generate {generated.seconds:.1f} s, COPY + commit {copy_seconds:.1f} s "
                f"(slowest: {max(load_timings, key=lambda t: t[2])[0]} "
                f"{max(t[2] for t in load_timings):.1f} s), credited minutes "
                f"{credit_seconds:.1f} s, VACUUM ANALYZE {analyze_seconds:.1f} s"
            )

        # --- the full report -------------------------------------------------------------------
        from organizations.models import Provider

        learn = Provider.objects.get(short_name="LEARN")
        scopes = [
            (
                f"LEARN, FY{REPORT_YEAR}",
                ReachScope.fiscal_year(REPORT_YEAR, provider_ids=(learn.pk,)),
            ),  # fmt: skip
            (f"Alliance-wide, FY{REPORT_YEAR}", ReachScope.fiscal_year(REPORT_YEAR)),
        ]
        print(f"\nTiming reach_report (statement timeout {STATEMENT_TIMEOUT_MS // 1000} s) ...")
        timings = [time_report(label, scope) for label, scope in scopes]
        without_providers = time_without_providers(scopes[-1][1])
        page_parts = time_page_parts()

        # --- exports -----------------------------------------------------------------------------
        print("\nExports ...", flush=True)
        export_rows = {t.label: time_exports(t.label, scope, t.report) for t, (_, scope) in zip(timings, scopes, strict=True)}  # fmt: skip

        # --- naive vs SQL on a 1% sample ------------------------------------------------------
        print("\nNaive vs SQL ...", flush=True)
        from django.test.utils import CaptureQueriesContext

        from reports.selectors import reach_report

        checks = []
        for label, scope in pick_sample_scopes(n_sessions):
            sql_times, naive_times = [], []
            for _ in range(3):
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    sql = reach_report(scope)
                sql_times.append(time.perf_counter() - t0)
                sql_queries = len(captured)
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    naive = naive_report(scope)
                naive_times.append(time.perf_counter() - t0)
                naive_queries = len(captured)
            problems = differences(naive, sql)
            checks.append((label, sql, min(sql_times), sql_queries, min(naive_times), naive_queries, problems))  # fmt: skip
            progress(f"{label}: {'EQUAL' if not problems else 'MISMATCH'}")
            failed = failed or bool(problems)
            if not checks[1:] and all(t.timed_out for t in timings) and any(export_rows.values()):
                # No full report finished: render the exports of the 1% sample instead.
                export_rows[label] = time_exports(label, scope, sql)

        # --- EXPLAIN the slowest statement when over goal -----------------------------------------
        explained = None
        over = [t for t in timings if t.best > GOAL_SECONDS]
        finished = [(t, st) for t in over for st in t.statements if st[1] is not None]
        if finished:
            worst, statement = max(finished, key=lambda pair: pair[1][1])
            print(f"\nEXPLAIN ANALYZE of the slowest finished statement ({worst.label}, {statement[0]}) ...", flush=True)  # fmt: skip
            try:
                # reach_report reads temporary tables that exist only inside its transaction:
                # rebuild them around the EXPLAIN.
                from reports.selectors import _materialized

                # A block's own CREATE TEMPORARY TABLE ... AS: EXPLAIN its SELECT (the
                # table already exists inside _materialized).
                select = re.sub(r"^\s*CREATE TEMPORARY TABLE \w+ AS ", "", statement[2])
                with _materialized(worst.report.scope):
                    text, summary = explain(select)
                PLAN_PATH.write_text(statement[2] + "\n\n" + text + "\n")
                explained = (worst, statement, summary)
            except Exception as error:  # noqa: BLE001 - the timings above stand on their own
                print(f"  EXPLAIN skipped: {error}", flush=True)

        # --- report -----------------------------------------------------------------------------
        print("\n" + "=" * 100)
        print(f"Reach report at scale: {n_sessions:,} sessions (goal: the full report under {GOAL_SECONDS:.0f} s)")  # fmt: skip
        print(f"\n  {'scope':26}{'first s':>9}{'best of 3 s':>13}{'queries':>9}  seconds per statement (first run)")  # fmt: skip
        for t in timings:
            per = " ".join(
                f"{seconds:.3f}" if seconds is not None else f"TIMEOUT(>{STATEMENT_TIMEOUT_MS // 1000}s)"
                for _, seconds, _ in t.statements
            )  # fmt: skip
            if t.timed_out:
                print(f"  {t.label:26}{'timeout':>9}{'timeout':>13}{t.queries:>9}  {per}")
                print(f"  {'':26}  (parts: {', '.join(name for name, _, _ in t.statements)})")
            else:
                print(f"  {t.label:26}{t.first:>9.3f}{t.best:>13.3f}{t.queries:>9}  {per}")
        print(
            f"  {'  without per-provider':26}{without_providers[0]:>9.3f}{without_providers[1]:>13.3f}"
            f"{without_providers[2]:>9}  (reach_report(per_provider=False): the issue's figures and breakdowns)"
        )
        for label, first, best in page_parts:
            print(f"  {label:26}{first:>9.3f}{best:>13.3f}")
        print()
        for label, rows in export_rows.items():
            if not rows:
                print(f"  exports ({label}): skipped, reports/exports.py does not exist yet")
                continue
            for name, seconds, note in rows:
                shown = f"{seconds:.3f} s" if seconds is not None else "-"
                print(f"  export {name:10} {label[:44]:44} {shown:>8}  {note}")
        print()
        print(f"  {'cross-check scope':62}{'sessions':>9}{'SQL s':>8}{'SQL q':>6}{'naive s':>9}{'naive q':>8}  result")  # fmt: skip
        for label, sql, sql_s, sql_q, naive_s, naive_q, problems in checks:
            print(
                f"  {label:62}{len(sql.by_session):>9}{sql_s:>8.3f}{sql_q:>6}{naive_s:>9.3f}"
                f"{naive_q:>8}  {'EQUAL' if not problems else 'MISMATCH'}"
            )
            print(f"      {describe(sql.figures)}")
            for problem in problems[:20]:
                print(f"      MISMATCH {problem}")
        for t in timings:
            if t.report is not None:
                print(f"  {t.label}: {describe(t.report.figures)}")
        if explained:
            worst, statement, summary = explained
            print(
                f"\n  Slowest finished statement: {worst.label}, {statement[0]}, "
                f"{statement[1]:.3f} s (SQL and plan tree in {PLAN_PATH})"
            )
            for line in summary:
                print(f"    {line}")
        goal_met = all(not t.timed_out and t.best <= GOAL_SECONDS for t in timings)
        print()
        print(
            "GOAL MET" if goal_met else "GOAL MISSED",
            f"(best of 3: {', '.join(f'{t.label} {t.best:.3f} s' if not t.timed_out else f'{t.label} timeout' for t in timings)})",  # fmt: skip
        )
        print(
            f"Cross-check: {'every figure and breakdown EQUAL' if not failed else 'MISMATCH'}; "
            f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
            f"finished in {time.monotonic() - began:.0f} s: {'FAIL' if failed else 'PASS'}"
        )
        return 1 if failed else 0
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep_db:
            print(f"Kept database {DB_NAME} ({DATABASE_URL}).")
        else:
            drop_database()


if __name__ == "__main__":
    sys.exit(main())

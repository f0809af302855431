"""Registration rush: many people register for one session at the same moment.

Against gunicorn on PostgreSQL, `--clients` people POST /api/v1/sessions/<id>/register/ at once
for a session of `--seats` seats, once per round, each round a new session. Then the same number
of people GET /api/v1/sessions/<id>/ at once, so the cost of the session lock shows as a ratio.
After each round the database is checked: never more confirmed than seats, and every 2xx answer
matches its row.

    .venv/bin/python benchmarks/registration_rush.py [--rounds 5] [--clients 200] [--seats 30]

Exits 1 when a session was oversold, any request got a 5xx or no answer, or the database
disagrees with the answers. See benchmarks/README.md.
"""

import argparse
import datetime as dt
import http.client
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pgbench_db

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "pd_bench"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{SERVER_URL}/{DB_NAME}"
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0  # seconds, per request
BARRIER_TIMEOUT = 60.0  # seconds for every thread to be ready
STARTUP_TIMEOUT = 30.0  # seconds for gunicorn to answer /healthz
MIGRATE_TIMEOUT = 180.0


# --- environment ---------------------------------------------------------------------------------


def app_environment() -> dict[str, str]:
    """Production-like settings (DEBUG off, no query logging) without TLS, on pd_bench.

    Mail goes to the console (gunicorn's log file): EMAIL_HOST is removed so no real mail can
    leave. Tasks run in the request (ImmediateBackend, the default), so the confirmation email is
    rendered inside each register request, as it is in a deployment without a task worker.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"EMAIL_HOST", "TASKS_BACKEND", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pd_platform.settings",
        DATABASE_URL=DATABASE_URL,
        SECRET_KEY=secrets.token_urlsafe(60)[:60],
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_PRELOAD="false",
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


# --- data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: int
    token: str


def prepare_data(*, clients: int, seats: int, rounds: int) -> tuple[list[Person], list[int]]:
    """One provider and member district, `clients` educators with tokens, `rounds` sessions."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from courses.models import Course
    from courses.services import MeetingTimes, create_course, schedule_session
    from organizations.models import District, Position, Profile, Provider, School

    with transaction.atomic():
        provider = Provider.objects.create(
            name="Bench Regional Educational Service Center", short_name="BENCH", slug="bench"
        )
        district = District.objects.create(
            name="Benchtown Public Schools", csde_code="9990011", town="Benchtown",
            member_of=provider,
        )  # fmt: skip
        school = School.objects.create(
            district=district, name="Benchtown Elementary", csde_code="9990111"
        )
        unusable = make_password(None)  # people sign in with tokens; no password hashing cost
        users = User.objects.bulk_create(
            User(
                email=f"bench{n:04d}@example.org",
                first_name=f"Bench{n:04d}",
                last_name="Example",
                password=unusable,
            )
            for n in range(clients)
        )
        now = timezone.now()
        Profile.objects.bulk_create(
            Profile(
                user=user,
                district=district,
                school=school,
                position=Position.TEACHER,
                completed_at=now,
            )
            for user in users
        )
        tokens = Token.objects.bulk_create(
            Token(user=user, key=Token.generate_key()) for user in users
        )
        course = create_course(
            by=None,
            provider=provider,
            title="Registration Rush Workshop",
            slug="registration-rush-workshop",
            hours=Decimal("6.00"),
            member_price=Decimal("100.00"),
            non_member_price=Decimal("150.00"),
            status=Course.Status.PUBLISHED,
        )
        start = timezone.localtime(now + dt.timedelta(days=14)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        session_ids = [
            schedule_session(
                course=course,
                meetings=[MeetingTimes(start, start + dt.timedelta(hours=6))],
                by=None,
                title=f"Rush {number}",
                capacity=seats,
                registration_opens_at=now - dt.timedelta(days=1),
                registration_closes_at=start - dt.timedelta(days=1),
            ).pk
            for number in range(1, rounds + 1)
        ]
    people = [Person(user_id=t.user_id, token=t.key) for t in tokens]
    return people, session_ids


# --- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], *, workers: int, port: int, log_path: Path, app: str
) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = log_path.open("w")
    command = [
        str(gunicorn),
        app,
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_healthy(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    url = f"http://{HOST}:{port}/healthz"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {STARTUP_TIMEOUT:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- load ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    person: Person
    status: int | None = None  # None: no answer (timeout, refused, reset)
    seconds: float = 0.0
    finished_at: float = 0.0
    body: dict | None = None
    retry_after: str | None = None
    error: str = ""


@dataclass
class Burst:
    outcomes: list[Outcome]
    wall_seconds: float

    def count(self, predicate) -> int:
        return sum(1 for o in self.outcomes if predicate(o))

    @property
    def ok(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not None and 200 <= o.status < 300]

    @property
    def server_errors(self) -> int:
        return self.count(lambda o: o.status is not None and o.status >= 500)

    @property
    def no_answer(self) -> int:
        return self.count(lambda o: o.status is None)

    def other_statuses(self) -> dict[int, int]:
        """Non-2xx, non-5xx answers by status (409 expected when a lock wait runs out)."""
        counts: dict[int, int] = {}
        for o in self.outcomes:
            if o.status is not None and not 200 <= o.status < 300 and o.status < 500:
                counts[o.status] = counts.get(o.status, 0) + 1
        return dict(sorted(counts.items()))

    @property
    def latencies(self) -> list[float]:
        return [o.seconds for o in self.outcomes if o.status is not None]


def fire(*, port: int, method: str, path: str, people: list[Person]) -> Burst:
    """One request per person, each on its own connection, all released by one barrier."""
    started: list[float] = []
    barrier = threading.Barrier(len(people), action=lambda: started.append(time.perf_counter()))
    outcomes = [Outcome(person=p) for p in people]
    body = b"{}" if method == "POST" else None

    def run(outcome: Outcome) -> None:
        headers = {"Authorization": f"Token {outcome.person.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
        except threading.BrokenBarrierError:
            outcome.error = "barrier broken"
            return
        begin = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            outcome.status = response.status
            outcome.retry_after = response.getheader("Retry-After")
            try:
                outcome.body = json.loads(raw) if raw else None
            except ValueError:
                outcome.body = None
        except (OSError, http.client.HTTPException) as error:
            outcome.error = f"{type(error).__name__}: {error}"
        finally:
            outcome.finished_at = time.perf_counter()
            outcome.seconds = outcome.finished_at - begin
            conn.close()

    threads = [threading.Thread(target=run, args=(o,), daemon=True) for o in outcomes]
    for thread in threads:
        thread.start()
    limit = time.monotonic() + BARRIER_TIMEOUT + REQUEST_TIMEOUT + 10
    for thread in threads:
        thread.join(timeout=max(0.0, limit - time.monotonic()))
    for outcome, thread in zip(outcomes, threads, strict=True):
        if thread.is_alive() and not outcome.error:
            outcome.error = "client thread did not finish"
    start = started[0] if started else time.perf_counter()
    last = max((o.finished_at for o in outcomes if o.finished_at), default=start)
    return Burst(outcomes=outcomes, wall_seconds=max(last - start, 1e-9))


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --- checks --------------------------------------------------------------------------------------


@dataclass
class RoundCheck:
    confirmed: int
    waitlisted: int
    other_rows: int
    oversold: int
    problems: list[str] = field(default_factory=list)
    fair_order: bool = True


def check_round(session_id: int, burst: Burst, capacity: int) -> RoundCheck:
    """Compare the database with what the clients were told."""
    from registrations.models import Registration

    Status = Registration.Status
    rows = {
        r["id"]: r
        for r in Registration.objects.filter(session_id=session_id).values(
            "id", "person_id", "status", "queued_at"
        )
    }
    confirmed = sum(1 for r in rows.values() if r["status"] == Status.CONFIRMED)
    waitlisted = sum(1 for r in rows.values() if r["status"] == Status.WAITLISTED)
    check = RoundCheck(
        confirmed=confirmed,
        waitlisted=waitlisted,
        other_rows=len(rows) - confirmed - waitlisted,
        oversold=max(0, confirmed - capacity),
    )
    successes = len(burst.ok)
    if check.oversold:
        check.problems.append(f"OVERSOLD: {confirmed} confirmed for {capacity} seats")
    if confirmed != min(capacity, successes):
        check.problems.append(
            f"confirmed {confirmed} != min(capacity {capacity}, successes {successes})"
        )
    if waitlisted != successes - confirmed:
        check.problems.append(f"waitlisted {waitlisted} != successes - confirmed")
    if len(rows) != successes:
        check.problems.append(f"{len(rows)} rows in the database for {successes} 2xx answers")
    mismatched = 0
    for outcome in burst.ok:
        body = outcome.body or {}
        row = rows.get(body.get("id"))
        if (
            row is None
            or row["status"] != body.get("status")
            or row["person_id"] != outcome.person.user_id
        ):
            mismatched += 1
    if mismatched:
        check.problems.append(f"{mismatched} 2xx answers do not match their database row")
    # Seats are decided in lock order and queued_at is read after the lock, so every confirmed
    # registration should be queued no later than any waitlisted one (informational).
    confirmed_times = [r["queued_at"] for r in rows.values() if r["status"] == Status.CONFIRMED]
    waiting_times = [r["queued_at"] for r in rows.values() if r["status"] == Status.WAITLISTED]
    if confirmed_times and waiting_times:
        check.fair_order = max(confirmed_times) <= min(waiting_times)
    return check


# --- report --------------------------------------------------------------------------------------

HEADER = (
    f"{'':9}{'n':>5}{'201':>5}{'200':>5}{'conf':>6}{'wait':>6}{'409':>5}"
    f"{'5xx':>5}{'noans':>6}{'req/s':>8}{'ok/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
)


def burst_line(label: str, burst: Burst, confirmed: str = "-", waitlisted: str = "-") -> str:
    latencies = burst.latencies
    answered = len(latencies)
    return (
        f"{label:9}{len(burst.outcomes):>5}"
        f"{burst.count(lambda o: o.status == 201):>5}{burst.count(lambda o: o.status == 200):>5}"
        f"{confirmed:>6}{waitlisted:>6}{burst.count(lambda o: o.status == 409):>5}"
        f"{burst.server_errors:>5}{burst.no_answer:>6}"
        f"{answered / burst.wall_seconds:>8.1f}{len(burst.ok) / burst.wall_seconds:>8.1f}"
        f"{percentile(latencies, 50) * 1000:>8.0f}{percentile(latencies, 95) * 1000:>8.0f}"
        f"{(max(latencies) if latencies else math.nan) * 1000:>8.0f}"
    )


def describe_others(burst: Burst) -> str:
    others = burst.other_statuses()
    text = ", ".join(f"{status}: {count}" for status, count in others.items()) or "none"
    retry = {o.retry_after for o in burst.outcomes if o.status == 409}
    if retry:
        text += f" (409 Retry-After: {', '.join(sorted(str(r) for r in retry))})"
    return text


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def print_summary(
    registers: list[Burst], reads: list[Burst], checks: list[RoundCheck], seats: int
) -> None:
    reg_lat = [s for b in registers for s in b.latencies]
    read_lat = [s for b in reads for s in b.latencies]
    reg_ok = sum(len(b.ok) for b in registers)
    read_ok = sum(len(b.ok) for b in reads)
    reg_rate = reg_ok / sum(b.wall_seconds for b in registers)
    read_rate = read_ok / sum(b.wall_seconds for b in reads)
    others: dict[int, int] = {}
    for burst in registers:
        for status, count in burst.other_statuses().items():
            others[status] = others.get(status, 0) + count
    read_others: dict[int, int] = {}
    for burst in reads:
        for status, count in burst.other_statuses().items():
            read_others[status] = read_others.get(status, 0) + count

    def fmt(counts: dict[int, int]) -> str:
        return ", ".join(f"{s}: {c}" for s, c in sorted(counts.items())) or "none"

    reg_p95, read_p95 = percentile(reg_lat, 95), percentile(read_lat, 95)
    print()
    print(f"Summary over {len(registers)} rounds ({seats} seats each)")
    print(f"  confirmed      {sum(c.confirmed for c in checks)}")
    print(f"  waitlisted     {sum(c.waitlisted for c in checks)}")
    print(f"  oversold       {sum(c.oversold for c in checks)}   (must be 0)")
    print(f"  5xx            {sum(b.server_errors for b in registers + reads)}   (must be 0)")
    print(f"  no answer      {sum(b.no_answer for b in registers + reads)}")
    print(f"  other non-2xx  register: {fmt(others)}; read: {fmt(read_others)}")
    print(
        f"  register       {reg_rate:7.1f} registrations/s   "
        f"p50 {percentile(reg_lat, 50) * 1000:6.0f} ms   p95 {reg_p95 * 1000:6.0f} ms"
    )
    print(
        f"  read           {read_rate:7.1f} reads/s           "
        f"p50 {percentile(read_lat, 50) * 1000:6.0f} ms   p95 {read_p95 * 1000:6.0f} ms"
    )
    print(
        f"  cost of the lock: p95 register / p95 read = {ratio(reg_p95, read_p95)}; "
        f"throughput register / read = {ratio(reg_rate, read_rate)}"
    )


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="sessions to rush, one per round")
    parser.add_argument("--clients", type=int, default=200, help="simultaneous people per round")
    parser.add_argument("--seats", type=int, default=30, help="capacity of each session")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--keep-db", action="store_true", help=f"leave the {DB_NAME} database in place afterwards"
    )
    parser.add_argument(
        "--control-no-lock",
        action="store_true",
        help="serve the app with the session lock switched off (benchmarks/unlocked_wsgi.py) "
        "to show the checks catch overselling; expect FAIL",
    )
    args = parser.parse_args(argv)
    for name in ("rounds", "clients", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.seats < 0:
        parser.error("--seats cannot be negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = app_environment()
    began = time.monotonic()
    print(f"Preparing database {DB_NAME} on {SERVER_URL} ...", flush=True)
    recreate_database()
    process = None
    log_path = Path(tempfile.gettempdir()) / f"registration_rush_gunicorn_{os.getpid()}.log"
    try:
        migrate(env)
        setup_django(env)
        people, session_ids = prepare_data(
            clients=args.clients, seats=args.seats, rounds=args.rounds
        )
        from django.db import connections

        port = free_port()
        app = "benchmarks.unlocked_wsgi" if args.control_no_lock else "pd_platform.wsgi"
        process = start_gunicorn(env, workers=args.workers, port=port, log_path=log_path, app=app)
        wait_until_healthy(process, port, log_path)
        if args.control_no_lock:
            print("CONTROL RUN: the session lock is OFF; overselling is expected (FAIL).")
        print(
            f"gunicorn {app}: {args.workers} sync workers on {HOST}:{port}, DEBUG off, "
            f"log {log_path}\n"
            f"Emails are rendered inside each register request (immediate tasks backend) and "
            f"printed to the log.\n"
            f"Clients: {args.clients} threads on this machine ({os.cpu_count()} CPUs, shared "
            f"with the server); each request on its own connection, timeout "
            f"{REQUEST_TIMEOUT:.0f} s. Load average before: {load_average()}.",
            flush=True,
        )
        # Warm every worker (imports, database connection) so round 1 is not a cold start.
        fire(
            port=port,
            method="GET",
            path=f"/api/v1/sessions/{session_ids[0]}/",
            people=people[: min(len(people), 4 * args.workers)],
        )

        registers: list[Burst] = []
        reads: list[Burst] = []
        checks: list[RoundCheck] = []
        for number, session_id in enumerate(session_ids, start=1):
            register = fire(
                port=port,
                method="POST",
                path=f"/api/v1/sessions/{session_id}/register/",
                people=people,
            )
            read = fire(
                port=port, method="GET", path=f"/api/v1/sessions/{session_id}/", people=people
            )
            check = check_round(session_id, register, args.seats)
            connections.close_all()
            registers.append(register)
            reads.append(read)
            checks.append(check)
            print()
            print(
                f"Round {number}/{args.rounds}: session {session_id}, {args.seats} seats, "
                f"{args.clients} clients"
            )
            print(HEADER)
            print(burst_line("register", register, str(check.confirmed), str(check.waitlisted)))
            print(burst_line("read", read))
            print(
                f"  other non-2xx: register {describe_others(register)}; "
                f"read {describe_others(read)}"
            )
            print(
                f"  database: confirmed {check.confirmed} (seats {args.seats}), waitlisted "
                f"{check.waitlisted}, other {check.other_rows}, oversold {check.oversold}; "
                f"confirmed queued before waitlisted: {'yes' if check.fair_order else 'NO'}"
            )
            for problem in check.problems:
                print(f"  PROBLEM: {problem}")
            errors = sorted({o.error for o in register.outcomes + read.outcomes if o.error})
            for error in errors[:5]:
                print(f"  client error: {error}")
            if register.server_errors or read.server_errors:
                print(f"  5xx: tracebacks are in {log_path}")
            sys.stdout.flush()

        print_summary(registers, reads, checks, args.seats)
        failed = (
            sum(c.oversold for c in checks)
            or sum(b.server_errors + b.no_answer for b in registers + reads)
            or any(c.problems for c in checks)
        )
        print(f"\nLoad average after: {load_average()} (other work on the machine skews figures)")
        print(f"Finished in {time.monotonic() - began:.0f} s: {'FAIL' if failed else 'PASS'}")
        return 1 if failed else 0
    finally:
        if process is not None:
            stop(process)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep_db:
            print(f"Kept database {DB_NAME} ({DATABASE_URL}).")
        else:
            drop_database()


if __name__ == "__main__":
    sys.exit(main())

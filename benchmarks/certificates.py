"""Certificate rendering: 1,000 certificate PDFs of one session, in one process.

Builds a throwaway SQLite database (/tmp/pd_bench_certs.sqlite3, deleted first), migrates it,
creates one provider, one session with one 6-hour meeting and two trainers, and 1,000 people
with a confirmed registration and a certificate each (bulk inserts: rendering is what is
measured, not issuing). Then reads them with certificates_with_details() and renders each with
certificates.pdf.render_certificate, as the session ZIP does.

    .venv/bin/python benchmarks/certificates.py [--count 1000]

Prints the total seconds, PDFs per second and the size of one PDF. Goal: 1,000 in under 10 s.
Exits 1 when the goal is missed or two renders of one certificate differ.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_PATH = Path("/tmp/pd_bench_certs.sqlite3")
GOAL_SECONDS_PER_1000 = 10.0


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    DB_PATH.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pd_platform.settings"
    os.environ.pop("TASKS_BACKEND", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build(count: int) -> int:
    """One session with `count` certificates; returns the session id."""
    from django.utils import timezone

    from accounts.models import User
    from certificates.models import Certificate, new_verification_code
    from courses.models import Course, Meeting, Session
    from organizations.models import District, Provider
    from registrations.models import Registration

    provider = Provider.objects.create(
        name="LEARN Regional Educational Service Center", short_name="LEARN", slug="learn"
    )
    district = District.objects.create(
        name="Old Saybrook Public Schools", csde_code="1060011", member_of=provider
    )
    course = Course.objects.create(
        provider=provider,
        title="Trauma-Informed Classrooms: Regulation and Relationships",
        slug="trauma-informed-classrooms",
        hours=6,
        status=Course.Status.PUBLISHED,
    )
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    start -= dt.timedelta(days=7)
    session = Session.objects.create(
        course=course,
        capacity=count,
        registration_opens_at=start - dt.timedelta(days=30),
        registration_closes_at=start - dt.timedelta(days=1),
    )
    Meeting.objects.create(session=session, starts_at=start, ends_at=start.replace(hour=15))
    trainers = [
        User.objects.create_user(f"trainer{n}@example.org", first_name=name, last_name="Trainer")
        for n, name in enumerate(("Robin", "Sam"))
    ]
    session.trainers.set(trainers)
    people = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", first_name=f"Person{n}", last_name="Example")
        for n in range(count)
    )
    registrations = Registration.objects.bulk_create(
        Registration(session=session, person=person, status="confirmed", district=district)
        for person in people
    )
    now = timezone.now()
    Certificate.objects.bulk_create(
        Certificate(
            registration=registration,
            number=f"LEARN-{now:%Y}-{n + 1:06d}",
            code=new_verification_code(),
            credited_minutes=360,
            issued_at=now,
        )
        for n, registration in enumerate(registrations)
    )
    return session.pk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    setup_django()
    from certificates.models import Certificate
    from certificates.pdf import render_certificate
    from certificates.selectors import certificates_with_details

    session_id = build(args.count)
    started = time.perf_counter()
    certificates = list(
        certificates_with_details(
            Certificate.objects.filter(registration__session_id=session_id)
        ).order_by("number")
    )
    read = time.perf_counter() - started
    sizes = []
    started = time.perf_counter()
    for certificate in certificates:
        sizes.append(len(render_certificate(certificate)))
    rendering = time.perf_counter() - started
    total = read + rendering
    identical = render_certificate(certificates[0]) == render_certificate(certificates[0])
    goal = GOAL_SECONDS_PER_1000 * len(certificates) / 1000

    print(f"certificates rendered: {len(certificates)}")
    print(f"read (4 queries):      {read:.3f} s")
    print(f"rendering:             {rendering:.3f} s")
    print(f"total:                 {total:.3f} s  (goal < {goal:.1f} s)")
    print(f"PDFs per second:       {len(certificates) / total:.1f}")
    print(f"ms per PDF:            {1000 * rendering / len(certificates):.2f}")
    print(f"size of one PDF:       {sizes[0]} bytes (min {min(sizes)}, max {max(sizes)})")
    print(f"byte-identical re-render: {'yes' if identical else 'NO'}")
    ok = identical and total < goal
    print("PASS" if ok else "FAIL")
    DB_PATH.unlink(missing_ok=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""A small reach data set made the real way: registrations, attendance recorded through
attendance.services (so completions, certificates and certified trainers follow) and headcounts."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from attendance.services import AttendanceEntry, record_attendance, record_headcount
from courses.dates import today
from courses.models import Course, Program, Session
from organizations.models import District, Position, Provider
from registrations.models import Registration
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProgramFactory,
    ProviderFactory,
    SessionFactory,
    educator,
    in_days,
    staff_of,
)


@dataclass
class ReachData:
    provider: Provider
    other_provider: Provider
    program: Program
    course: Course
    districts: list[District]
    sessions: list[Session] = field(default_factory=list)
    staff: object = None

    @property
    def start(self) -> dt.date:
        return today() - dt.timedelta(days=60)

    @property
    def end(self) -> dt.date:
        return today()


def past_session(course: Course, *, days_ago: int, hours: int = 6, **kwargs) -> Session:
    start = in_days(-days_ago, 9)
    return SessionFactory(
        course=course,
        registration_opens_at=in_days(-days_ago - 40),
        registration_closes_at=in_days(-days_ago - 1),
        meetings=[(start, start + dt.timedelta(hours=hours))],
        **kwargs,
    )


def confirmed(session: Session, person=None, *, price: str = "0") -> Registration:
    person = person or educator()
    return Registration.objects.create(
        session=session,
        person=person,
        status=Registration.Status.CONFIRMED,
        district=person.profile.district,
        school=person.profile.school,
        position=person.profile.position,
        price=Decimal(price),
    )


def mark(session: Session, marks: dict[Registration, str | int], by) -> None:
    """Record one-meeting attendance: "present", "absent" or minutes for partial."""
    meeting = session.meetings.get()
    entries = [
        AttendanceEntry(r.pk, meeting.pk, "partial", value)
        if isinstance(value, int)
        else AttendanceEntry(r.pk, meeting.pk, value)
        for r, value in marks.items()
    ]
    record_attendance(session=session, entries=entries, by=by)


def build_reach_data(*, extra_completions: int = 0) -> ReachData:
    """Provider "LRN" with a direct session (two completions, one partial short of the
    threshold, one absent), a free turnkey session led by a trainer certified through the
    program's train-the-trainer course (one completion, youth and adult headcounts) and, for
    another provider, a session whose completion must never show in LRN's figures."""
    provider = ProviderFactory(short_name="LRN", name="Learning Resource Network")
    other = ProviderFactory(short_name="OTH", name="Other Regional Center")
    staff = staff_of(provider, email="staff@lrn.example.org")
    districts = [
        DistrictFactory(name="Alder Public Schools", member_of=provider),
        DistrictFactory(name="Birch Regional School District", member_of=provider),
        DistrictFactory(name="Cedar Public Schools", member_of=None),
    ]
    program = ProgramFactory(provider=provider, name="UPLIFT")
    course = CourseFactory(provider=provider, title="Calm Classrooms", program=program)
    data = ReachData(provider, other, program, course, districts, staff=staff)

    # Train-the-trainer: completing it certifies the trainer for the program.
    ttt = CourseFactory(
        provider=provider, title="UPLIFT Train the Trainer", program=program, trains_trainers=True
    )
    ttt_session = past_session(ttt, days_ago=30)
    trainer = educator(first_name="Tess", last_name="Trainer", district=districts[0])
    mark(ttt_session, {confirmed(ttt_session, trainer, price="200"): "present"}, staff)

    direct = past_session(course, days_ago=20, hours=6)
    alder = [
        educator(first_name=f"Ada{n}", last_name="Alder", district=districts[0]) for n in (1, 2)
    ]
    alder[1].profile.position = Position.PARAEDUCATOR
    alder[1].profile.save()
    birch = educator(first_name="Bo", last_name="Birch", district=districts[1])
    cedar = educator(first_name="Cy", last_name="Cedar", district=districts[2])
    marks = {
        confirmed(direct, alder[0], price="100"): "present",
        confirmed(direct, alder[1], price="100"): "present",
        confirmed(direct, birch, price="100"): 200,  # 200 of 360 minutes: not completed
        confirmed(direct, cedar, price="150"): "absent",
    }
    for n in range(extra_completions):
        marks[confirmed(direct, educator(first_name=f"Extra{n}", district=districts[0]))] = (
            "present"
        )
    mark(direct, marks, staff)

    turnkey = past_session(
        course, days_ago=10, hours=3, delivery=Session.Delivery.TURNKEY, is_free=True
    )
    turnkey.trainers.set([trainer])
    mark(
        turnkey,
        {confirmed(turnkey, educator(first_name="Cy2", district=districts[2])): "present"},
        staff,
    )
    meeting = turnkey.meetings.get()
    record_headcount(meeting=meeting, audience="youth", count=30, district=districts[2], by=staff)
    record_headcount(meeting=meeting, audience="youth", count=12, by=staff)
    record_headcount(meeting=meeting, audience="adult", count=4, district=districts[1], by=staff)

    elsewhere = past_session(CourseFactory(provider=other, title="Elsewhere"), days_ago=15)
    other_staff = staff_of(other)
    mark(elsewhere, {confirmed(elsewhere, educator(district=districts[0])): "present"}, other_staff)

    data.sessions = [ttt_session, direct, turnkey, elsewhere]
    return data

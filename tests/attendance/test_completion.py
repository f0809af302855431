"""Attendance, credited minutes, completion and the certificates that follow (DESIGN.md)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from attendance.completion import store_credited_minutes
from attendance.models import Attendance, Headcount
from attendance.selectors import completion_of
from attendance.services import (
    AttendanceEntry,
    check_in,
    check_in_code_for,
    mark_all_present,
    record_attendance,
    record_headcount,
    rotate_check_in_code,
)
from certificates.models import Certificate
from courses.models import CertifiedTrainer, Session
from courses.services import MeetingTimes, schedule_session
from registrations.models import Registration
from registrations.services import register, register_walk_in
from tests.certificates.helpers import past_session
from tests.factories import (
    CourseFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db
P, PART, ABS, EXC = "present", "partial", "absent", "excused"


def _confirmed(session, person=None):
    from registrations.models import Registration

    person = person or educator()
    return Registration.objects.create(
        session=session,
        person=person,
        status="confirmed",
        district=person.profile.district,
        position=person.profile.position,
    )


def _mark(session, registration, statuses, by=None, now=None):
    meetings = list(session.meetings.order_by("starts_at"))
    entries = [
        AttendanceEntry(
            registration.pk,
            m.pk,
            s if isinstance(s, str) else PART,
            None if isinstance(s, str) else s,
        )
        for m, s in zip(meetings, statuses, strict=True)
    ]
    return record_attendance(session=session, entries=entries, by=by, now=now)


@pytest.mark.parametrize(
    ("statuses", "credited"),
    [
        ((P, P), 360),
        ((P, 90), 270),
        ((P, ABS), 180),
        ((EXC, P), 180),
        ((ABS, ABS), 0),
    ],
)
def test_credited_minutes_per_status(statuses, credited):
    session = past_session(hours=(3, 3))
    registration = _confirmed(session)
    _mark(session, registration, statuses)
    assert completion_of([registration.pk])[registration.pk][1] == credited


def test_partial_minutes_are_capped_at_the_meeting_length():
    session = past_session(hours=(3,))
    registration = _confirmed(session)
    Attendance.objects.create(
        registration=registration,
        meeting=session.meetings.get(),
        status=PART,
        minutes=500,
        recorded_at=in_days(-1),
    )
    store_credited_minutes(Registration.objects.filter(pk=registration.pk))
    assert completion_of([registration.pk])[registration.pk] == (True, 180)


def test_partial_minutes_outside_one_to_the_length_are_refused():
    session = past_session(hours=(3,))
    registration = _confirmed(session)
    for minutes in (0, 181, None):
        with pytest.raises(ValidationError) as error:
            _mark(session, registration, [PART if minutes is None else minutes])
        assert "from 1 to 180" in error.value.message_dict["entries"][0]
    assert not Attendance.objects.exists()


def test_completion_at_100_percent_needs_everything():
    session = past_session(hours=(3, 3))
    registration = _confirmed(session)
    _mark(session, registration, [P, 179])
    assert completion_of([registration.pk])[registration.pk][0] is False
    _mark(session, registration, [P, P])
    assert completion_of([registration.pk])[registration.pk][0] is True


def test_completion_at_80_percent():
    session = past_session(hours=(5,), completion_threshold=80)  # 300 minutes, 240 needed
    registration = _confirmed(session)
    _mark(session, registration, [239])
    assert not Certificate.objects.exists()
    _mark(session, registration, [240])
    certificate = Certificate.objects.get(registration=registration)
    assert certificate.credited_minutes == 240 and str(certificate.hours) == "4.00"


def test_completing_issues_a_certificate_and_emails_the_person(django_capture_on_commit_callbacks):
    session = past_session(hours=(3, 3))
    registration = _confirmed(session)
    with django_capture_on_commit_callbacks(execute=True):
        _mark(session, registration, [P, P])
    certificate = Certificate.objects.get(registration=registration)
    assert certificate.is_valid and str(certificate.hours) == "6.00"
    assert certificate.number.startswith(session.course.provider.short_name.upper())
    assert mail.outbox[-1].to == [registration.person.email]
    assert certificate.display_code in mail.outbox[-1].body


def test_a_correction_that_undoes_completion_revokes_and_redoing_reinstates():
    session = past_session(hours=(3, 3))
    registration = _confirmed(session)
    _mark(session, registration, [P, P])
    code = Certificate.objects.get().code
    _mark(session, registration, [P, ABS])
    certificate = Certificate.objects.get()
    assert not certificate.is_valid and "corrected" in certificate.revoked_reason
    _mark(session, registration, [P, P])
    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.code == code


def test_issue_and_attendance_roll_back_together():
    session = past_session(hours=(3, 3))
    registration = _confirmed(session)
    with pytest.raises(RuntimeError), transaction.atomic():
        _mark(session, registration, [P, P])
        assert Certificate.objects.exists()
        raise RuntimeError("later failure")
    assert not Certificate.objects.exists() and not Attendance.objects.exists()


def test_people_merely_registered_and_trainers_get_no_certificate():
    trainer = educator()
    session = past_session(hours=(3, 3), trainers=[trainer])
    as_participant = _confirmed(session, trainer)
    waitlisted = _confirmed(session)
    waitlisted.status = "waitlisted"
    waitlisted.save()
    _mark(session, as_participant, [P, P])
    assert not Certificate.objects.exists()
    with pytest.raises(ValidationError):
        _mark(session, waitlisted, [P, P])


def test_mark_all_present_marks_only_the_unmarked():
    session = past_session(hours=(3,))
    first, second, third = (_confirmed(session) for _ in range(3))
    _mark(session, first, [ABS])
    assert mark_all_present(meeting=session.meetings.get(), by=None) == 2
    statuses = dict(Attendance.objects.values_list("registration_id", "status"))
    assert statuses == {first.pk: ABS, second.pk: P, third.pk: P}


def test_a_trainer_cannot_take_another_trainers_attendance():
    trainer_a, trainer_b = educator(), educator()
    session_a = past_session(hours=(3, 3), trainers=[trainer_a])
    registration = _confirmed(session_a)
    with pytest.raises(PermissionDenied):
        _mark(session_a, registration, [P, P], by=trainer_b)
    _mark(session_a, registration, [P, P], by=trainer_a)


def test_attendance_locks_for_trainers_fourteen_days_after_the_last_meeting_but_not_for_staff():
    trainer = educator()
    session = past_session(hours=(3,), trainers=[trainer], days_ago=1)
    registration = _confirmed(session)
    end = session.meetings.get().ends_at
    _mark(session, registration, [P], by=trainer, now=end + dt.timedelta(days=14))
    with pytest.raises(ValidationError) as error:
        _mark(session, registration, [ABS], by=trainer, now=end + dt.timedelta(days=14, seconds=1))
    assert "locked" in error.value.messages[0]
    staff = staff_of(session.course.provider)
    _mark(session, registration, [ABS], by=staff, now=end + dt.timedelta(days=60))
    assert Attendance.objects.get().status == ABS


def test_attendance_cannot_be_taken_long_before_a_meeting():
    session = SessionFactory(starts_in_days=5)
    registration = _confirmed(session)
    with pytest.raises(ValidationError) as error:
        _mark(session, registration, [P])
    assert "attendance opens 30 minutes before" in error.value.message_dict["entries"][0]


def test_every_change_is_kept_with_who_and_when():
    session = past_session(hours=(3,))
    registration = _confirmed(session)
    staff = staff_of(session.course.provider)
    _mark(session, registration, [P], by=staff)
    _mark(session, registration, [120], by=staff)
    history = list(Attendance.history.order_by("history_date"))
    assert [(h.status, h.minutes) for h in history] == [(P, None), (PART, 120)]
    assert {h.history_user for h in history} == {staff}


def test_headcounts_take_1_to_10000_and_nothing_else():
    session = past_session(hours=(3,))
    meeting = session.meetings.get()
    for bad in (0, -1, 10_001, "12", True):
        with pytest.raises(ValidationError) as error:
            record_headcount(meeting=meeting, audience="youth", count=bad, by=None)
        assert "count" in error.value.message_dict
    with pytest.raises(ValidationError):
        record_headcount(meeting=meeting, audience="students", count=5, by=None)
    record_headcount(meeting=meeting, audience="youth", count=10_000, by=None)
    record_headcount(meeting=meeting, audience="adult", count=1, by=None)
    assert sorted(Headcount.objects.values_list("count", flat=True)) == [1, 10_000]
    field_names = {f.name for f in Headcount._meta.get_fields()}
    assert not any("name" in f or "student" in f for f in field_names)


class TestCheckIn:
    def _setup(self):
        session = SessionFactory(starts_in_days=3)
        meeting = session.meetings.get()
        registration = _confirmed(session)
        return session, meeting, registration, check_in_code_for(meeting)

    def test_window_opens_30_minutes_before_and_closes_at_the_end(self):
        session, meeting, registration, code = self._setup()
        with pytest.raises(ValidationError) as error:
            check_in(
                code=code.code,
                person=registration.person,
                now=meeting.starts_at - dt.timedelta(minutes=31),
            )
        assert error.value.code == "too_early"
        check_in(
            code=code.display,
            person=registration.person,
            now=meeting.starts_at - dt.timedelta(minutes=30),
        )
        assert Attendance.objects.get().status == P
        Attendance.objects.all().delete()
        check_in(code=code.code.lower(), person=registration.person, now=meeting.ends_at)
        with pytest.raises(ValidationError) as error:
            check_in(
                code=code.code,
                person=registration.person,
                now=meeting.ends_at + dt.timedelta(seconds=1),
            )
        assert error.value.code == "expired"

    def test_unknown_code_and_people_not_confirmed_are_refused(self):
        session, meeting, registration, code = self._setup()
        during = meeting.starts_at + dt.timedelta(minutes=5)
        with pytest.raises(ValidationError) as error:
            check_in(code="ZZZZ-ZZZZ", person=registration.person, now=during)
        assert error.value.code == "unknown"
        other_session = SessionFactory(starts_in_days=3)
        other_code = check_in_code_for(other_session.meetings.get())
        with pytest.raises(ValidationError) as error:
            check_in(code=other_code.code, person=registration.person, now=during)
        assert error.value.code in {"not_registered", "too_early"}
        with pytest.raises(ValidationError) as error:
            check_in(code=code.code, person=educator(), now=during)
        assert error.value.code == "not_registered"
        assert not Attendance.objects.exists()

    def test_a_rotated_code_stops_working(self):
        session, meeting, registration, code = self._setup()
        old = code.code
        rotate_check_in_code(meeting=meeting, by=None)
        with pytest.raises(ValidationError):
            check_in(code=old, person=registration.person, now=meeting.starts_at)
        with pytest.raises(PermissionDenied):
            rotate_check_in_code(meeting=meeting, by=educator())

    def test_check_in_does_not_overwrite_the_trainers_record(self):
        session, meeting, registration, code = self._setup()
        with time_machine.travel(meeting.starts_at + dt.timedelta(minutes=10)):
            _mark(session, registration, [EXC])
            check_in(code=code.code, person=registration.person)
        assert Attendance.objects.get().status == EXC


def test_completing_train_the_trainer_certifies_and_turnkey_sessions_check_it():
    program = ProgramFactory()
    ttt = CourseFactory(provider=program.provider, program=program, trains_trainers=True)
    foundations = CourseFactory(provider=program.provider, program=program)
    session = past_session(hours=(3,), course=ttt)
    trainee = _confirmed(session)
    turnkey = dict(
        course=foundations,
        meetings=[MeetingTimes(in_days(20, 9), in_days(20, 12))],
        by=None,
        capacity=20,
        registration_closes_at=in_days(19),
        delivery=Session.Delivery.TURNKEY,
    )
    with pytest.raises(ValidationError) as error:
        schedule_session(trainers=[trainee.person], **turnkey)
    assert "Not a trainer you can assign" in error.value.message_dict["trainers"][0]
    _mark(session, trainee, [P])
    assert CertifiedTrainer.objects.get(program=program).person == trainee.person
    assert schedule_session(trainers=[trainee.person], **turnkey).delivery == "turnkey"
    _mark(session, trainee, [ABS])
    assert not CertifiedTrainer.objects.filter(revoked_at__isnull=True).exists()


def test_a_walk_in_gets_a_free_seat_and_only_a_free_seat():
    trainer = educator()
    session = SessionFactory(capacity=1, starts_in_days=3)
    session.trainers.add(trainer)
    meeting = session.meetings.get()
    during = meeting.starts_at + dt.timedelta(minutes=5)
    person = educator()
    walk_in = register_walk_in(email=person.email, meeting=meeting, by=trainer, now=during)
    assert walk_in.status == "confirmed" and walk_in.person == person
    with pytest.raises(ValidationError) as error:
        register_walk_in(email=educator().email, meeting=meeting, by=trainer, now=during)
    assert "No seat" in error.value.messages[0]
    with pytest.raises(PermissionDenied):
        register_walk_in(email=educator().email, meeting=meeting, by=UserFactory(), now=during)
    assert register(person=walk_in.person, session=session).created is False

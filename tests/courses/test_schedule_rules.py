"""The catalog and schedule rules, each with the message a person sees."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from courses.models import Course, Meeting, Session
from courses.services import (
    MeetingTimes,
    create_course,
    delete_course,
    delete_session,
    schedule_session,
)
from registrations.services import cancel_session, update_session
from tests.factories import (
    CourseFactory,
    ProgramFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _times(days: int, start: int = 9, end: int = 15) -> MeetingTimes:
    return MeetingTimes(in_days(days, start), in_days(days, end))


def _schedule(course, *, meetings, closes=None, **fields):
    return schedule_session(
        course=course,
        meetings=meetings,
        by=None,
        capacity=fields.pop("capacity", 20),
        registration_closes_at=closes or in_days(5, 17),
        **fields,
    )


def test_a_session_is_scheduled_with_its_meetings_in_order():
    course = CourseFactory()
    session = _schedule(course, meetings=[_times(12), _times(10)])
    starts = list(session.meetings.values_list("starts_at", flat=True))
    assert starts == sorted(starts) and len(starts) == 2


def test_a_meeting_must_end_after_it_starts():
    with pytest.raises(ValidationError) as error:
        _schedule(CourseFactory(), meetings=[_times(10, start=15, end=9)])
    assert error.value.message_dict["meetings"] == [
        "Meeting 1: a meeting must end after it starts."
    ]
    assert not Session.objects.exists()


def test_the_database_refuses_a_meeting_that_ends_before_it_starts():
    session = SessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(session=session, starts_at=in_days(3, 12), ends_at=in_days(3, 11))


def test_registration_must_close_before_the_first_meeting():
    with pytest.raises(ValidationError) as error:
        _schedule(CourseFactory(), meetings=[_times(10)], closes=in_days(10, 10))
    assert error.value.message_dict["registration_closes_at"] == [
        "Registration must close before the first meeting starts."
    ]


def test_registration_must_open_before_it_closes():
    with pytest.raises(ValidationError) as error:
        _schedule(
            CourseFactory(),
            meetings=[_times(10)],
            closes=in_days(5),
            registration_opens_at=in_days(6),
        )
    assert (
        "Registration must open before it closes."
        in error.value.message_dict["registration_opens_at"]
    )


def test_capacity_cannot_be_negative():
    with pytest.raises(ValidationError) as error:
        _schedule(CourseFactory(), meetings=[_times(10)], capacity=-1)
    assert "capacity" in error.value.message_dict


def test_the_database_refuses_a_negative_capacity():
    session = SessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(capacity=-5)


def test_a_session_needs_a_meeting():
    with pytest.raises(ValidationError) as error:
        _schedule(CourseFactory(), meetings=[])
    assert error.value.message_dict["meetings"] == ["A session needs at least one meeting."]


def test_completion_threshold_is_a_percentage():
    with pytest.raises(ValidationError) as error:
        _schedule(CourseFactory(), meetings=[_times(10)], completion_threshold=0)
    assert "completion_threshold" in error.value.message_dict


def test_moving_a_meeting_keeps_its_identity():
    session = SessionFactory(starts_in_days=10, meetings=[(in_days(10, 9), in_days(10, 12))])
    meeting_id = session.meetings.get().pk
    update_session(session=session, by=None, meetings=[_times(11, 13, 16)])
    moved = session.meetings.get()
    assert moved.pk == meeting_id and moved.starts_at == in_days(11, 13)


def test_moving_the_first_meeting_before_registration_closes_is_refused():
    session = SessionFactory(starts_in_days=10)
    with pytest.raises(ValidationError) as error:
        update_session(session=session, by=None, meetings=[_times(2)])
    assert "registration_closes_at" in error.value.message_dict
    assert session.meetings.get().starts_at.date() != in_days(2).date()


def test_staff_cannot_schedule_for_another_provider():
    learn, ces = ProviderFactory(short_name="LEARN"), ProviderFactory(short_name="CES")
    course = CourseFactory(provider=ces)
    with pytest.raises(PermissionDenied):
        schedule_session(
            course=course,
            meetings=[_times(10)],
            by=staff_of(learn),
            capacity=10,
            registration_closes_at=in_days(5),
        )


def test_a_course_cannot_use_another_providers_program():
    learn, ces = ProviderFactory(short_name="LEARN"), ProviderFactory(short_name="CES")
    with pytest.raises(ValidationError) as error:
        create_course(
            by=staff_of(learn),
            provider=learn,
            program=ProgramFactory(provider=ces),
            title="Borrowed",
            slug="borrowed",
        )
    assert error.value.message_dict["program"] == ["The program belongs to another provider."]


def test_prices_cannot_be_negative():
    with pytest.raises(ValidationError) as error:
        create_course(
            by=None, provider=ProviderFactory(), title="X", slug="x", member_price=Decimal("-1")
        )
    assert "member_price" in error.value.message_dict


def test_a_free_session_costs_nothing_and_overrides_fall_back_to_the_course():
    course = CourseFactory(member_price=Decimal("80"), non_member_price=Decimal("120"))
    assert SessionFactory(course=course, is_free=True).price_for(member=False) == Decimal("0")
    session = SessionFactory(course=course, member_price=Decimal("60"))
    assert session.price_for(member=True) == Decimal("60")
    assert session.price_for(member=False) == Decimal("120")


def test_a_session_with_registrations_is_cancelled_not_deleted():
    registration = RegistrationFactory()
    with pytest.raises(ValidationError) as error:
        delete_session(session=registration.session, by=None)
    assert "cancel it instead" in error.value.messages[0]
    cancelled = cancel_session(session=registration.session, by=None)
    assert cancelled.status == Session.Status.CANCELLED and cancelled.cancelled_at is not None


def test_a_course_with_sessions_is_archived_not_deleted():
    session = SessionFactory()
    with pytest.raises(ValidationError):
        delete_course(course=session.course, by=None)
    assert Course.objects.filter(pk=session.course_id).exists()


def test_the_first_meeting_decides_across_a_daylight_saving_change():
    """Nov 1, 2026 is the end of DST: a 9:00 meeting the day after is 14:00 UTC, not 13:00."""
    from courses.dates import LOCAL_TZ

    start = dt.datetime(2026, 11, 2, 9, tzinfo=LOCAL_TZ)
    assert start.astimezone(dt.UTC).hour == 14

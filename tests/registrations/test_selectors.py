"""Reads of registrations that other apps lean on: seat counts and a place in line."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import Session
from registrations.models import Registration
from registrations.selectors import waitlist_position, with_seat_counts
from tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


def test_seat_counts_count_each_status_and_never_go_below_zero_seats():
    session = SessionFactory(capacity=2)
    for status in [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED, Status.PENDING]:
        RegistrationFactory(session=session, status=status)
    RegistrationFactory(session=session, status=Status.CANCELLED)
    empty = SessionFactory(capacity=3)

    counted = {s.pk: s for s in with_seat_counts(Session.objects.all())}

    full = counted[session.pk]
    assert (full.confirmed_count, full.waitlist_count, full.pending_count) == (2, 1, 1)
    assert full.seats_left == 0
    assert (counted[empty.pk].confirmed_count, counted[empty.pk].seats_left) == (0, 3)


def test_seat_counts_cost_one_query_for_any_number_of_sessions(django_assert_num_queries):
    for _ in range(3):
        RegistrationFactory(session=SessionFactory())
    with django_assert_num_queries(1):
        assert len(list(with_seat_counts(Session.objects.all()))) == 3


def test_waitlist_position_follows_queue_time_then_id():
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    now = timezone.now()
    later = RegistrationFactory(
        session=session, status=Status.WAITLISTED, queued_at=now + dt.timedelta(minutes=1)
    )
    first = RegistrationFactory(session=session, status=Status.WAITLISTED, queued_at=now)
    tied = RegistrationFactory(session=session, status=Status.WAITLISTED, queued_at=now)

    assert [waitlist_position(r) for r in (first, tied, later)] == [1, 2, 3]


def test_a_confirmed_registration_has_no_place_in_line():
    assert waitlist_position(RegistrationFactory()) is None

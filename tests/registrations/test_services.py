"""Registration rules: seats, waitlist, approvals, moves, prices, each with its message."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from courses.models import Course
from organizations.models import Profile
from registrations import services
from registrations.models import Registration
from registrations.selectors import waitlist_position
from registrations.services import (
    approve_registration,
    cancel_registration,
    change_capacity,
    decline_registration,
    move_registration,
    register,
)
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    coordinator_of,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


def _fill(session, n):
    return [register(person=educator(), session=session).registration for _ in range(n)]


def test_registering_confirms_while_seats_are_left_then_waitlists():
    session = SessionFactory(capacity=2)
    first, second, third = _fill(session, 3)
    assert [first.status, second.status, third.status] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITLISTED,
    ]
    assert waitlist_position(third) == 1


def test_registering_twice_returns_the_existing_registration():
    session, person = SessionFactory(), educator()
    first = register(person=person, session=session)
    again = register(person=person, session=session)
    assert first.created and not again.created
    assert again.registration.pk == first.registration.pk
    assert Registration.objects.filter(person=person).count() == 1


def test_a_registration_snapshots_profile_and_price():
    district = DistrictFactory()  # a member of a provider
    person = educator(district=district)
    session = SessionFactory(
        course=CourseFactory(member_price=Decimal("90"), non_member_price=Decimal("140"))
    )
    registration = register(person=person, session=session).registration
    assert registration.price == Decimal("90")
    assert registration.district == district and registration.position == "teacher"
    # A later profile change does not rewrite the snapshot.
    Profile.objects.filter(user=person).update(position="administrator", district=DistrictFactory())
    registration.refresh_from_db()
    assert registration.position == "teacher" and registration.district == district


def test_non_members_pay_the_non_member_price_and_free_sessions_cost_nothing():
    outsider = educator(district=DistrictFactory(member_of=None))
    course = CourseFactory(member_price=Decimal("90"), non_member_price=Decimal("140"))
    assert register(
        person=outsider, session=SessionFactory(course=course)
    ).registration.price == Decimal("140")
    free = SessionFactory(course=course, is_free=True)
    assert register(person=outsider, session=free).registration.price == Decimal("0")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"registration_opens_at": "future"}, "Registration opens on"),
        ({"registration_closes_at": "past"}, "Registration closed on"),
        ({"status": "cancelled"}, "This session was cancelled."),
    ],
)
def test_registration_outside_the_rules_is_refused_with_a_message(change, message):
    session = SessionFactory(starts_in_days=10)
    if change.get("registration_opens_at") == "future":
        session.registration_opens_at = timezone.now() + dt.timedelta(days=2)
    if change.get("registration_closes_at") == "past":
        session.registration_opens_at = timezone.now() - dt.timedelta(days=5)
        session.registration_closes_at = timezone.now() - dt.timedelta(hours=1)
    if "status" in change:
        session.status = change["status"]
    session.save()
    with pytest.raises(ValidationError) as error:
        register(person=educator(), session=session)
    assert message in error.value.messages[0]
    assert not Registration.objects.exists()


def test_a_started_session_cannot_be_joined():
    session = SessionFactory(starts_in_days=3)
    with time_machine.travel(session.meetings.first().starts_at + dt.timedelta(minutes=5)):
        session.registration_closes_at = timezone.now() + dt.timedelta(days=30)
        with pytest.raises(ValidationError) as error:
            register(person=educator(), session=session)
    assert "already started" in error.value.messages[0]


def test_an_unpublished_course_cannot_be_joined():
    session = SessionFactory(course=CourseFactory(status=Course.Status.DRAFT))
    with pytest.raises(ValidationError):
        register(person=educator(), session=session)


def test_a_person_must_complete_their_profile_first():
    with pytest.raises(ValidationError) as error:
        register(person=UserFactory(), session=SessionFactory())
    assert "complete your profile" in error.value.messages[0]


def test_the_window_opens_exactly_at_its_time():
    session = SessionFactory(starts_in_days=10)
    opens = session.registration_opens_at
    with pytest.raises(ValidationError):
        register(person=educator(), session=session, now=opens - dt.timedelta(seconds=1))
    assert register(person=educator(), session=session, now=opens).created


def test_cancelling_a_confirmed_seat_promotes_the_earliest_waitlisted(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory(capacity=1)
    holder, first_waiting, second_waiting = _fill(session, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration=holder, by=holder.person)
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == Status.CONFIRMED
    assert second_waiting.status == Status.WAITLISTED
    subjects = [m.subject for m in mail.outbox]
    assert any(s.startswith("A seat opened up") for s in subjects)
    promoted = next(m for m in mail.outbox if m.subject.startswith("A seat opened up"))
    assert promoted.to == [first_waiting.person.email]
    assert "/registrations/release/" in promoted.body


def test_promotion_never_happens_once_the_session_started():
    session = SessionFactory(capacity=1, starts_in_days=3)
    holder, waiting = _fill(session, 2)
    with time_machine.travel(session.meetings.first().starts_at + dt.timedelta(minutes=1)):
        cancel_registration(registration=holder, by=staff_of(session.course.provider))
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


def test_a_failure_after_promotion_rolls_back_both(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    holder, waiting = _fill(session, 2)
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        cancel_registration(registration=holder, by=holder.person)
        raise RuntimeError("something later failed")
    assert callbacks == []
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == (Status.CONFIRMED, Status.WAITLISTED)
    assert mail.outbox == []


def test_capacity_can_be_raised_promoting_at_once_but_not_lowered_below_confirmed():
    session = SessionFactory(capacity=2)
    registrations = _fill(session, 5)
    change_capacity(session=session, capacity=4, by=None)
    statuses = [Registration.objects.get(pk=r.pk).status for r in registrations]
    assert statuses == [Status.CONFIRMED] * 4 + [Status.WAITLISTED]
    with pytest.raises(ValidationError) as error:
        change_capacity(session=session, capacity=3, by=None)
    assert error.value.message_dict["capacity"] == [
        "Capacity cannot be lower than the 4 people already confirmed."
    ]


def test_approval_sessions_start_pending_and_hold_no_seat():
    session = SessionFactory(capacity=1, requires_approval=True)
    pending = register(person=educator(), session=session).registration
    assert pending.status == Status.PENDING
    other = register(person=educator(), session=SessionFactory(capacity=1)).registration
    assert other.status == Status.CONFIRMED
    approve_registration(registration=pending, by=None)
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED
    late = register(person=educator(), session=session).registration
    approve_registration(registration=late, by=None)
    late.refresh_from_db()
    assert late.status == Status.WAITLISTED


def test_only_the_registrants_coordinator_or_provider_staff_decide():
    district, elsewhere = DistrictFactory(), DistrictFactory()
    session = SessionFactory(requires_approval=True)
    pending = register(person=educator(district=district), session=session).registration
    with pytest.raises(PermissionDenied):
        approve_registration(registration=pending, by=coordinator_of(elsewhere))
    with pytest.raises(PermissionDenied):
        approve_registration(registration=pending, by=staff_of(ProviderFactory()))
    approve_registration(registration=pending, by=coordinator_of(district))
    assert Registration.objects.get(pk=pending.pk).status == Status.CONFIRMED


def test_declining_needs_a_reason_and_tells_the_person(django_capture_on_commit_callbacks):
    session = SessionFactory(requires_approval=True)
    pending = register(person=educator(), session=session).registration
    with pytest.raises(ValidationError) as error:
        decline_registration(registration=pending, by=None, reason="  ")
    assert "reason" in error.value.message_dict
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decline_registration(registration=pending, by=None, reason="Budget is spent for this year.")
    assert Registration.objects.get(pk=pending.pk).status == Status.DECLINED
    assert "Budget is spent" in mail.outbox[0].body


def test_staff_move_a_person_to_another_session_of_the_same_course():
    course = CourseFactory()
    source, target = (
        SessionFactory(course=course, capacity=1),
        SessionFactory(course=course, capacity=5),
    )
    moving, waiting = _fill(source, 2)
    staff = staff_of(course.provider)
    moved = move_registration(registration=moving, to_session=target, by=staff)
    assert moved.session == target and moved.status == Status.CONFIRMED
    assert moved.moved_from_id == moving.pk
    assert Registration.objects.get(pk=moving.pk).status == Status.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == Status.CONFIRMED


def test_a_move_to_another_course_is_refused():
    registration = _fill(SessionFactory(), 1)[0]
    with pytest.raises(ValidationError) as error:
        move_registration(registration=registration, to_session=SessionFactory(), by=None)
    assert "same course" in error.value.message_dict["to_session"][0]


def test_emails_are_sent_only_after_commit(django_capture_on_commit_callbacks):
    session = SessionFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        register(person=educator(), session=session)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("You are registered")


def test_someone_else_cannot_cancel_my_registration():
    registration = _fill(SessionFactory(), 1)[0]
    with pytest.raises(PermissionDenied):
        cancel_registration(registration=registration, by=educator())


def test_register_uses_one_lock_per_call(monkeypatch):
    calls = []
    original = services.lock_session
    monkeypatch.setattr(services, "lock_session", lambda pk: calls.append(pk) or original(pk))
    session = SessionFactory()
    register(person=educator(), session=session)
    assert calls == [session.pk]


def test_dates_shown_in_messages_are_eastern_with_weekday():
    session = SessionFactory(starts_in_days=10)
    session.registration_opens_at = in_days(2, 8)
    session.save()
    with pytest.raises(ValidationError) as error:
        register(person=educator(), session=session)
    text = error.value.messages[0]
    assert ("EST" in text or "EDT" in text) and "8:00 AM" in text


def test_moving_a_meeting_sends_confirmed_people_an_updated_invite(
    django_capture_on_commit_callbacks,
):
    from courses.services import MeetingTimes
    from registrations.services import update_session

    session = SessionFactory(capacity=1, starts_in_days=20)
    confirmed, waiting = _fill(session, 2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update_session(
            session=session, by=None, meetings=[MeetingTimes(in_days(22, 10), in_days(22, 13))]
        )
    assert [m.to for m in mail.outbox] == [[confirmed.person.email]]
    assert mail.outbox[0].subject.startswith("Updated schedule")
    assert "SEQUENCE:1" in mail.outbox[0].attachments[0][1]


def test_a_session_update_that_raises_capacity_promotes(django_capture_on_commit_callbacks):
    from registrations.services import update_session

    session = SessionFactory(capacity=1)
    _, waiting = _fill(session, 2)
    update_session(session=session, by=None, capacity=2, notes="Bring a laptop")
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_cancelling_a_session_cancels_everyone_and_sends_cancel_invites(
    django_capture_on_commit_callbacks,
):
    from registrations.services import cancel_session

    session = SessionFactory(capacity=1)
    registrations = _fill(session, 2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(session=session, by=None)
    assert {r.status for r in Registration.objects.filter(session=session)} == {Status.CANCELLED}
    assert len(mail.outbox) == 2 and all(
        "METHOD:CANCEL" in m.attachments[0][1] for m in mail.outbox
    )
    assert {m.to[0] for m in mail.outbox} == {r.person.email for r in registrations}


def test_a_pending_request_emails_the_districts_coordinator(django_capture_on_commit_callbacks):
    district = DistrictFactory()
    coordinator = coordinator_of(district)
    session = SessionFactory(requires_approval=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        register(person=educator(district=district), session=session)
    approval = next(m for m in mail.outbox if m.subject.startswith("Approval needed"))
    assert approval.to == [coordinator.email]
    assert "/approvals/" in approval.body


def test_without_a_coordinator_the_providers_staff_are_asked(django_capture_on_commit_callbacks):
    session = SessionFactory(requires_approval=True)
    staff = staff_of(session.course.provider)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        register(person=educator(), session=session)
    approval = next(m for m in mail.outbox if m.subject.startswith("Approval needed"))
    assert approval.to == [staff.email]


def test_cancelling_needs_the_person_acting_never_none():
    """`by=None` used to mean "staff": a link could then cancel after the start."""
    registration = RegistrationFactory()
    with pytest.raises(TypeError):
        cancel_registration(registration=registration, by=None)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED

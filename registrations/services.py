"""Every change to a registration. One function, one transaction each (STYLE.md, Services).

Seat decisions lock the session row (registrations.locking) before counting, so confirmed
registrations never exceed capacity whatever the concurrency. Any change that frees a seat
promotes the waitlist in the same transaction. Emails go out after commit.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from courses import services as catalog
from courses.models import Course, Meeting, Session
from courses.services import MeetingTimes
from organizations.models import District
from organizations.permissions import can_coordinate_district, roles_of

from . import notifications
from .locking import lock_session, lock_sessions, seat_transaction
from .models import CalendarFeed, Invitation, Registration
from .permissions import can_cancel, can_decide, can_manage_session_registrations

Status = Registration.Status


# --- a person's calendar feed ------------------------------------------------------------------


def calendar_feed_of(*, person: User) -> CalendarFeed:
    """`person`'s calendar feed, created on first use; the same one when asked twice at once."""
    feed = CalendarFeed.objects.filter(person=person).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(person=person)
    except IntegrityError:  # created meanwhile by a simultaneous request
        return CalendarFeed.objects.get(person=person)


@transaction.atomic
def reset_calendar_feed(*, person: User) -> CalendarFeed:
    """Give `person`'s calendar feed a new address (the old one stops working at once).

    The token changes in place, under a lock of the person's row: deleting and re-creating
    the row let a double click insert two feeds for one person (an IntegrityError, a 500).
    """
    User.objects.select_for_update().filter(pk=person.pk).first()
    feed = CalendarFeed.objects.filter(person=person).first()
    if feed is None:
        return CalendarFeed.objects.create(person=person)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.save(update_fields=["token", "created_at"])
    return feed


@dataclass(frozen=True)
class RegisterResult:
    registration: Registration
    created: bool


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "D, M j, Y, g:i A T")


def _first_start(session: Session) -> dt.datetime | None:
    return session.meetings.aggregate(v=Min("starts_at"))["v"]


def _has_started(session: Session, now: dt.datetime) -> bool:
    first = _first_start(session)
    return first is not None and first <= now


def _confirmed_count(session: Session) -> int:
    return session.registrations.filter(status=Status.CONFIRMED).count()


def _check_open_for_registration(session: Session, now: dt.datetime) -> None:
    if session.course.status != Course.Status.PUBLISHED:
        raise ValidationError("This course is not open for registration.", code="not_published")
    if session.is_cancelled:
        raise ValidationError("This session was cancelled.", code="cancelled")
    if _has_started(session, now):
        raise ValidationError("This session has already started.", code="started")
    if session.registration_opens_at and now < session.registration_opens_at:
        raise ValidationError(
            f"Registration opens on {_local(session.registration_opens_at)}.", code="not_open"
        )
    if now >= session.registration_closes_at:
        raise ValidationError(
            f"Registration closed on {_local(session.registration_closes_at)}.", code="closed"
        )


def _snapshot(person: User) -> dict:
    profile = getattr(person, "profile", None)
    if profile is None or not profile.is_complete:
        raise ValidationError(
            "Please complete your profile (district, school and position) before registering.",
            code="profile_incomplete",
        )
    return {"district": profile.district, "school": profile.school, "position": profile.position}


def is_member_district(district) -> bool:
    """Member price applies when the district is a member of any Alliance provider."""
    return (
        district is not None
        and district.member_of_id is not None
        and district.member_of.in_alliance
    )


def _seat_status(session: Session) -> str:
    return Status.CONFIRMED if _confirmed_count(session) < session.capacity else Status.WAITLISTED


def _promote(
    session: Session, *, now: dt.datetime, exclude_person_id: int | None = None
) -> list[Registration]:
    """Confirm the earliest waitlisted while seats are free. Never once the session started.

    The caller holds the session lock.
    """
    if session.is_cancelled or _has_started(session, now):
        return []
    free = session.capacity - _confirmed_count(session)
    if free <= 0:
        return []
    waiting = session.registrations.filter(status=Status.WAITLISTED).order_by("queued_at", "pk")
    if exclude_person_id is not None:
        waiting = waiting.exclude(person_id=exclude_person_id)
    promoted = list(waiting[:free])
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        notifications.after_commit(registration, "promoted")
    return promoted


@seat_transaction
def register(
    *,
    person: User,
    session: Session,
    by: User | None = None,
    payer: str = Registration.Payer.SELF,
    purchase_order: str = "",
    now: dt.datetime | None = None,
) -> RegisterResult:
    """Place `person` in `session`: pending when it needs approval, else confirmed while seats
    are left, else waitlisted. Registering twice returns the existing active registration."""
    session = lock_session(session.pk)
    # Read the clock after the lock: waitlist order is then the order seats were decided.
    now = now or timezone.now()
    existing = session.registrations.filter(person=person, status__in=Registration.ACTIVE).first()
    if existing is not None:
        return RegisterResult(existing, created=False)
    _check_open_for_registration(session, now)
    snapshot = _snapshot(person)
    if payer not in Registration.Payer.values:
        raise ValidationError({"payer": "Choose who pays: you or your district."})
    if purchase_order and payer != Registration.Payer.DISTRICT:
        raise ValidationError(
            {"purchase_order": "A purchase-order number applies only when your district pays."}
        )
    # A coordinator registering someone of their own district, or the provider's staff
    # registering anyone, has approved it already (they are the approvers).
    approved_by = (
        by
        if by is not None
        and (
            can_coordinate_district(by, snapshot["district"].pk)
            or can_manage_session_registrations(by, session)
        )
        else None
    )
    if session.requires_approval and approved_by is None:
        status = Status.PENDING
    else:
        status = _seat_status(session)
    registration = Registration.objects.create(
        session=session,
        person=person,
        status=status,
        price=session.price_for(member=is_member_district(snapshot["district"])),
        payer=payer,
        purchase_order=purchase_order.strip(),
        queued_at=now,
        created_by=by or person,
        decided_by=approved_by if session.requires_approval else None,
        decided_at=now if session.requires_approval and approved_by else None,
        **snapshot,
    )
    notifications.after_commit(registration, status)
    if status == Status.PENDING:
        notifications.approvers_after_commit(registration)
    return RegisterResult(registration, created=True)


def _mark_cancelled(registration: Registration, *, by: User | None, now: dt.datetime) -> None:
    registration.status = Status.CANCELLED
    registration.cancelled_at, registration.cancelled_by = now, by
    registration.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])


def _reload(registration: Registration) -> Registration:
    return Registration.objects.select_related("session__course", "person").get(pk=registration.pk)


@seat_transaction
def cancel_registration(
    *, registration: Registration, by: User | None, now: dt.datetime | None = None
) -> Registration:
    """Give up a place. A freed seat goes to the earliest waitlisted person, never back to the
    person who gave it up."""
    now = now or timezone.now()
    session = lock_session(registration.session_id)
    registration = _reload(registration)
    if by is not None and not can_cancel(by, registration):
        raise PermissionDenied("You cannot cancel this registration.")
    if not registration.is_active:
        return registration
    staff = by is None or can_manage_session_registrations(by, session)
    if _has_started(session, now) and not staff:
        raise ValidationError(
            "This session has already started; please contact the provider.", code="started"
        )
    was_confirmed = registration.status == Status.CONFIRMED
    _mark_cancelled(registration, by=by, now=now)
    notifications.after_commit(registration, "cancelled")
    if was_confirmed:
        _promote(session, now=now, exclude_person_id=registration.person_id)
    return registration


@seat_transaction
def approve_registration(
    *, registration: Registration, by: User | None, now: dt.datetime | None = None
) -> Registration:
    """Confirm a pending registration while a seat is free, else waitlist it."""
    now = now or timezone.now()
    session = lock_session(registration.session_id)
    registration = _reload(registration)
    if by is not None and not can_decide(by, registration):
        raise PermissionDenied("You cannot decide on this registration.")
    if registration.status != Status.PENDING:
        raise ValidationError("Only a pending registration can be approved.", code="not_pending")
    registration.status = _seat_status(session)
    if registration.status == Status.WAITLISTED:
        registration.queued_at = now
    registration.decided_by, registration.decided_at = by, now
    registration.save()
    notifications.after_commit(registration, "approved")
    return registration


@seat_transaction
def decline_registration(
    *, registration: Registration, by: User | None, reason: str, now: dt.datetime | None = None
) -> Registration:
    """Decline a pending (or waitlisted or confirmed) registration with a reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Please give a reason; the registrant will see it."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    session = lock_session(registration.session_id)
    registration = _reload(registration)
    if by is not None and not can_decide(by, registration):
        raise PermissionDenied("You cannot decide on this registration.")
    if not registration.is_active:
        raise ValidationError("This registration is no longer active.", code="not_active")
    was_confirmed = registration.status == Status.CONFIRMED
    registration.status = Status.DECLINED
    registration.decline_reason = reason
    registration.decided_by, registration.decided_at = by, now
    registration.save()
    notifications.after_commit(registration, "declined")
    if was_confirmed:
        _promote(session, now=now, exclude_person_id=registration.person_id)
    return registration


@seat_transaction
def move_registration(
    *,
    registration: Registration,
    to_session: Session,
    by: User | None,
    now: dt.datetime | None = None,
) -> Registration:
    """Staff move a person to another session of the same course. The old place is cancelled
    (promoting that waitlist); the new one is confirmed while seats are left, else waitlisted."""
    now = now or timezone.now()
    sessions = lock_sessions(registration.session_id, to_session.pk)
    registration = _reload(registration)
    source, target = sessions[registration.session_id], sessions[to_session.pk]
    if by is not None and not (
        can_manage_session_registrations(by, source)
        and can_manage_session_registrations(by, target)
    ):
        raise PermissionDenied("Only the provider's staff can move registrations.")
    if source.pk == target.pk:
        raise ValidationError({"to_session": "Choose a different session."})
    if target.course_id != source.course_id:
        raise ValidationError(
            {"to_session": "A person can only be moved to a session of the same course."}
        )
    if not registration.is_active:
        raise ValidationError("This registration is no longer active.", code="not_active")
    if target.is_cancelled or _has_started(target, now):
        raise ValidationError({"to_session": "That session was cancelled or has already started."})
    if target.registrations.filter(
        person_id=registration.person_id, status__in=Registration.ACTIVE
    ).exists():
        raise ValidationError({"to_session": "This person is already registered for that session."})
    was_confirmed = registration.status == Status.CONFIRMED
    _mark_cancelled(registration, by=by, now=now)
    moved = Registration.objects.create(
        session=target,
        person=registration.person,
        status=_seat_status(target),
        district=registration.district,
        school=registration.school,
        position=registration.position,
        price=target.price_for(member=is_member_district(registration.district)),
        payer=registration.payer,
        purchase_order=registration.purchase_order,
        queued_at=now,
        created_by=by,
        moved_from=registration,
    )
    notifications.after_commit(moved, "moved")
    if was_confirmed:
        _promote(source, now=now, exclude_person_id=registration.person_id)
    return moved


def _apply_capacity(session: Session, capacity: int, *, now: dt.datetime) -> None:
    confirmed = _confirmed_count(session)
    if capacity < 0:
        raise ValidationError({"capacity": "Capacity cannot be negative."})
    if capacity < confirmed:
        raise ValidationError(
            {"capacity": f"Capacity cannot be lower than the {confirmed} people already confirmed."}
        )
    session.capacity = capacity
    session.save(update_fields=["capacity", "updated_at"])
    _promote(session, now=now)


@seat_transaction
def change_capacity(
    *, session: Session, capacity: int, by: User | None, now: dt.datetime | None = None
) -> Session:
    """Raise capacity (promoting the waitlist at once) or lower it, never below those confirmed."""
    session = lock_session(session.pk)
    now = now or timezone.now()
    if by is not None and not can_manage_session_registrations(by, session):
        raise PermissionDenied("Only the provider's staff can change capacity.")
    _apply_capacity(session, capacity, now=now)
    return session


@seat_transaction
def update_session(
    *,
    session: Session,
    by: User | None,
    capacity: int | None = None,
    meetings: Sequence[MeetingTimes] | None = None,
    trainers: Iterable[User] | None = None,
    now: dt.datetime | None = None,
    **fields,
) -> Session:
    """Change a session and carry the consequences to the people registered: a new capacity
    promotes the waitlist, and a new time or place sends every confirmed person an updated
    invite (a higher SEQUENCE). The catalog rules are courses.services.update_session's."""
    session = lock_session(session.pk)
    now = now or timezone.now()
    before = dict(session.meetings.values_list("pk", "sequence"))
    session = catalog.update_session(
        session=session, by=by, meetings=meetings, trainers=trainers, **fields
    )
    if capacity is not None and capacity != session.capacity:
        _apply_capacity(session, capacity, now=now)
    if dict(session.meetings.values_list("pk", "sequence")) != before:
        announce_session_change(session=session)
    return session


def announce_session_change(*, session: Session) -> None:
    """Send every confirmed person the updated invite, after commit."""
    for registration in session.registrations.filter(status=Status.CONFIRMED):
        notifications.after_commit(registration, "session_changed")


@seat_transaction
def cancel_session(*, session: Session, by: User | None, now: dt.datetime | None = None) -> Session:
    """Cancel a session and every active registration in it; each person gets a
    METHOD:CANCEL for their calendar. Nobody is promoted: there is no session to join."""
    session = lock_session(session.pk)
    now = now or timezone.now()
    session = catalog.cancel_session(session=session, by=by)
    for registration in session.registrations.filter(status__in=Registration.ACTIVE):
        _mark_cancelled(registration, by=by, now=now)
        notifications.after_commit(registration, "session_cancelled")
    return session


@seat_transaction
def promote_by_hand(
    *, registration: Registration, by: User | None, now: dt.datetime | None = None
) -> Registration:
    """Staff confirm a specific waitlisted person out of order, when a seat is free."""
    now = now or timezone.now()
    session = lock_session(registration.session_id)
    registration = _reload(registration)
    if by is not None and not can_manage_session_registrations(by, session):
        raise PermissionDenied("Only the provider's staff can promote by hand.")
    if registration.status != Status.WAITLISTED:
        raise ValidationError(
            "Only a waitlisted registration can be promoted.", code="not_waitlisted"
        )
    if _confirmed_count(session) >= session.capacity:
        raise ValidationError("The session is full; raise its capacity first.", code="full")
    registration.status = Status.CONFIRMED
    registration.save(update_fields=["status", "updated_at"])
    notifications.after_commit(registration, "promoted")
    return registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if registration.status != Status.WAITLISTED:
        return None
    ahead = registration.session.registrations.filter(status=Status.WAITLISTED).filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


@seat_transaction
def transfer_registration(
    *, registration: Registration, to_person: User, by: User, now: dt.datetime | None = None
) -> Registration:
    """Give a confirmed seat to a colleague of the same district before the session starts.

    The registrant or their district's coordinator may do it. The old registration is
    cancelled and the new one confirmed in the same transaction; both people are emailed.
    """
    session = lock_session(registration.session_id)
    now = now or timezone.now()
    registration = _reload(registration)
    if not (
        registration.person_id == by.pk or can_coordinate_district(by, registration.district_id)
    ):
        raise PermissionDenied("Only the registrant or their district's coordinator can transfer.")
    if registration.status != Status.CONFIRMED:
        raise ValidationError("Only a confirmed seat can be transferred.", code="not_confirmed")
    if _has_started(session, now):
        raise ValidationError("This session has already started.", code="started")
    if registration.credited_minutes:
        # Attendance opens 30 minutes before the start: a seat someone attended is theirs.
        raise ValidationError(
            "Attendance is already recorded for this seat; it cannot be transferred.",
            code="attended",
        )
    if to_person.pk == registration.person_id:
        raise ValidationError({"to_person": "Choose a colleague, not the same person."})
    snapshot = _snapshot(to_person)
    if snapshot["district"].pk != registration.district_id:
        raise ValidationError(
            {"to_person": "A seat can only go to a colleague of the same district."}
        )
    if session.registrations.filter(person=to_person, status__in=Registration.ACTIVE).exists():
        raise ValidationError(
            {"to_person": "Your colleague is already registered for this session."}
        )
    _mark_cancelled(registration, by=by, now=now)
    transferred = Registration.objects.create(
        session=session,
        person=to_person,
        status=Status.CONFIRMED,
        price=session.price_for(member=is_member_district(snapshot["district"])),
        payer=registration.payer,
        purchase_order=registration.purchase_order,
        queued_at=now,
        created_by=by,
        moved_from=registration,
        **snapshot,
    )
    notifications.after_commit(registration, "transferred_away")
    notifications.after_commit(transferred, "transferred_in")
    return transferred


@dataclass(frozen=True)
class GroupOutcome:
    who: str
    result: str  # confirmed, waitlisted, pending, already, invited, refused
    message: str


def register_group(
    *,
    session: Session,
    by: User,
    district: District | None = None,
    people: Iterable[User] = (),
    emails: Iterable[str] = (),
    payer: str = Registration.Payer.DISTRICT,
    purchase_order: str = "",
) -> list[GroupOutcome]:
    """Register several people of one district at once: a district coordinator their own
    district's people, or the provider's staff (who name the district) anyone's.

    Each person goes through `register` (its own transaction, so one refusal does not undo
    the others); an email without an account gets an invitation on behalf of `district` and
    the registration waits for them to sign up. Returns what happened to each, in order.
    """
    districts = _group_districts(session=session, by=by, district=district)
    where = district.name if district is not None else "your district"
    invite_district_id = min(districts)
    outcomes: list[GroupOutcome] = []
    known = {p.email.lower(): p for p in people}
    for email in emails:
        email = email.strip().lower()
        if not email or email in known:
            continue
        person = User.objects.filter(email__iexact=email).first()
        if person is not None:
            known[email] = person
        else:
            outcomes.append(
                _invite(
                    session=session,
                    by=by,
                    email=email,
                    district_id=invite_district_id,
                    payer=payer,
                    purchase_order=purchase_order,
                )
            )
    for email, person in known.items():
        profile = getattr(person, "profile", None)
        if profile is None or profile.district_id not in districts:
            outcomes.append(GroupOutcome(email, "refused", f"Not a member of {where}."))
            continue
        try:
            result = register(
                person=person, session=session, by=by, payer=payer, purchase_order=purchase_order
            )
        except ValidationError as error:
            outcomes.append(GroupOutcome(email, "refused", " ".join(error.messages)))
            continue
        registration = result.registration
        if not result.created:
            outcomes.append(
                GroupOutcome(
                    email, "already", f"Already {registration.get_status_display().lower()}."
                )
            )
        else:
            outcomes.append(
                GroupOutcome(email, registration.status, registration.get_status_display() + ".")
            )
    return outcomes


def _group_districts(*, session: Session, by: User, district: District | None) -> set[int]:
    """The districts whose people `by` may register as a group for `session`."""
    if district is not None:
        if not (
            can_coordinate_district(by, district.pk)
            or can_manage_session_registrations(by, session)
        ):
            raise PermissionDenied("You cannot register people of that district.")
        return {district.pk}
    coordinated = set(roles_of(by).district_ids)
    if coordinated:
        return coordinated
    if can_manage_session_registrations(by, session):
        raise ValidationError({"district": "Choose the district these people work in."})
    raise PermissionDenied("Only district coordinators and the provider's staff register groups.")


def _invite(
    *,
    session: Session,
    by: User,
    email: str,
    district_id: int,
    payer: str,
    purchase_order: str,
) -> GroupOutcome:
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        return GroupOutcome(email, "refused", "Not a valid email address.")
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            session=session,
            email=email,
            registration=None,
            defaults={
                "district_id": district_id,
                "invited_by": by,
                "payer": payer,
                "purchase_order": purchase_order,
            },
        )
        if created:
            notifications.invitation_after_commit(invitation)
    return GroupOutcome(
        email, "invited", "No account yet: invited to sign up; the seat is taken when they accept."
    )


def accept_invitation(*, invitation: Invitation, person: User) -> RegisterResult:
    """The invited person, signed in with the invited address, takes up the registration."""
    if person.email.lower() != invitation.email.lower():
        raise PermissionDenied("This invitation was sent to another email address.")
    if invitation.registration_id:
        return RegisterResult(invitation.registration, created=False)
    result = register(
        person=person,
        session=invitation.session,
        by=invitation.invited_by,
        payer=invitation.payer,
        purchase_order=invitation.purchase_order,
    )
    Invitation.objects.filter(pk=invitation.pk).update(registration=result.registration)
    return result


def send_due_reminders(
    *, now: dt.datetime | None = None, ahead: dt.timedelta = dt.timedelta(days=2)
) -> int:
    """Email each confirmed person once, about two days before their session's first meeting.

    Each registration is claimed with a conditional update, so two runs at once never send
    the same reminder twice. Returns how many were queued.
    """
    now = now or timezone.now()
    first_start = (
        Meeting.objects.filter(session=OuterRef("session"))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    due = (
        Registration.objects.filter(
            status=Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            session__status=Session.Status.SCHEDULED,
        )
        .annotate(first_start=Subquery(first_start))
        .filter(first_start__gt=now, first_start__lte=now + ahead)
    )
    sent = 0
    for registration in due.iterator():
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                notifications.after_commit(registration, "reminder")
                sent += 1
    return sent


@seat_transaction
def register_walk_in(
    *, person: User, session: Session, by: User, now: dt.datetime | None = None
) -> Registration:
    """A trainer or staff member adds someone who turned up, while a seat is free. The
    registration window does not apply (the session may be under way); capacity does."""
    session = lock_session(session.pk)
    now = now or timezone.now()
    is_trainer = session.trainers.filter(pk=by.pk).exists()
    if not (is_trainer or can_manage_session_registrations(by, session)):
        raise PermissionDenied("Only the session's trainers and the provider's staff add walk-ins.")
    if session.is_cancelled:
        raise ValidationError("This session was cancelled.", code="cancelled")
    snapshot = _snapshot(person)
    existing = session.registrations.filter(person=person, status__in=Registration.ACTIVE).first()
    if existing is not None and existing.status == Status.CONFIRMED:
        return existing
    if _confirmed_count(session) >= session.capacity:
        raise ValidationError("No seat is left in this session for a walk-in.", code="full")
    if existing is not None:
        existing.status = Status.CONFIRMED
        existing.decided_by, existing.decided_at = by, now
        existing.save()
        registration = existing
    else:
        registration = Registration.objects.create(
            session=session,
            person=person,
            status=Status.CONFIRMED,
            price=session.price_for(member=is_member_district(snapshot["district"])),
            queued_at=now,
            created_by=by,
            **snapshot,
        )
    notifications.after_commit(registration, "confirmed")
    return registration

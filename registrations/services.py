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
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from activity.services import INVITATION, SYSTEM, WAITLIST, changes_between, record_activity
from attendance.completion import recompute_completion, recompute_session
from attendance.services import EARLY
from courses.models import Course, Meeting, Session
from courses.services import MeetingTimes, check_session, check_trainers, save_meetings
from organizations.models import District
from organizations.permissions import can_coordinate_district, can_manage_provider, roles_of
from organizations.selectors import district_is_verified

from . import notifications
from .locking import SessionBusy, lock_session, lock_sessions, seat_transaction
from .models import CalendarFeed, Invitation, Registration
from .permissions import can_cancel, can_decide, can_manage_session_registrations
from .selectors import has_started

Status = Registration.Status


def _record(
    verb: str,
    registration: Registration,
    *,
    by: User | None,
    via: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> None:
    """The activity row of a change to `registration`, in the caller's transaction."""
    record_activity(
        verb=verb,
        target=registration,
        actor=by,
        system=via or ("" if by is not None else SYSTEM),
        changes=changes,
        reason=reason,
    )


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


def _has_started(session: Session, now: dt.datetime) -> bool:
    return has_started(session, now=now)


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


def needs_district_approval(*, person: User, district, session: Session, payer: str) -> bool:
    """Until a person's district is verified (organizations.selectors.district_is_verified),
    a registration their district would pay for, or priced as a member (below the
    non-member price), needs the district's approval. An unverified person of a member
    district paying themself is priced as a member and waits for that approval."""
    member_priced = is_member_district(district) and session.price_for(
        member=True
    ) < session.price_for(member=False)
    if payer != Registration.Payer.DISTRICT and not member_priced:
        return False
    return not district_is_verified(person)


def _approved_by(by: User | None, *, district_id: int | None, session: Session) -> User | None:
    """A coordinator registering someone of their own district, or the provider's staff
    registering anyone, has approved it already (they are the approvers)."""
    if by is not None and (
        can_coordinate_district(by, district_id) or can_manage_session_registrations(by, session)
    ):
        return by
    return None


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
        _record(
            "registration.promoted",
            registration,
            by=None,
            via=WAITLIST,
            changes={"status": [Status.WAITLISTED, Status.CONFIRMED]},
        )
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
    via: str = "",
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
    approved_by = _approved_by(by, district_id=snapshot["district"].pk, session=session)
    needs_approval = session.requires_approval or needs_district_approval(
        person=person, district=snapshot["district"], session=session, payer=payer
    )
    status = Status.PENDING if needs_approval and approved_by is None else _seat_status(session)
    registration = Registration.objects.create(
        session=session,
        person=person,
        status=status,
        price=session.price_for(member=is_member_district(snapshot["district"])),
        payer=payer,
        purchase_order=purchase_order.strip(),
        queued_at=now,
        created_by=by or person,
        decided_by=approved_by if needs_approval else None,
        decided_at=now if needs_approval and approved_by else None,
        **snapshot,
    )
    _record(
        f"registration.{'registered' if status == Status.CONFIRMED else status}",
        registration,
        by=by or person,
        via=via,
        # A free seat has nobody paying, whatever the form said.
        changes={
            "status": [None, status],
            **({"payer": [None, payer]} if registration.price else {}),
        },
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
    *,
    registration: Registration,
    by: User,
    reason: str = "",
    via: str = "",
    now: dt.datetime | None = None,
) -> Registration:
    """Give up a place, as `by`: the registrant (a link in their email acts as them, with the
    same limits; `via` names the link), their district's coordinator, or the provider's
    staff. Once the session has started only the provider's staff may. A freed seat goes to
    the earliest waitlisted person, never back to the person who gave it up; a certificate
    the registration had earned is revoked."""
    if by is None:
        # There is no anonymous or "system" cancellation: nothing may act as staff unnamed.
        raise TypeError("cancel_registration needs the person acting: by=<User>.")
    now = now or timezone.now()
    session = lock_session(registration.session_id)
    registration = _reload(registration)
    if not can_cancel(by, registration):
        raise PermissionDenied("You cannot cancel this registration.")
    if not registration.is_active:
        return registration
    if _has_started(session, now) and not can_manage_session_registrations(by, session):
        raise ValidationError(
            "This session has already started; please contact the provider.", code="started"
        )
    was = registration.status
    _mark_cancelled(registration, by=by, now=now)
    _record(
        "registration.cancelled",
        registration,
        by=by,
        via=via,
        changes={"status": [was, Status.CANCELLED]},
        reason=reason.strip(),
    )
    notifications.after_commit(registration, "cancelled")
    recompute_completion(
        registration_ids=[registration.pk],
        now=now,
        reason=reason.strip() or "The registration was cancelled.",
    )
    if was == Status.CONFIRMED:
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
    if _complete_transfer(registration, by=by, now=now):
        return registration
    registration.status = _seat_status(session)
    if registration.status == Status.WAITLISTED:
        registration.queued_at = now
    registration.decided_by, registration.decided_at = by, now
    registration.save()
    _record(
        "registration.approved",
        registration,
        by=by,
        changes={"status": [Status.PENDING, registration.status]},
    )
    notifications.after_commit(registration, "approved")
    return registration


@seat_transaction
def decline_registration(
    *, registration: Registration, by: User | None, reason: str, now: dt.datetime | None = None
) -> Registration:
    """Decline a pending registration with a reason. Only a pending one: a confirmed or
    waitlisted place (or a completed one, with its certificate) is left by cancelling it."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Please give a reason; the registrant will see it."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    lock_session(registration.session_id)  # an approval of the same request waits for this
    registration = _reload(registration)
    if by is not None and not can_decide(by, registration):
        raise PermissionDenied("You cannot decide on this registration.")
    if registration.status != Status.PENDING:
        raise ValidationError("Only a pending registration can be declined.", code="not_pending")
    registration.status = Status.DECLINED
    registration.decline_reason = reason
    registration.decided_by, registration.decided_at = by, now
    registration.save()
    _record(
        "registration.declined",
        registration,
        by=by,
        changes={"status": [Status.PENDING, Status.DECLINED]},
        reason=reason,
    )
    notifications.after_commit(registration, "declined")
    recompute_completion(
        registration_ids=[registration.pk], now=now, reason="The registration was declined."
    )
    _refuse_transfer(registration)
    return registration


@seat_transaction
def move_registration(
    *,
    registration: Registration,
    to_session: Session,
    by: User | None,
    reason: str = "",
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
    was = registration.status
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
    _record(
        "registration.moved",
        registration,
        by=by,
        changes={"status": [was, Status.CANCELLED], "session": [source.pk, target.pk]},
        reason=reason.strip(),
    )
    _record(
        "registration.moved_in",
        moved,
        by=by,
        changes={"status": [None, moved.status], "session": [source.pk, target.pk]},
        reason=reason.strip(),
    )
    notifications.after_commit(moved, "moved")
    # The old registration keeps its attendance but no longer completes its session.
    recompute_completion(
        registration_ids=[registration.pk],
        now=now,
        reason="The registration was moved to another session.",
    )
    if was == Status.CONFIRMED:
        _promote(source, now=now, exclude_person_id=registration.person_id)
    return moved


def check_capacity(*, session: Session, capacity: int) -> None:
    """A capacity `session` may take: not negative, never below the people confirmed (read
    again under the lock by change_capacity and update_session). Writes nothing."""
    confirmed = _confirmed_count(session)
    if capacity < 0:
        raise ValidationError({"capacity": "Capacity cannot be negative."})
    if capacity < confirmed:
        raise ValidationError(
            {"capacity": f"Capacity cannot be lower than the {confirmed} people already confirmed."}
        )


def _apply_capacity(session: Session, capacity: int, *, by: User | None, now: dt.datetime) -> None:
    """Set the capacity and promote the waitlist into new seats. The caller holds the lock."""
    check_capacity(session=session, capacity=capacity)
    if capacity == session.capacity:
        return
    record_activity(
        verb="session.capacity_changed",
        target=session,
        actor=by,
        system="" if by is not None else SYSTEM,
        changes={"capacity": [session.capacity, capacity]},
    )
    session.capacity = capacity
    session.save(update_fields=["capacity", "updated_at"])
    _promote(session, now=now)


def _require_manager(by: User | None, session: Session) -> None:
    # `by=None` is the system itself (seed_demo, imports); every interface names a person.
    if by is not None and not can_manage_provider(by, session.course.provider_id):
        raise PermissionDenied("You can only manage your own provider's catalog.")


@seat_transaction
def change_capacity(
    *, session: Session, capacity: int, by: User | None, now: dt.datetime | None = None
) -> Session:
    """Raise capacity (promoting the waitlist at once) or lower it, never below those confirmed."""
    session = lock_session(session.pk)
    now = now or timezone.now()
    _require_manager(by, session)
    _apply_capacity(session, capacity, by=by, now=now)
    return session


def _place_of(session: Session) -> tuple:
    """What makes a session's place: a change of any moves every meeting in people's
    calendars (a new meeting link is a new place for an online session)."""
    return (session.venue_id, session.format, session.online_url)


def _meeting_times(session: Session) -> list[list]:
    return [
        [m.starts_at, m.ends_at, m.break_minutes] for m in session.meetings.order_by("starts_at")
    ]


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
    """Change a session (its fields; its meetings, replacing them all, and its trainers when
    given) and carry the consequences to the people registered: a new capacity promotes the
    waitlist; a new time or place gives every meeting it moves a higher calendar SEQUENCE and
    sends every confirmed person an updated invite; a change of meetings, threshold or
    trainers recomputes completions (and certificates). The catalog rules are
    courses.services.check_session's and check_trainers'."""
    session = lock_session(session.pk)
    now = now or timezone.now()
    _require_manager(by, session)
    if "course" in fields and fields["course"].provider_id != session.course.provider_id:
        _require_manager(by, Session(course=fields["course"]))
    before = {name: getattr(session, name) for name in fields}
    place_before = _place_of(session)
    sequences = dict(session.meetings.values_list("pk", "sequence"))
    meetings_before = _meeting_times(session)
    trainers_before = sorted(session.trainers.values_list("pk", flat=True))
    for name, value in fields.items():
        setattr(session, name, value)
    if meetings is not None and not meetings:
        raise ValidationError({"meetings": "A session needs at least one meeting."})
    check_session(
        session,
        list(meetings)
        if meetings is not None
        else [MeetingTimes(*times) for times in meetings_before],
    )
    trainers = None if trainers is None else list(trainers)
    check_trainers(
        session=session,
        trainers=trainers if trainers is not None else session.trainers.all(),
        by=by,
    )
    session.save()
    if meetings is not None:
        save_meetings(session, meetings)
    if trainers is not None:
        session.trainers.set(trainers)
    changes = changes_between(
        {name: _plain(value) for name, value in before.items()},
        {name: _plain(getattr(session, name)) for name in fields},
    )
    if meetings is not None and _meeting_times(session) != meetings_before:
        changes["meetings"] = [meetings_before, _meeting_times(session)]
    if trainers is not None and sorted(t.pk for t in trainers) != trainers_before:
        changes["trainers"] = [trainers_before, sorted(t.pk for t in trainers)]
    if _place_of(session) != place_before:
        # A new place moves every meeting in people's calendars.
        session.meetings.update(sequence=F("sequence") + 1)
    if changes:
        record_activity(
            verb="session.updated",
            target=session,
            actor=by,
            system="" if by is not None else SYSTEM,
            changes=changes,
        )
    if capacity is not None and capacity != session.capacity:
        _apply_capacity(session, capacity, by=by, now=now)
    if dict(session.meetings.values_list("pk", "sequence")) != sequences:
        for registration in session.registrations.filter(status=Status.CONFIRMED):
            notifications.after_commit(registration, "session_changed")
    # Requiring an evaluation or not holds or releases certificates too.
    if {"meetings", "trainers", "completion_threshold", "evaluation_required"} & set(changes):
        recompute_session(session=session, now=now)
    return session


def _plain(value: object) -> object:
    """A field's value as the activity log keeps it: a related record by its id."""
    return getattr(value, "pk", value)


@seat_transaction
def cancel_session(
    *, session: Session, by: User | None, reason: str = "", now: dt.datetime | None = None
) -> Session:
    """Cancel a session and every active registration in it; each person gets a
    METHOD:CANCEL for their calendar, and certificates of its registrations are revoked
    (reach reports never count a cancelled session either). Nobody is promoted: there is
    no session to join. Cancelling a cancelled session changes nothing."""
    session = lock_session(session.pk)
    now = now or timezone.now()
    _require_manager(by, session)
    if session.is_cancelled:
        return session
    session.status = Session.Status.CANCELLED
    session.cancelled_at = now
    session.save(update_fields=["status", "cancelled_at", "updated_at"])
    record_activity(
        verb="session.cancelled",
        target=session,
        actor=by,
        system="" if by is not None else SYSTEM,
        changes={"status": [Session.Status.SCHEDULED, Session.Status.CANCELLED]},
        reason=reason.strip(),
    )
    for registration in session.registrations.filter(status__in=Registration.ACTIVE):
        was = registration.status
        _mark_cancelled(registration, by=by, now=now)
        _record(
            "registration.cancelled",
            registration,
            by=by,
            changes={"status": [was, Status.CANCELLED]},
            reason="The session was cancelled.",
        )
        notifications.after_commit(registration, "session_cancelled")
    recompute_completion(
        registration_ids=session.registrations.values_list("pk", flat=True),
        now=now,
        reason="The session was cancelled.",
    )
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
    _record(
        "registration.promoted",
        registration,
        by=by,
        changes={"status": [Status.WAITLISTED, Status.CONFIRMED]},
    )
    notifications.after_commit(registration, "promoted")
    return registration


COLLEAGUE_CANNOT_TAKE_SEAT = (
    "That colleague can't take this seat: they need an account with a complete, verified "
    "profile in your district."
)


def _check_may_take_seat(person: User, *, district_id: int | None) -> dict:
    """The snapshot of a colleague who could register themself for a seat of `district_id`
    (active account, complete profile, same district, district verified). Every refusal is
    the same message, so the form never tells whether an address has an account or what
    state it is in."""
    profile = getattr(person, "profile", None)
    if (
        not person.is_active
        or profile is None
        or not profile.is_complete
        or profile.district_id != district_id
        or not district_is_verified(person)
    ):
        raise ValidationError(
            {"to_person": ValidationError(COLLEAGUE_CANNOT_TAKE_SEAT, code="cannot_take_seat")}
        )
    return _snapshot(person)


def _hand_over(
    holder: Registration, taker: Registration, *, by: User | None, now: dt.datetime
) -> None:
    """Cancel `holder`'s seat and confirm `taker` in it; both are emailed. The caller holds
    the session lock: the seat never leaves the session, so capacity is unchanged."""
    _mark_cancelled(holder, by=by, now=now)
    taker.status = Status.CONFIRMED
    taker.moved_from = holder
    taker.save()
    _record(
        "registration.transferred",
        holder,
        by=by,
        changes={
            "status": [Status.CONFIRMED, Status.CANCELLED],
            "to_registration": [None, taker.pk],
        },
    )
    _record(
        "registration.transferred_in",
        taker,
        by=by,
        changes={
            "status": [Status.PENDING, Status.CONFIRMED],
            "from_registration": [None, holder.pk],
        },
    )
    notifications.after_commit(holder, "transferred_away")
    notifications.after_commit(taker, "transferred_in")


@seat_transaction
def transfer_registration(
    *, registration: Registration, to_person: User, by: User, now: dt.datetime | None = None
) -> Registration:
    """Give a confirmed seat to a colleague who could register themself (same district,
    district verified, profile complete) before the session starts.

    The registrant or their district's coordinator may do it. The colleague takes the
    holder's payer and purchase order. When the colleague's registration needs approval (the
    session requires it) and `by` is not an approver, the colleague's registration is created
    pending with `transfer_of` pointing at the seat, the approvers are asked, and the seat
    stays with its holder until the decision (`_complete_transfer`, `_refuse_transfer`).
    Otherwise the old registration is cancelled and the new one confirmed in this
    transaction. Returns the colleague's registration.
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
    snapshot = _check_may_take_seat(to_person, district_id=registration.district_id)
    if registration.transfer_requests.filter(status=Status.PENDING).exists():
        raise ValidationError(
            "A transfer of this seat already awaits approval.", code="transfer_pending"
        )
    if session.registrations.filter(person=to_person, status__in=Registration.ACTIVE).exists():
        raise ValidationError(
            {"to_person": "Your colleague is already registered for this session."}
        )
    approved_by = _approved_by(by, district_id=registration.district_id, session=session)
    needs_approval = session.requires_approval or needs_district_approval(
        person=to_person, district=snapshot["district"], session=session, payer=registration.payer
    )
    waits = needs_approval and approved_by is None
    taker = Registration.objects.create(
        session=session,
        person=to_person,
        status=Status.PENDING,
        price=session.price_for(member=is_member_district(snapshot["district"])),
        payer=registration.payer,
        purchase_order=registration.purchase_order,
        queued_at=now,
        created_by=by,
        transfer_of=registration if waits else None,
        decided_by=approved_by if needs_approval else None,
        decided_at=now if needs_approval and approved_by else None,
        **snapshot,
    )
    if waits:
        _record(
            "registration.transfer_requested",
            taker,
            by=by,
            changes={
                "status": [None, Status.PENDING],
                "from_registration": [None, registration.pk],
            },
        )
        notifications.after_commit(taker, "transfer_pending")
        notifications.approvers_after_commit(taker)
    else:
        _hand_over(registration, taker, by=by, now=now)
    return taker


def _complete_transfer(registration: Registration, *, by: User | None, now: dt.datetime) -> bool:
    """The approval of a pending seat transfer: the holder's seat is cancelled and
    `registration` confirmed in it, in the approval's transaction. True when done (the
    caller then stops); False when `registration` asks for no seat, or the seat is no longer
    there to hand over (its holder cancelled, attended or the session started): approval then
    goes on as for any registration.

    Called by approve_registration after its checks, holding the session lock.
    """
    if registration.transfer_of_id is None:
        return False
    holder = Registration.objects.get(pk=registration.transfer_of_id)
    if (
        holder.status != Status.CONFIRMED
        or holder.credited_minutes
        or _has_started(registration.session, now)
    ):
        return False
    registration.decided_by, registration.decided_at = by, now
    _hand_over(holder, registration, by=registration.created_by, now=now)
    return True


def _refuse_transfer(registration: Registration) -> None:
    """A declined seat transfer: the holder keeps their seat and is told. Called by
    decline_registration after it declined `registration`, in its transaction."""
    if registration.transfer_of_id is None:
        return
    holder = Registration.objects.get(pk=registration.transfer_of_id)
    if holder.status == Status.CONFIRMED:
        notifications.after_commit(holder, "transfer_declined")


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
    the others). A typed address of an account in the district is registered like a chosen
    person; any other address (no account, an account of another district, a closed one)
    gets the same invitation on behalf of `district` and the same answer, so the page never
    tells whether an address has an account. Only a person of that district can accept an
    invitation (`accept_invitation`). Returns what happened to each, people first, then the
    addresses in the order typed.
    """
    districts = _group_districts(session=session, by=by, district=district)
    invite_district = district or District.objects.get(pk=min(districts))
    where = district.name if district is not None else "your district"
    outcomes: list[GroupOutcome] = []
    chosen = {p.email.lower(): p for p in people}
    for email, person in chosen.items():
        profile = getattr(person, "profile", None)
        if profile is None or profile.district_id not in districts:
            outcomes.append(GroupOutcome(email, "refused", f"Not a member of {where}."))
            continue
        outcomes.append(
            _register_one(
                session=session, by=by, person=person, payer=payer, purchase_order=purchase_order
            )
        )
    seen = set(chosen)
    for email in emails:
        email = email.strip().lower()
        if not email or email in seen:
            continue
        seen.add(email)
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        profile = getattr(person, "profile", None)
        if profile is not None and profile.district_id in districts:
            outcomes.append(
                _register_one(
                    session=session,
                    by=by,
                    person=person,
                    payer=payer,
                    purchase_order=purchase_order,
                )
            )
        else:
            outcomes.append(
                _invite(
                    session=session,
                    by=by,
                    email=email,
                    district=invite_district,
                    payer=payer,
                    purchase_order=purchase_order,
                )
            )
    return outcomes


def _register_one(
    *, session: Session, by: User, person: User, payer: str, purchase_order: str
) -> GroupOutcome:
    email = person.email.lower()
    try:
        result = register(
            person=person, session=session, by=by, payer=payer, purchase_order=purchase_order
        )
    except ValidationError as error:
        return GroupOutcome(email, "refused", " ".join(error.messages))
    except SessionBusy:
        # Each person is their own transaction: the others keep their outcome.
        return GroupOutcome(email, "refused", SessionBusy.message)
    registration = result.registration
    if not result.created:
        return GroupOutcome(
            email, "already", f"Already {registration.get_status_display().lower()}."
        )
    return GroupOutcome(email, registration.status, registration.get_status_display() + ".")


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
    district: District,
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
                "district": district,
                "invited_by": by,
                "payer": payer,
                "purchase_order": purchase_order,
            },
        )
        if created:
            notifications.invitation_after_commit(invitation)
    return GroupOutcome(
        email,
        "invited",
        f"Invitation sent: if this address belongs to someone who works in {district.name}, "
        "they can accept it and take the seat.",
    )


def accept_invitation(*, invitation: Invitation, person: User) -> RegisterResult:
    """The invited person, signed in with the invited address, takes up the registration."""
    if person.email.lower() != invitation.email.lower():
        raise PermissionDenied("This invitation was sent to another email address.")
    if invitation.registration_id:
        return RegisterResult(invitation.registration, created=False)
    profile = getattr(person, "profile", None)
    if profile is not None and profile.district_id not in (None, invitation.district_id):
        # Invitations go to any address typed (see register_group): the district decides.
        raise ValidationError(
            f"This invitation is for people who work in {invitation.district.name}; your "
            "profile names another district, so it cannot take this seat.",
            code="other_district",
        )
    result = register(
        person=person,
        session=invitation.session,
        by=invitation.invited_by,
        payer=invitation.payer,
        purchase_order=invitation.purchase_order,
        via=INVITATION,
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
    *, email: str, meeting: Meeting, by: User, now: dt.datetime | None = None
) -> Registration | None:
    """A trainer or the provider's staff adds someone who turned up, by the email address of
    their account, while `meeting`'s check-in is open (30 minutes before its start until its
    end), to a published course's scheduled session, while a seat is free. The registration
    window does not apply. The person is emailed who added them and how to say it was not them.

    Refusals that do not depend on the address (permission, course, session, window, seats)
    raise; an address without an account or with an incomplete profile returns None, exactly
    as quietly as a success returns the registration, so that callers can answer the same
    either way and never reveal whether an address has an account."""
    session = lock_session(meeting.session_id)
    now = now or timezone.now()
    is_trainer = session.trainers.filter(pk=by.pk).exists()
    if not (is_trainer or can_manage_session_registrations(by, session)):
        raise PermissionDenied("Only the session's trainers and the provider's staff add walk-ins.")
    if session.course.status != Course.Status.PUBLISHED:
        raise ValidationError(
            "Walk-ins are added only to sessions of published courses.", code="not_published"
        )
    if session.is_cancelled:
        raise ValidationError("This session was cancelled.", code="cancelled")
    # The check-in window: a walk-in is someone in the room, not a registration made weeks
    # ahead.
    opens_at = meeting.starts_at - EARLY
    if not opens_at <= now <= meeting.ends_at:
        raise ValidationError(
            f"Walk-ins are added while this meeting's check-in is open: from {_local(opens_at)} "
            f"until it ends ({_local(meeting.ends_at)}).",
            code="not_open",
        )
    if _confirmed_count(session) >= session.capacity:
        raise ValidationError("No seat is left in this session for a walk-in.", code="full")
    person = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    profile = getattr(person, "profile", None) if person is not None else None
    if person is None or profile is None or not profile.is_complete:
        return None
    snapshot = _snapshot(person)
    existing = session.registrations.filter(person=person, status__in=Registration.ACTIVE).first()
    if existing is not None and existing.status == Status.CONFIRMED:
        return existing
    if existing is not None:
        was = existing.status
        existing.status = Status.CONFIRMED
        existing.decided_by, existing.decided_at = by, now
        existing.save()
        registration = existing
        _record(
            "registration.walk_in", registration, by=by, changes={"status": [was, Status.CONFIRMED]}
        )
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
        _record(
            "registration.walk_in",
            registration,
            by=by,
            changes={"status": [None, Status.CONFIRMED]},
        )
    notifications.after_commit(registration, "walk_in", by=by)
    return registration

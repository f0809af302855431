"""Reads of registrations: a person's own, a session's roster, the approval queue."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import User
from courses.models import Meeting, Session
from courses.selectors import public_sessions, with_schedule
from organizations.models import District, Role
from organizations.permissions import managed_provider_ids, roles_of

from .models import Registration
from .permissions import can_manage_session_registrations, decide_scope


def registrations_with_sessions(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    sessions = with_schedule(Session.objects.select_related("course__provider", "venue"))
    return registrations.select_related("district", "school").prefetch_related(
        Prefetch("session", queryset=sessions),
        Prefetch("session__meetings", queryset=Meeting.objects.order_by("starts_at")),
    )


def my_registrations(person: User) -> QuerySet[Registration]:
    # The evaluation, its request and the certificate, for each card's evaluation prompt:
    # joined, so /me/ costs the same queries for any number of registrations.
    return (
        registrations_with_sessions(Registration.objects.filter(person=person))
        .select_related("evaluation", "evaluation_request", "certificate")
        .order_by("-created_at")
    )


def visible_registrations(user: User) -> QuerySet[Registration]:
    """Registrations a user may see: their own; a coordinator's district's; staff their
    provider's sessions'; Alliance admins all."""
    roles = roles_of(user)
    if roles.alliance_admin:
        return Registration.objects.all()
    scope = Q(person=user)
    if roles.district_ids:
        scope |= Q(district_id__in=roles.district_ids)
    if roles.provider_ids:
        scope |= Q(session__course__provider_id__in=roles.provider_ids)
    return Registration.objects.filter(scope)


def active_registration(person: User, session: Session) -> Registration | None:
    if not person.is_authenticated:
        return None
    return Registration.objects.filter(
        person=person, session=session, status__in=Registration.ACTIVE
    ).first()


def _count_with_status(status: str) -> Coalesce:
    """The number of a session's registrations in `status`, as a subquery (0 when none)."""
    counted = (
        Registration.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_seat_counts(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Annotate `confirmed_count`, `waitlist_count`, `pending_count` and `seats_left`.

    The one count of seats for lists and pages (subqueries, so a list costs one query at any
    size). Courses sits below registrations, so its catalog reads take this as `seats=`.
    """
    return sessions.annotate(
        confirmed_count=_count_with_status(Registration.Status.CONFIRMED),
        waitlist_count=_count_with_status(Registration.Status.WAITLISTED),
        pending_count=_count_with_status(Registration.Status.PENDING),
    ).annotate(seats_left=Greatest(F("capacity") - F("confirmed_count"), Value(0)))


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waitlisted.

    Earlier `queued_at` goes first, ties by id, the order promotion follows. A read, so it lives
    here: emails and the session panel need it without importing the services that write.
    """
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = registration.session.registrations.filter(status=Registration.Status.WAITLISTED).filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def has_started(session: Session, *, now: dt.datetime | None = None) -> bool:
    """The session's first meeting has begun: from then on only the provider's staff change
    its registrations (a registrant, or a link acting as them, no longer can)."""
    first = session.meetings.aggregate(v=Min("starts_at"))["v"]
    return first is not None and first <= (now or timezone.now())


def approvers(registration: Registration) -> QuerySet[User]:
    """The people asked to decide a pending registration, emailed and shown it at /approvals/
    (DESIGN.md): the coordinators of the registrant's district; where it has none, the staff
    of the session's provider; where that provider has none either, the Alliance admins.
    Each of them passes permissions.can_decide, so each sees it in approval_queue."""
    people = User.objects.filter(is_active=True)
    asked = [
        Q(
            roles__kind=Role.Kind.PROVIDER_STAFF,
            roles__provider_id=registration.session.course.provider_id,
        ),
        Q(roles__kind=Role.Kind.ALLIANCE_ADMIN) | Q(is_superuser=True),
    ]
    if registration.district_id is not None:
        coordinators = Q(
            roles__kind=Role.Kind.DISTRICT_COORDINATOR, roles__district_id=registration.district_id
        )
        asked.insert(0, coordinators)
    for scope in asked:
        found = people.filter(scope).distinct().order_by("email")
        if found.exists():
            return found
    return User.objects.none()


def approval_queue(user: User) -> QuerySet[Registration]:
    """Pending registrations `user` may decide (permissions.decide_scope): their districts' as
    coordinator, their provider's sessions' as staff, all as an Alliance admin; so everyone
    `approvers` names finds the request here."""
    pending = Registration.objects.filter(decide_scope(user), status=Registration.Status.PENDING)
    return registrations_with_sessions(pending).select_related("person").order_by("queued_at", "pk")


def open_sessions() -> QuerySet[Session]:
    """Scheduled sessions of published courses whose registration is open now."""
    now = timezone.now()
    return (
        with_schedule(public_sessions().filter(status=Session.Status.SCHEDULED))
        .filter(registration_closes_at__gt=now, first_starts_at__gt=now)
        .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
        .select_related("course")
        .order_by("first_starts_at", "pk")
    )


def district_people(district_ids) -> QuerySet[User]:
    return (
        User.objects.filter(profile__district_id__in=district_ids, is_active=True)
        .select_related("profile")
        .order_by("last_name", "first_name", "email")
    )


@dataclass(frozen=True)
class GroupChoices:
    """What a person may choose from on the group registration page."""

    coordinator: bool  # True: their own districts' people; False: staff naming a district
    sessions: QuerySet[Session]
    people: QuerySet[User]
    districts: QuerySet[District]


def group_choices(user: User) -> GroupChoices:
    """A coordinator: open sessions, their districts and those districts' people. Provider
    staff (and Alliance admins): their providers' open sessions and every district; people
    are typed in by address."""
    roles = roles_of(user)
    if roles.district_ids:
        return GroupChoices(
            coordinator=True,
            sessions=open_sessions(),
            people=district_people(roles.district_ids),
            districts=District.objects.filter(pk__in=roles.district_ids).order_by("name"),
        )
    sessions = open_sessions()
    providers = managed_provider_ids(user)
    if providers is not None:
        sessions = sessions.filter(course__provider__in=providers)
    return GroupChoices(
        coordinator=False,
        sessions=sessions,
        people=User.objects.none(),
        districts=District.objects.order_by("name"),
    )


@dataclass(frozen=True)
class CancellationPreview:
    """What cancelling a registration would do, for the page that asks before it happens."""

    registration: Registration
    own: bool  # the person asking is the registrant
    allowed: bool  # False when the session has started and only the provider's staff may
    seat_goes_to_waitlist: bool  # a confirmed seat, and someone else is waiting for it

    @property
    def is_paid(self) -> bool:
        return self.registration.price > 0


def cancellation_preview(*, registration: Registration, user: User) -> CancellationPreview:
    """What cancelling `registration` (already scoped to what `user` may see) would do:
    release a seat or give it to the waitlist, and whether `user` may still cancel it."""
    session = registration.session
    started = session.first_starts_at is not None and session.first_starts_at <= timezone.now()
    waiting = (
        registration.status == Registration.Status.CONFIRMED
        and session.registrations.filter(status=Registration.Status.WAITLISTED)
        .exclude(person_id=registration.person_id)
        .exists()
    )
    return CancellationPreview(
        registration=registration,
        own=registration.person_id == user.pk,
        allowed=not started or can_manage_session_registrations(user, session),
        seat_goes_to_waitlist=waiting,
    )

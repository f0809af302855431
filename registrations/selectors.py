"""Reads of registrations: a person's own, a session's roster, the approval queue."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from courses.models import Meeting, Session
from courses.selectors import public_sessions, with_schedule
from organizations.models import District
from organizations.permissions import managed_provider_ids, roles_of

from .models import Registration


def registrations_with_sessions(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    sessions = with_schedule(Session.objects.select_related("course__provider", "venue"))
    return registrations.select_related("district", "school").prefetch_related(
        Prefetch("session", queryset=sessions),
        Prefetch("session__meetings", queryset=Meeting.objects.order_by("starts_at")),
    )


def my_registrations(person: User) -> QuerySet[Registration]:
    return registrations_with_sessions(Registration.objects.filter(person=person)).order_by(
        "-created_at"
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


def has_started(session: Session, *, now: dt.datetime | None = None) -> bool:
    """The session's first meeting has begun: from then on only the provider's staff change
    its registrations (a registrant, or a link acting as them, no longer can)."""
    first = session.meetings.aggregate(v=Min("starts_at"))["v"]
    return first is not None and first <= (now or timezone.now())


def approval_queue(user: User) -> QuerySet[Registration]:
    """Pending registrations `user` decides: their districts' as coordinator; their
    provider's sessions' as staff (for districts without a coordinator first of all)."""
    roles = roles_of(user)
    pending = Registration.objects.filter(status=Registration.Status.PENDING)
    if not roles.alliance_admin:
        scope = Q(district_id__in=roles.district_ids) | Q(
            session__course__provider_id__in=roles.provider_ids
        )
        pending = pending.filter(scope)
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

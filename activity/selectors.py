"""Reads of the activity log: a registration's history, a session's, a person's own.

Each is one query, newest first, with who acted and what was changed joined in, so a page
costs the same for three rows as for three thousand. `with_actor_roles` adds, in the same
query, what the actor was to the record (the session's provider staff, its trainer, the
district's coordinator, an Alliance admin): a registrant sees other people by role only
(activity.presenters).
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from accounts.models import User
from courses.models import Session
from organizations.models import Role

from .models import Activity

_JOINED = (
    "actor",
    "target_type",
    "person",
    "registration__person",
    "session__course__provider",
)


def _newest_first(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.select_related(*_JOINED).order_by("-created_at", "-pk")


def history_of_registration(registration) -> QuerySet[Activity]:
    """Everything recorded about one registration (record_activity names it on each row
    whose target is the registration, or its attendance or certificate)."""
    return _newest_first(Activity.objects.filter(registration_id=registration.pk))


def history_of_session(session) -> QuerySet[Activity]:
    """The session's own changes and those of all its registrations (record_activity names
    the session on every registration row, from the registration)."""
    return _newest_first(Activity.objects.filter(session_id=session.pk))


def activities_of_person(person: User) -> QuerySet[Activity]:
    """What was recorded about `person` (their registrations, attendance, certificates) and
    what they did themself, for their personal-data export."""
    return _newest_first(Activity.objects.filter(Q(person=person) | Q(actor=person)))


def with_actor_roles(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate, in the same query, what each row's actor was to its record: staff of the
    session's provider, one of the session's trainers, a coordinator of the registration's
    district, an Alliance admin."""
    actor_roles = Role.objects.filter(user_id=OuterRef("actor_id"))
    trainers = Session.trainers.through.objects.filter(
        session_id=OuterRef("session_id"), user_id=OuterRef("actor_id")
    )
    return activities.annotate(
        actor_is_provider_staff=Exists(
            actor_roles.filter(
                kind=Role.Kind.PROVIDER_STAFF, provider_id=OuterRef("session__course__provider_id")
            )
        ),
        actor_is_trainer=Exists(trainers),
        actor_is_coordinator=Exists(
            actor_roles.filter(
                kind=Role.Kind.DISTRICT_COORDINATOR,
                district_id=OuterRef("registration__district_id"),
            )
        ),
        # A superuser counts too: presenters read actor.is_superuser from the joined row.
        actor_is_alliance_admin=Exists(actor_roles.filter(kind=Role.Kind.ALLIANCE_ADMIN)),
    )


def history_of_records(model: type[Model], ids: Iterable[int]) -> QuerySet[Activity]:
    """Everything recorded about these records of `model` (every version of an evaluation
    form, say), newest first: one query on the target index."""
    return _newest_first(
        Activity.objects.filter(
            target_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
            target_id__in=list(ids),
        )
    )

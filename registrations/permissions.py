"""Who may act on a registration."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import User
from organizations.permissions import can_coordinate_district, can_manage_provider, roles_of

from .models import Registration


def can_manage_session_registrations(user: User | AnonymousUser | None, session) -> bool:
    """Provider staff of the session's course (and Alliance admins)."""
    return can_manage_provider(user, session.course.provider_id)


def can_cancel(user: User | AnonymousUser | None, registration: Registration) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and (
            registration.person_id == user.pk
            or can_manage_session_registrations(user, registration.session)
            or can_coordinate_district(user, registration.district_id)
        )
    )


def can_decide(user: User | AnonymousUser | None, registration: Registration) -> bool:
    """Approve or decline: a coordinator of the registrant's district, the provider's staff, or
    an Alliance admin. Those asked to (selectors.approvers) are always among them; decide_scope
    is the same rule as a filter, for the queue at /approvals/."""
    return can_coordinate_district(
        user, registration.district_id
    ) or can_manage_session_registrations(user, registration.session)


def decide_scope(user: User | AnonymousUser | None) -> Q:
    """can_decide as a filter on registrations."""
    roles = roles_of(user)
    if roles.alliance_admin:
        return Q()
    return Q(district_id__in=roles.district_ids) | Q(
        session__course__provider_id__in=roles.provider_ids
    )

"""Who may act on a registration."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from organizations.permissions import can_coordinate_district, can_manage_provider

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
    """Approve or decline: the coordinator of the registrant's district, or provider staff."""
    return can_coordinate_district(
        user, registration.district_id
    ) or can_manage_session_registrations(user, registration.session)

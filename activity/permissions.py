"""Who may see which history (DESIGN.md: staff see a record's history on its page; a person
sees the history of their own registrations).

A registration's history: the registrant, the provider's staff (and Alliance admins), and the
coordinators of the registration's district: the people who may see the registration itself
(registrations.selectors.visible_registrations). A session's history: its provider's staff
and Alliance admins only, since it holds every registrant's changes.

How much of a history a viewer sees is `audience_of`: staff see who acted by name and email;
everyone else sees other people by role only (activity.presenters).
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from organizations.permissions import can_coordinate_district
from registrations.permissions import can_manage_session_registrations


class Audience(StrEnum):
    STAFF = "staff"  # names and emails of whoever acted
    REGISTRANT = "registrant"  # the registrant themself: others by role
    COORDINATOR = "coordinator"  # the district's coordinator: others by role


def can_see_registration_history(user: User | AnonymousUser | None, registration) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and (
            registration.person_id == user.pk
            or can_manage_session_registrations(user, registration.session)
            or can_coordinate_district(user, registration.district_id)
        )
    )


def can_see_session_history(user: User | AnonymousUser | None, session) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and can_manage_session_registrations(user, session)
    )


def audience_of(user: User, registration) -> Audience:
    """How `user` (who may see `registration`'s history) sees it. Staff rank first: a staff
    member looking at their own registration still sees names."""
    if can_manage_session_registrations(user, registration.session):
        return Audience.STAFF
    if registration.person_id == user.pk:
        return Audience.REGISTRANT
    return Audience.COORDINATOR

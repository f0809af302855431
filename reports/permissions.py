"""Who may see which reach figures. Plain predicates; the page, the API and the exports call these.

Alliance admins see every provider (and the Alliance-wide totals); provider staff see their
providers' figures; district coordinators see their districts' staff and headcounts across all
providers. Educators and trainers see no reports.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import User
from organizations.permissions import roles_of


def can_see_reports(user: User | AnonymousUser | None) -> bool:
    roles = roles_of(user)
    return roles.is_provider_staff or roles.is_coordinator


def report_scope_for(
    user: User | AnonymousUser | None,
) -> tuple[frozenset[int] | None, frozenset[int] | None]:
    """(provider_ids, district_ids) that bound every report `user` sees; None means no bound.

    Alliance admins: (None, None). Provider staff: (their providers, None), whatever other role
    they hold. District coordinators: (None, their districts). Anyone else: PermissionDenied.
    """
    roles = roles_of(user)
    if roles.alliance_admin:
        return None, None
    if roles.provider_ids:
        return roles.provider_ids, None
    if roles.district_ids:
        return None, roles.district_ids
    raise PermissionDenied("Reports are for provider staff and district coordinators.")

"""Who sees which evaluation results (DESIGN.md, Evaluations). Plain predicates."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.models import User
from courses.models import Session
from organizations.permissions import roles_of

from .selectors import visible_sessions


def results_visibility(user: User | AnonymousUser | None) -> Q | None:
    """The sessions whose results `user` sees (None: all, for Alliance admins): staff their
    providers', trainers the sessions they train. PermissionDenied for anyone else."""
    roles = roles_of(user)
    if roles.alliance_admin:
        return None
    trains = (
        user is not None
        and user.is_authenticated
        and (Session.trainers.through.objects.filter(user_id=user.pk).exists())
    )
    if not roles.provider_ids and not trains:
        raise PermissionDenied("Evaluation results are for trainers and provider staff.")
    return visible_sessions(alliance_admin=False, provider_ids=roles.provider_ids, user_id=user.pk)


def can_see_results(user: User | AnonymousUser | None) -> bool:
    try:
        results_visibility(user)
    except PermissionDenied:
        return False
    return True

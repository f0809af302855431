from django.utils.functional import SimpleLazyObject

from .permissions import roles_of


def roles(request) -> dict:
    """`roles` and `trains` (leads any session) in every template, each read only when a
    template asks (one query each)."""
    user = getattr(request, "user", None)
    return {
        "roles": SimpleLazyObject(lambda: roles_of(user)),
        "trains": SimpleLazyObject(
            lambda: bool(user and user.is_authenticated and user.trained_sessions.exists())
        ),
    }

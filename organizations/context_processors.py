from django.utils.functional import SimpleLazyObject

from .permissions import roles_of


def roles(request) -> dict:
    """`roles` in every template, read only when a template asks (one query per request)."""
    return {"roles": SimpleLazyObject(lambda: roles_of(getattr(request, "user", None)))}

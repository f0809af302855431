from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .permissions import roles_of

# Paths a signed-in person may open before completing their profile.
_OPEN_PREFIXES = (
    "/accounts/",
    "/profile/",
    "/static/",
    "/api/",
    "/admin/",
    "/healthz",
    "/calendar/",
    "/registrations/release/",
    "/me/data",
    "/me/delete/",
    "/me/api-token/",
)


class ProfileCompletionMiddleware:
    """Send a signed-in educator with no completed profile to the profile form first.

    Provider staff, Alliance admins and the trainers of sessions work for a RESC, not a
    district, so they are not asked (they are when they register for a session themselves).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.method == "GET"
            and not request.path.startswith(_OPEN_PREFIXES)
            and not _profile_complete(user)
            and not roles_of(user).is_provider_staff
            and not user.trained_sessions.exists()
        ):
            target = reverse("organizations:profile")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _profile_complete(user) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.is_complete

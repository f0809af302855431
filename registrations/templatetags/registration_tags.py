"""The register / waitlist / cancel panel of a session page (the catalog sits below
registrations, so its template asks for the panel by tag instead of importing this app)."""

from django import template
from django.utils import timezone

from ..forms import RegisterForm
from ..selectors import active_registration
from ..services import waitlist_position

register = template.Library()


@register.inclusion_tag("registrations/_session_panel.html", takes_context=True)
def registration_panel(context, session) -> dict:
    request = context["request"]
    registration = active_registration(request.user, session)
    now = timezone.now()
    is_open = (session.registration_opens_at is None or session.registration_opens_at <= now) and (
        now < session.registration_closes_at
    )
    return {
        "is_open": is_open,
        "request": request,
        "user": request.user,
        "session": session,
        "registration": registration,
        "position": waitlist_position(registration) if registration else None,
        "form": RegisterForm(),
        "csrf_token": context.get("csrf_token"),
    }

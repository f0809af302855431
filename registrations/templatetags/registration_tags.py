"""The register / waitlist / cancel panel of a session page (the catalog sits below
registrations, so its template asks for the panel by tag instead of importing this app)."""

from django import template
from django.utils import timezone

from organizations.selectors import district_is_verified

from ..forms import RegisterForm
from ..selectors import active_registration
from ..services import is_member_district, waitlist_position

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


@register.inclusion_tag("registrations/_price_note.html", takes_context=True)
def price_note(context, session) -> dict:
    """Next to a session's price, for a signed-in person whose district is not verified: what
    they would pay and that it waits for their district's approval."""
    user = context["request"].user
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if session.is_free or profile is None or profile.district is None:
        return {}
    if district_is_verified(user):
        return {}
    member = is_member_district(profile.district)
    return {
        "district": profile.district,
        "member_priced": member
        and session.price_for(member=True) < session.price_for(member=False),
        "price": session.price_for(member=member),
    }

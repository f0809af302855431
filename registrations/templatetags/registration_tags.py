"""The register / waitlist / cancel panel of a session page (the catalog sits below
registrations, so its template asks for the panel by tag instead of importing this app)."""

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from organizations.selectors import district_is_verified

from ..forms import RegisterForm
from ..selectors import active_registration, waitlist_position
from ..services import is_member_district

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


def _unbroken(text: str) -> str:
    return f'<span class="nowrap">{text}</span>' if text else ""


@register.filter
def unbroken(value) -> str:
    """Each whitespace-separated word of `value` in a span that never wraps inside, so that a
    narrow table cell wraps between words only, never at a hyphen ("Montgomery-Fitzgerald",
    "PO-2026-00417")."""
    words = str(conditional_escape(value)).split()
    return mark_safe(" ".join(_unbroken(word) for word in words))  # noqa: S308 - escaped above


@register.filter
def email_breaks(email: str) -> str:
    """An email address that may wrap only after its "@" and before its dots (<wbr>), never
    inside a part (nor at a hyphen): long addresses fit a narrow column without breaking
    anywhere else."""
    escaped = str(conditional_escape(email))
    local, at, domain = escaped.partition("@")
    parts = local.split(".")
    pieces = [parts[0]] + [f".{part}" for part in parts[1:]]
    pieces[-1] += at
    if domain:
        labels = domain.split(".")
        pieces += [labels[0]] + [f".{label}" for label in labels[1:]]
    return mark_safe("<wbr>".join(_unbroken(piece) for piece in pieces))  # noqa: S308

"""What a registration's card on /me/ says of its evaluation (registrations sits below
evaluations, so its template asks for it by tag instead of importing this app). Reads only the
related rows my_registrations selects, so /me/ costs the same queries for any number of cards."""

import datetime as dt

from django import template
from django.utils import timezone

from ..models import CHANGE_DAYS

register = template.Library()


@register.inclusion_tag("evaluations/_me_prompt.html")
def evaluation_prompt(registration) -> dict:
    asked = getattr(registration, "evaluation_request", None)
    if asked is None or asked.waived_at is not None:
        return {"state": None}
    evaluation = getattr(registration, "evaluation", None)
    certificate = getattr(registration, "certificate", None)
    context = {"registration": registration, "session": registration.session}
    if evaluation is None:
        held = registration.session.evaluation_required and not (
            certificate is not None and certificate.is_valid
        )
        return context | {"state": "open", "held": held}
    closes_at = evaluation.submitted_at + dt.timedelta(days=CHANGE_DAYS)
    if timezone.now() <= closes_at:
        return context | {"state": "changeable", "closes_at": closes_at}
    return context | {"state": "done"}

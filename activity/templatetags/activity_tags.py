"""A session's latest history at the bottom of the staff registrations page (registrations
sits below activity's pages, so its template asks for the section by tag instead of its view
loading it)."""

from django import template
from django.urls import reverse

from ..permissions import Audience, can_see_session_history
from ..presenters import present
from ..selectors import history_of_session

register = template.Library()

LATEST = 50


@register.inclusion_tag("activity/_history.html", takes_context=True)
def session_history(context, session) -> dict:
    """The latest LATEST changes of `session` and its registrations, with a link to the rest.
    Shows nothing to anyone who may not see the session's history."""
    user = context["request"].user
    if not can_see_session_history(user, session):
        return {"hidden": True}
    rows = list(history_of_session(session)[: LATEST + 1])
    more = len(rows) > LATEST
    return {
        "entries": present(rows[:LATEST], audience=Audience.STAFF, viewer=user),
        "heading": "History",
        "heading_id": "history-h",
        "show_subject": True,
        "more_url": reverse("activity:session_history", kwargs={"pk": session.pk}) if more else "",
        "empty": "No changes recorded yet.",
    }

"""History pages: a registrant's own registration, and provider staff's view of one
registration and of a session's whole history.

Like the other /staff/ pages: signed-in people who are no provider's staff get 403, staff of
another provider 404. A registration that is not the person's own is a 404 on /me/ (never a
403, which would confirm that it exists).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from courses.models import Session
from courses.selectors import session_details
from evaluations.selectors import evaluation_state
from organizations.permissions import roles_of
from registrations.models import Registration
from registrations.selectors import (
    registrations_with_sessions,
    waitlist_position,
    with_seat_counts,
)

from .permissions import Audience, can_see_session_history
from .presenters import present
from .selectors import history_of_registration, history_of_session, with_actor_roles

HISTORY_PAGE_SIZE = 50


@login_required
@require_GET
def my_registration(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(
        registrations_with_sessions(Registration.objects.filter(person=request.user)), pk=pk
    )
    history = with_actor_roles(history_of_registration(registration))
    context = {
        "registration": registration,
        "position": waitlist_position(registration),
        "entries": present(history, audience=Audience.REGISTRANT, viewer=request.user),
    }
    return render(request, "activity/my_registration.html", context)


def _staff_session(request: HttpRequest, pk: int) -> Session:
    """A session the user manages: 403 for anyone who manages none, 404 for another's."""
    if not roles_of(request.user).is_provider_staff:
        raise PermissionDenied
    session = get_object_or_404(
        session_details(Session.objects.all(), seats=with_seat_counts), pk=pk
    )
    if not can_see_session_history(request.user, session):
        raise Http404
    return session


@login_required
@require_GET
def staff_registration(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    session = _staff_session(request, pk)
    registration = get_object_or_404(
        Registration.objects.select_related(
            "person", "district", "school", "created_by", "decided_by", "cancelled_by"
        ),
        pk=registration_pk,
        session=session,
    )
    history = history_of_registration(registration)
    context = {
        "session": session,
        "registration": registration,
        "position": waitlist_position(registration),
        "entries": present(history, audience=Audience.STAFF, viewer=request.user),
        "evaluation": evaluation_state(registration),
    }
    return render(request, "activity/staff_registration.html", context)


@login_required
@require_GET
def session_history(request: HttpRequest, pk: int) -> HttpResponse:
    session = _staff_session(request, pk)
    page = Paginator(history_of_session(session), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "session": session,
        "page": page,
        "entries": present(page.object_list, audience=Audience.STAFF, viewer=request.user),
    }
    return render(request, "activity/session_history.html", context)

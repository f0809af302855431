"""The trainer's pages (their sessions, a meeting's roster, the check-in code) and the
registrant's self check-in.

Only a session's trainers and its provider's staff see a roster; anyone else gets 404, so
session ids reveal nothing. Rules live in attendance.services and registrations.services;
these views translate HTTP and show the services' messages.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from courses.models import Meeting, Session
from evaluations.permissions import can_see_results
from pd_platform.ratelimit import rate_limit
from registrations.services import register_walk_in

from . import roster as selectors
from .forms import CheckInCodeForm, HeadcountForm, RosterForm, WalkInForm
from .models import Attendance, Headcount
from .permissions import can_take_attendance
from .qr import qr_svg
from .services import (
    EARLY,
    check_in,
    check_in_code_for,
    delete_headcount,
    mark_all_present,
    record_attendance,
    record_headcount,
    rotate_check_in_code,
)


def _session_or_404(user: User, pk: int) -> Session:
    try:
        session = selectors.session_for_roster(pk)
    except Session.DoesNotExist as error:
        raise Http404 from error
    if not can_take_attendance(user, session):
        raise Http404
    return session


def _meeting_or_404(user: User, pk: int) -> Meeting:
    try:
        meeting = selectors.meeting_for_roster(pk)
    except Meeting.DoesNotExist as error:
        raise Http404 from error
    if not can_take_attendance(user, meeting.session):
        raise Http404
    return meeting


def _roster_url(meeting: Meeting, *, query: str = "", anchor: str = "") -> str:
    """The roster of `meeting`, filtered by `query`, opened at the element `anchor`."""
    params = {"meeting": meeting.pk} | ({"q": query} if query else {})
    url = f"{reverse('attendance:roster', args=[meeting.session_id])}?{urlencode(params)}"
    return f"{url}#{anchor}" if anchor else url


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# The trainer's sessions ----------------------------------------------------------------------


@login_required
@require_GET
def trainer_home(request: HttpRequest) -> HttpResponse:
    groups = selectors.trainer_sessions(request.user)
    context = {"groups": groups, "can_see_results": can_see_results(request.user)}
    return render(request, "attendance/trainer_home.html", context)


# The roster ----------------------------------------------------------------------------------


def _render_roster(
    request: HttpRequest,
    session: Session,
    meeting_id: int | None,
    *,
    form: RosterForm | None = None,
    headcount_form: HeadcountForm | None = None,
    walk_in_form: WalkInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    query = _query_param(request)
    try:
        page = selectors.roster(
            session=session, user=request.user, meeting_id=meeting_id, query=query
        )
    except Meeting.DoesNotExist as error:
        raise Http404("This session has no such meeting.") from error
    if form is None:
        form = RosterForm(None, meeting=page.meeting, registrations=page.shown)
    context = {
        "page": page,
        "form": form,
        "headcount_form": headcount_form or HeadcountForm(),
        "walk_in_form": walk_in_form or WalkInForm(),
        "statuses": Attendance.Status.choices,
    }
    return render(request, "attendance/roster.html", context, status=status)


def _query_param(request: HttpRequest) -> str:
    """The name filter (`?q=`), trimmed to a length a name can have."""
    return " ".join(request.GET.get("q", "").split())[:100]


def _meeting_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("meeting", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None  # ids fit in 64 bits


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows one meeting's roster; POST saves the statuses chosen on it, all or none."""
    session = _session_or_404(request.user, pk)
    if request.method != "POST":
        return _render_roster(request, session, _meeting_param(request))
    meeting = get_object_or_404(session.meetings, pk=_meeting_param(request) or 0)
    registrations = list(selectors.roster_registrations(meeting))
    form = RosterForm(request.POST, meeting=meeting, registrations=registrations)
    # The page opens again at the person the trainer was at, not at the top.
    back = _roster_url(
        meeting, query=_query_param(request), anchor=form.anchor(request.POST.get("at", ""))
    )
    if form.is_valid():
        if not form.entries:
            messages.info(request, "Nothing to save: choose a status for at least one person.")
            return redirect(back)
        try:
            record_attendance(session=session, entries=form.entries, by=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_service_errors(error.messages)
        else:
            count = len(form.entries)
            messages.success(request, f"Saved attendance for {count} {_people(count)}.")
            return redirect(back)
    return _render_roster(request, session, meeting.pk, form=form, status=400)


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


@login_required
@require_POST
def mark_present(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request.user, meeting_pk)
    try:
        count = mark_all_present(meeting=meeting, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        if count:
            messages.success(request, f"Marked {count} {_people(count)} present.")
        else:
            messages.info(request, "Everyone on the roster is already marked.")
    return redirect(_roster_url(meeting, anchor="attendance-heading"))


# The same answer whatever the address: the page never tells whether it has an account.
WALK_IN_ANSWER = (
    "If that address belongs to an educator with a complete profile, they are now on the roster "
    "and have been emailed. Otherwise ask them to sign up and register on the session page."
)


@login_required
@require_POST
@rate_limit("register")
def walk_in(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """Add someone who turned up without a seat, by the email of their account, while the
    meeting's check-in is open (registrations.services.register_walk_in)."""
    meeting = _meeting_or_404(request.user, meeting_pk)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            register_walk_in(email=form.cleaned_data["email"], meeting=meeting, by=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.info(request, WALK_IN_ANSWER)
            return redirect(_roster_url(meeting))
    return _render_roster(request, meeting.session, meeting.pk, walk_in_form=form, status=400)


@login_required
@require_POST
def add_headcount(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request.user, meeting_pk)
    form = HeadcountForm(request.POST)
    if form.is_valid():
        try:
            headcount = record_headcount(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            audience = headcount.get_audience_display().lower()
            messages.success(request, f"Counted {headcount.count} {audience}.")
            return redirect(_roster_url(meeting))
    return _render_roster(request, meeting.session, meeting.pk, headcount_form=form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def remove_headcount(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first (which headcount, of which meeting); POST deletes it."""
    headcount = get_object_or_404(
        Headcount.objects.select_related("meeting__session__course__provider", "district"), pk=pk
    )
    meeting = headcount.meeting
    if not can_take_attendance(request.user, meeting.session):
        raise Http404
    if request.method != "POST":
        context = {"headcount": headcount, "meeting": meeting, "roster_url": _roster_url(meeting)}
        return render(request, "attendance/remove_headcount.html", context)
    try:
        delete_headcount(headcount=headcount, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, "The headcount is deleted.")
    return redirect(_roster_url(meeting))


# The check-in code, for trainers ---------------------------------------------------------------


def _check_in_url(code: str) -> str:
    return settings.SITE_URL + reverse("attendance:check_in", args=[code])


@login_required
@require_GET
def check_in_code(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request.user, meeting_pk)
    code = check_in_code_for(meeting)
    url = _check_in_url(code.code)
    qr = qr_svg(url, label=f"QR code for the check-in link {url}")
    context = {
        "meeting": meeting,
        "code": code,
        "url": url,
        "type_url": settings.SITE_URL + reverse("attendance:check_in_by_code"),
        "qr": mark_safe(qr),  # noqa: S308 - segno output with an escaped label (qr.py)
        "opens_at": meeting.starts_at - EARLY,
        "roster_url": _roster_url(meeting),
    }
    return render(request, "attendance/check_in_code.html", context)


@login_required
@require_POST
def rotate_code(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request.user, meeting_pk)
    code = rotate_check_in_code(meeting=meeting, by=request.user)
    messages.success(
        request, f"The new check-in code is {code.display}. The old code no longer works."
    )
    return redirect("attendance:check_in_code", meeting_pk=meeting.pk)


# Self check-in, for registrants -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("checkin", methods=("GET", "HEAD", "POST"))
def check_in_view(request: HttpRequest, code: str) -> HttpResponse:
    """GET shows the meeting and a button; POST checks the signed-in person in."""
    target = selectors.check_in_target(code)
    if target is None:
        return render(
            request,
            "attendance/check_in.html",
            {"error": "This check-in code is not valid. Check it with your trainer."},
            status=404,
        )
    meeting = target.meeting
    if request.method == "POST":
        try:
            check_in(code=target.code, person=request.user)
        except ValidationError as error:
            status = 404 if error.code == "unknown" else 400
            context = {"meeting": meeting, "error": " ".join(error.messages)}
            return render(request, "attendance/check_in.html", context, status=status)
        # The page now says "You are checked in" (or what the trainer recorded instead).
        return redirect("attendance:check_in", code=target.code)
    attendance = selectors.own_attendance(person=request.user, meeting=meeting)
    context = {"meeting": meeting, "attendance": attendance, "opens_at": meeting.starts_at - EARLY}
    return render(request, "attendance/check_in.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("checkin", methods=("POST",))
def check_in_by_code(request: HttpRequest) -> HttpResponse:
    """The code typed instead of scanned: POST checks the signed-in person in exactly like
    /checkin/<code>/ (same service, messages and rate limit, counted together), then shows
    that page, which says they are checked in."""
    form = CheckInCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            check_in(code=code, person=request.user)
        except ValidationError as error:
            form.add_error("code", error.messages)
        else:
            return redirect("attendance:check_in", code=code)
    status = 400 if form.is_bound else 200
    return render(request, "attendance/check_in_by_code.html", {"form": form}, status=status)

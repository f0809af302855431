from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from activity.services import EMAILED_LINK
from attendance.selectors import has_meeting_left_today
from courses.models import Session
from courses.selectors import public_sessions
from organizations.permissions import roles_of
from pd_platform.ratelimit import rate_limit

from . import ics
from .forms import DeclineForm, GroupRegistrationForm, RegisterForm, TransferForm
from .models import CalendarFeed, Invitation, Registration
from .notifications import RELEASE_SALT
from .permissions import can_cancel
from .selectors import (
    approval_queue,
    cancellation_preview,
    group_choices,
    has_started,
    my_registrations,
    registrations_with_sessions,
    visible_registrations,
)
from .services import (
    COLLEAGUE_CANNOT_TAKE_SEAT,
    accept_invitation,
    approve_registration,
    calendar_feed_of,
    cancel_registration,
    decline_registration,
    register,
    register_group,
    reset_calendar_feed,
    transfer_registration,
)


@login_required
@require_POST
@rate_limit("register")
def register_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(public_sessions(), pk=pk)
    form = RegisterForm(request.POST, session=session)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(session)
    try:
        result = register(person=request.user, session=session, **form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(session)
    registration = result.registration
    if not result.created:
        messages.info(
            request, f"You are already registered ({registration.get_status_display().lower()})."
        )
    else:
        messages.success(request, _REGISTERED[registration.status])
    return redirect(session)


_REGISTERED = {
    Registration.Status.CONFIRMED: "You are registered. A confirmation with a calendar invite is on its way.",
    Registration.Status.WAITLISTED: "The session is full: you are on the waitlist and will be emailed if a seat opens.",
    Registration.Status.PENDING: "Your request is sent to your district for approval. We will email you the decision.",
}


_CANCEL_NEXT = {"/me/"}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first (what cancelling does: the seat, the price, refunds); POST cancels."""
    registration = get_object_or_404(
        registrations_with_sessions(visible_registrations(request.user)), pk=pk
    )
    if not can_cancel(request.user, registration):
        raise Http404
    target = request.POST.get("next") or request.GET.get("next")
    back = target if target in _CANCEL_NEXT else registration.session.get_absolute_url()
    if request.method != "POST":
        preview = cancellation_preview(registration=registration, user=request.user)
        return render(request, "registrations/cancel.html", {"preview": preview, "back": back})
    try:
        cancel_registration(registration=registration, by=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Your registration for {registration.session} is cancelled.")
    return redirect(back)


def release_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a promotion email: confirm, then give the seat to the next person. The link
    acts as the registrant, with their limits: once the session has started it releases
    nothing."""
    try:
        registration_id = signing.loads(token, salt=RELEASE_SALT, max_age=60 * 60 * 24 * 60)
    except signing.BadSignature as error:
        raise Http404("This link is not valid.") from error
    registration = get_object_or_404(
        Registration.objects.select_related("session__course__provider", "person"),
        pk=registration_id,
    )
    if request.method == "POST":
        try:
            cancel_registration(registration=registration, by=registration.person, via=EMAILED_LINK)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Thank you: your seat is released and goes to the next person waiting."
            )
        return redirect(registration.session)
    started = has_started(registration.session)
    return render(
        request, "registrations/release.html", {"registration": registration, "started": started}
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    registrations = list(my_registrations(request.user))
    groups = {"upcoming": [], "waitlisted": [], "pending": [], "past": [], "ended": []}
    now = timezone.now()
    for registration in registrations:
        session = registration.session
        over = session.last_ends_at is not None and session.last_ends_at < now
        if not registration.is_active:
            groups["ended"].append(registration)
        elif over:
            groups["past"].append(registration)
        elif registration.status == Registration.Status.CONFIRMED:
            groups["upcoming"].append(registration)
        else:
            groups[registration.status].append(registration)
    check_in_today = [
        r for r in groups["upcoming"] if has_meeting_left_today(r.session.meetings.all(), now=now)
    ]
    feed = calendar_feed_of(person=request.user)
    context = {"groups": groups, "feed": feed, "check_in_today": check_in_today}
    return render(request, "registrations/me.html", context)


@login_required
@require_POST
def reset_feed(request: HttpRequest) -> HttpResponse:
    reset_calendar_feed(person=request.user)
    messages.success(request, "Your calendar feed has a new address; the old one no longer works.")
    return redirect("registrations:me")


def session_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(public_sessions().prefetch_related("meetings"), pk=pk)
    return _ics_response(ics.session_calendar([session]), f"session-{session.pk}.ics")


def _issued_token(token: str) -> str:
    """`token` if it could be one we issued (secrets.token_urlsafe), else 404: any other
    matches no row, and one with a NUL character would be a database error on PostgreSQL."""
    if not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        raise Http404
    return token


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed, token=_issued_token(token))
    sessions = (
        Session.objects.filter(
            registrations__person_id=feed.person_id,
            registrations__status=Registration.Status.CONFIRMED,
        )
        .select_related("course__provider", "venue")
        .prefetch_related("meetings")
        .distinct()
    )
    # A private feed of the person's confirmed sessions: their meeting links belong in it.
    return _ics_response(ics.session_calendar(sessions, with_link=True), "pd-sessions.ics")


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    if not (roles.is_coordinator or roles.is_provider_staff):
        raise PermissionDenied
    return render(
        request,
        "registrations/approvals.html",
        {"queue": approval_queue(request.user), "decline_form": DeclineForm()},
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(approval_queue(request.user), pk=pk)
    try:
        if request.POST.get("decision") == "approve":
            registration = approve_registration(registration=registration, by=request.user)
            messages.success(
                request,
                f"Approved {registration.person}: {registration.get_status_display().lower()}.",
            )
        else:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request, "Please give a reason for declining (under 500 characters)."
                )
                return redirect("registrations:approvals")
            decline_registration(
                registration=registration, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request, f"Declined {registration.person}; they are emailed the reason."
            )
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("registrations:approvals")


@login_required
@rate_limit("group")
def group_registration(request: HttpRequest) -> HttpResponse:
    """A coordinator registers several people of their district, or provider staff people of
    a district they name, for one session; the page reports each outcome."""
    roles = roles_of(request.user)
    if not (roles.district_ids or roles.is_provider_staff):
        raise PermissionDenied
    choices = group_choices(request.user)
    form = GroupRegistrationForm(
        request.POST if request.method == "POST" else None,
        sessions=choices.sessions,
        people=choices.people,
        districts=choices.districts,
        district_required=not choices.coordinator,
    )
    outcomes = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcomes = register_group(
                session=data["session"],
                by=request.user,
                district=data["district"],
                people=data["people"],
                emails=data["emails"],
                payer=data["payer"],
                purchase_order=data["purchase_order"],
            )
        except PermissionDenied:
            form.add_error("session", "You cannot register people for that session.")
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "registrations/group.html",
        {
            "form": form,
            "outcomes": outcomes,
            "coordinator": choices.coordinator,
            "choose_district": not choices.coordinator or choices.districts.count() > 1,
        },
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("session__course", "district", "invited_by"),
        token=_issued_token(token),
    )
    if not request.user.is_authenticated:
        return render(request, "registrations/invitation.html", {"invitation": invitation})
    if request.user.email.lower() != invitation.email.lower():
        messages.error(request, "This invitation was sent to another email address.")
        return render(
            request, "registrations/invitation.html", {"invitation": invitation}, status=403
        )
    if request.method == "POST":
        try:
            result = accept_invitation(invitation=invitation, person=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(
            request, _REGISTERED.get(result.registration.status, "You are registered.")
        )
        return redirect(invitation.session)
    return render(request, "registrations/invitation.html", {"invitation": invitation})


@login_required
@require_POST
@rate_limit("transfer")
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(visible_registrations(request.user), pk=pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("email", ["Enter an email address."])))
        return redirect("registrations:me")
    colleague = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
    try:
        if colleague is None:
            # The same answer as for an account that cannot take the seat.
            raise ValidationError(COLLEAGUE_CANNOT_TAKE_SEAT)
        taken = transfer_registration(
            registration=registration, to_person=colleague, by=request.user
        )
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if taken.status == Registration.Status.PENDING:
            messages.success(
                request,
                f"Your seat in {registration.session} goes to {colleague.get_full_name()} once "
                "their district approves; until then it stays yours.",
            )
        else:
            messages.success(
                request,
                f"Your seat in {registration.session} now belongs to {colleague.get_full_name()}.",
            )
    return redirect("registrations:me")

"""Provider staff's registration tools: their sessions, a session's registrations (cancel,
promote by hand, move, capacity), the roster CSV and the billing CSV.

Every page is scoped by role first: provider staff see their providers' sessions, Alliance
admins every provider's; anyone else signed in gets 403, a session of another provider 404.
Rules live in registrations.services; these views translate HTTP and show its messages.
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from courses.dates import fiscal_year_bounds, fiscal_year_of, local_day_range, today
from courses.models import Session
from courses.selectors import session_details, with_schedule
from organizations.models import Provider
from organizations.permissions import managed_provider_ids, roles_of
from pd_platform.downloads import csv_lines, csv_response

from . import exports
from .models import Registration
from .selectors import with_seat_counts
from .services import cancel_registration, change_capacity, move_registration, promote_by_hand

Status = Registration.Status
SESSIONS_PER_PAGE = 25
EXPORT_CHUNK_SIZE = 500
# Dates outside these years are typos; they would also overflow the local-day arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100


# Scoping -----------------------------------------------------------------------------------


def _require_staff(user: User) -> None:
    if not roles_of(user).is_provider_staff:
        raise PermissionDenied


def _managed_sessions(user: User) -> QuerySet[Session]:
    """Sessions of the providers `user` manages; 403 for anyone who manages none."""
    _require_staff(user)
    provider_ids = managed_provider_ids(user)
    sessions = Session.objects.all()
    if provider_ids is not None:
        sessions = sessions.filter(course__provider_id__in=provider_ids)
    return sessions


def _managed_providers(user: User) -> QuerySet[Provider]:
    provider_ids = managed_provider_ids(user)
    providers = Provider.objects.order_by("short_name")
    return providers if provider_ids is None else providers.filter(pk__in=provider_ids)


def _session_registrations(session: Session) -> QuerySet[Registration]:
    """Active registrations: confirmed, then the waitlist in line order, then pending."""
    group = Case(
        When(status=Status.CONFIRMED, then=Value(0)),
        When(status=Status.WAITLISTED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Registration.objects.filter(session=session, status__in=Registration.ACTIVE)
        .select_related("person", "district", "school")
        .order_by(group, "queued_at", "pk")
    )


# Session list ------------------------------------------------------------------------------


class SessionFilterForm(forms.Form):
    q = forms.CharField(label="Course title contains", required=False, max_length=200)
    when = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Upcoming, then past"), ("upcoming", "Upcoming only"), ("past", "Past only")],
    )


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """The staff member's sessions: upcoming (soonest first), then past (latest first).

    A session is past once its last meeting ended; one without meetings counts as upcoming.
    """
    sessions = session_details(_managed_sessions(request.user), seats=with_seat_counts)
    form = SessionFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    if q := filters.get("q", "").strip():
        sessions = sessions.filter(course__title__icontains=q)
    now = timezone.now()
    sessions = sessions.annotate(
        is_past=Case(When(last_ends_at__lt=now, then=Value(1)), default=Value(0))
    )
    if filters.get("when") == "upcoming":
        sessions = sessions.filter(is_past=0)
    elif filters.get("when") == "past":
        sessions = sessions.filter(is_past=1)
    sessions = sessions.order_by(
        "is_past",
        Case(When(is_past=0, then=F("first_starts_at"))).asc(nulls_last=True),
        F("first_starts_at").desc(nulls_last=True),
        "pk",
    )
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "registrations/staff/session_list.html", {"form": form, "page": page})


# A session's registrations -----------------------------------------------------------------


@login_required
@require_GET
def session_registrations(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        session_details(_managed_sessions(request.user), seats=with_seat_counts), pk=pk
    )
    groups: dict[str, list[Registration]] = {s: [] for s in Status.values}
    for registration in _session_registrations(session):
        groups[registration.status].append(registration)
    for position, registration in enumerate(groups[Status.WAITLISTED], start=1):
        registration.waitlist_position = position
    move_targets = (
        with_seat_counts(
            with_schedule(
                Session.objects.filter(course_id=session.course_id, status=Session.Status.SCHEDULED)
            )
        )
        .exclude(pk=session.pk)
        .filter(first_starts_at__gt=timezone.now())
        .order_by("first_starts_at", "pk")
    )
    context = {
        "session": session,
        "confirmed": groups[Status.CONFIRMED],
        "waitlisted": groups[Status.WAITLISTED],
        "pending": groups[Status.PENDING],
        "move_targets": list(move_targets),
    }
    return render(request, "registrations/staff/session_registrations.html", context)


def _back(session_pk: int) -> HttpResponse:
    # 303: the browser follows with GET, so reloading the page never repeats the action.
    response = redirect("staff:session_registrations", pk=session_pk)
    response.status_code = 303
    return response


def _act(request: HttpRequest, session_pk: int, action, success: str) -> HttpResponse:
    """Run a service call and tell the person how it went, on the registrations page."""
    try:
        action()
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return _back(session_pk)


def _certificate_note(registration: Registration) -> str:
    """What staff are told when the registration they end held a valid certificate (the
    attendance wrappers revoke it)."""
    certificate = getattr(registration, "certificate", None)  # reverse one-to-one, may be absent
    if certificate is not None and certificate.is_valid:
        return " Their certificate for this session is revoked."
    return ""


def _registration_of(request: HttpRequest, pk: int, registration_pk: int) -> Registration:
    """A registration of a session the user manages; 404 when either is not theirs."""
    session = get_object_or_404(_managed_sessions(request.user), pk=pk)
    return get_object_or_404(
        Registration.objects.select_related("person"), pk=registration_pk, session=session
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    registration = _registration_of(request, pk, registration_pk)
    if not registration.is_active:
        messages.info(request, f"The registration of {registration.person} was already ended.")
        return _back(pk)
    return _act(
        request,
        pk,
        lambda: cancel_registration(registration=registration, by=request.user),
        f"Cancelled the registration of {registration.person}; they are emailed."
        + _certificate_note(registration),
    )


@login_required
@require_POST
def promote(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    registration = _registration_of(request, pk, registration_pk)
    return _act(
        request,
        pk,
        lambda: promote_by_hand(registration=registration, by=request.user),
        f"Confirmed {registration.person} from the waitlist; they are emailed.",
    )


@login_required
@require_POST
def move(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    registration = _registration_of(request, pk, registration_pk)
    target_pk = request.POST.get("to_session", "")
    target = (
        _managed_sessions(request.user).select_related("course").filter(pk=target_pk).first()
        if target_pk.isascii() and target_pk.isdigit()
        else None
    )
    if target is None:
        messages.error(request, "Choose one of the listed sessions to move the person to.")
        return _back(pk)
    moved: list[Registration] = []
    response = _act(
        request,
        pk,
        lambda: moved.append(
            move_registration(registration=registration, to_session=target, by=request.user)
        ),
        f"Moved {registration.person} to {target} ({target.pk})." + _certificate_note(registration),
    )
    if moved and moved[0].status == Status.WAITLISTED:
        messages.info(request, f"That session is full: {registration.person} is on its waitlist.")
    return response


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label="Capacity", min_value=0, max_value=100_000)


@login_required
@require_POST
def capacity(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(_managed_sessions(request.user), pk=pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the capacity as a whole number from 0 to 100,000.")
        return _back(pk)
    seats = form.cleaned_data["capacity"]
    return _act(
        request,
        pk,
        lambda: change_capacity(session=session, capacity=seats, by=request.user),
        f"Capacity is now {seats}; the waitlist was promoted into any free seats.",
    )


@login_required
@require_GET
def roster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(_managed_sessions(request.user), pk=pk)
    rows = exports.roster_rows(_session_registrations(session))
    return csv_response("".join(csv_lines(rows)), f"session-{session.pk}-roster.csv")


# Billing -----------------------------------------------------------------------------------


def _year_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )


class BillingForm(forms.Form):
    start = _year_field("First session date")
    end = _year_field("Last session date")
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Provider.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All my providers",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if _with_provider_column(user):
            self.fields["provider"].queryset = _managed_providers(user)
        else:
            del self.fields["provider"]

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            day = data.get(name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")
                data.pop(name, None)
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The last date must be on or after the first date.")
        return data


def _billing_form(request: HttpRequest) -> BillingForm:
    """Bound to the query string; with no dates, to the current fiscal year."""
    data = request.GET.copy()
    if not data.get("start") and not data.get("end"):
        first, last = fiscal_year_bounds(fiscal_year_of(today()))
        data["start"], data["end"] = first.isoformat(), last.isoformat()
    return BillingForm(data, user=request.user)


def _billable(
    user: User, *, start: dt.date, end: dt.date, provider: Provider | None = None
) -> QuerySet[Registration]:
    """Confirmed registrations of sessions (not cancelled) of the user's providers whose first
    meeting's local date is in start..end, each with `session_first_starts_at`."""
    low, high = local_day_range(start, end)
    sessions = with_schedule(_managed_sessions(user).exclude(status=Session.Status.CANCELLED))
    if provider:
        sessions = sessions.filter(course__provider=provider)
    in_period = sessions.filter(first_starts_at__gte=low, first_starts_at__lt=high)
    first_start = with_schedule(Session.objects.filter(pk=OuterRef("session_id")))
    return (
        Registration.objects.filter(status=Status.CONFIRMED, session__in=in_period.values("pk"))
        .annotate(session_first_starts_at=Subquery(first_start.values("first_starts_at")[:1]))
        .select_related("person", "district", "session__course__provider")
        .order_by("session_first_starts_at", "session_id", "person__last_name", "pk")
    )


def _with_provider_column(user: User) -> bool:
    provider_ids = managed_provider_ids(user)
    return provider_ids is None or len(provider_ids) > 1


@login_required
@require_GET
def billing(request: HttpRequest) -> HttpResponse:
    """The billing form, with the count and total of the period chosen."""
    _require_staff(request.user)
    form = _billing_form(request)
    summary = None
    if form.is_valid():
        billable = _billable(request.user, **form.cleaned_data)
        summary = billable.order_by().aggregate(total=Sum("price"), count=Count("pk"))
    return render(
        request,
        "registrations/staff/billing.html",
        {
            "form": form,
            "summary": summary,
            "csv_url": f"{reverse('staff:billing_csv')}?{form.data.urlencode()}",
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_GET
def billing_csv(request: HttpRequest) -> HttpResponse:
    """One row per confirmed registration in the period, then TOTAL; streamed in chunks so
    a year of registrations costs constant memory."""
    _require_staff(request.user)
    form = BillingForm(request.GET, user=request.user)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(
            f"Bad billing period ({problems}). Use start=YYYY-MM-DD&end=YYYY-MM-DD.",
            content_type="text/plain; charset=utf-8",
        )
    data = form.cleaned_data
    registrations = _billable(request.user, **data).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    rows = exports.billing_rows(registrations, with_provider=_with_provider_column(request.user))
    scope = f"-{data['provider'].slug}" if data.get("provider") else ""
    return csv_response(
        csv_lines(rows),
        f"billing{scope}-{data['start']:%Y-%m-%d}-{data['end']:%Y-%m-%d}.csv",
    )

"""Query-string filters of the catalog API. Each validates its input (a bad value is a 400 per
field) and hands the work to courses.selectors."""

import datetime as dt

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet

from organizations.models import Provider
from organizations.permissions import managed_provider_ids
from registrations.selectors import with_seat_counts

from .dates import local_day_range
from .models import Audience, Course, Program, Session
from .selectors import CatalogFilters, catalog_courses

SESSION_LEVEL = ("format", "starts_after", "starts_before", "has_seats")
# Dates a catalog can mean. Beyond them the local day's bounds overflow Python's datetime
# (9999-12-31 has no next day), which was a 500 instead of a 400.
DATE_LIMITS = [MinValueValidator(dt.date(1900, 1, 1)), MaxValueValidator(dt.date(2999, 12, 31))]


def visible_courses(user) -> QuerySet[Course]:
    """Published courses, and every course of the providers `user` manages."""
    managed = managed_provider_ids(user)
    if managed is None:
        return Course.objects.all()
    if not managed:
        return Course.objects.filter(status=Course.Status.PUBLISHED)
    return Course.objects.filter(Q(status=Course.Status.PUBLISHED) | Q(provider_id__in=managed))


def visible_sessions(user) -> QuerySet[Session]:
    """Sessions of published courses, and every session of the providers `user` manages."""
    managed = managed_provider_ids(user)
    if managed is None:
        return Session.objects.all()
    if not managed:
        return Session.objects.filter(course__status=Course.Status.PUBLISHED)
    return Session.objects.filter(
        Q(course__status=Course.Status.PUBLISHED) | Q(course__provider_id__in=managed)
    )


def _courses_for_request(request) -> QuerySet[Course]:
    # Called with request=None while the schema is generated.
    return visible_courses(getattr(request, "user", None))


def _keep(queryset, name, value):
    """The filter only validates; CourseFilter.filter_queryset applies them all at once."""
    return queryset


class CourseFilter(django_filters.FilterSet):
    """Course-level filters narrow the courses; session-level ones (format, dates, seats) keep
    the courses with at least one upcoming scheduled session matching all of them together."""

    q = django_filters.CharFilter(
        method=_keep,
        max_length=200,
        help_text="Words in the title, summary, description or program, or in the venue, town "
        "or title of an upcoming session.",
    )
    provider = django_filters.ModelChoiceFilter(
        method=_keep,
        queryset=Provider.objects.all(),
        to_field_name="slug",
        help_text="Provider slug, e.g. `learn`.",
    )
    program = django_filters.ModelChoiceFilter(
        method=_keep,
        queryset=Program.objects.all(),
        to_field_name="slug",
        help_text="Program slug, e.g. `uplift`.",
    )
    audience = django_filters.ChoiceFilter(method=_keep, choices=Audience.choices)
    status = django_filters.ChoiceFilter(
        method=_keep,
        choices=Course.Status.choices,
        help_text="Draft and archived courses are visible to their provider's staff only.",
    )
    format = django_filters.ChoiceFilter(
        method=_keep,
        choices=Session.Format.choices,
        help_text="Courses with an upcoming session in this format.",
    )
    starts_after = django_filters.DateFilter(
        validators=DATE_LIMITS,
        method=_keep,
        help_text="Courses with an upcoming session starting on or after this local date "
        "(America/New_York), YYYY-MM-DD.",
    )
    starts_before = django_filters.DateFilter(
        validators=DATE_LIMITS,
        method=_keep,
        help_text="Courses with an upcoming session starting on or before this local date "
        "(America/New_York), YYYY-MM-DD.",
    )
    has_seats = django_filters.BooleanFilter(
        method=_keep, help_text="`true`: courses with an upcoming session that has a seat left."
    )

    class Meta:
        model = Course
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Course]) -> QuerySet[Course]:
        data = self.form.cleaned_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        filters = CatalogFilters(
            q=data.get("q") or "",
            provider=data.get("provider"),
            program=data.get("program"),
            format=data.get("format") or "",
            audience=data.get("audience") or "",
            starts_after=data.get("starts_after"),
            starts_before=data.get("starts_before"),
            has_seats=bool(data.get("has_seats")),
        )
        by_session = any(data.get(name) for name in SESSION_LEVEL)
        return catalog_courses(
            filters, courses=queryset, only_with_upcoming=by_session, seats=with_seat_counts
        )


class SessionFilter(django_filters.FilterSet):
    """Filters of the session list; expects the queryset of courses.selectors.session_details."""

    course = django_filters.ModelChoiceFilter(
        field_name="course",
        queryset=_courses_for_request,
        to_field_name="slug",
        help_text="Course slug.",
    )
    provider = django_filters.ModelChoiceFilter(
        field_name="course__provider",
        queryset=Provider.objects.all(),
        to_field_name="slug",
        help_text="Provider slug, e.g. `learn`.",
    )
    status = django_filters.ChoiceFilter(choices=Session.Status.choices)
    format = django_filters.ChoiceFilter(choices=Session.Format.choices)
    delivery = django_filters.ChoiceFilter(choices=Session.Delivery.choices)
    starts_after = django_filters.DateFilter(
        validators=DATE_LIMITS,
        method="filter_starts_after",
        help_text="First meeting on or after this local date (America/New_York), YYYY-MM-DD.",
    )
    starts_before = django_filters.DateFilter(
        validators=DATE_LIMITS,
        method="filter_starts_before",
        help_text="First meeting on or before this local date (America/New_York), YYYY-MM-DD.",
    )
    has_seats = django_filters.BooleanFilter(
        method="filter_has_seats", help_text="`true`: seats left; `false`: full."
    )

    class Meta:
        model = Session
        fields: list[str] = []

    def filter_starts_after(self, queryset, name, day):
        return queryset.filter(first_starts_at__gte=local_day_range(day, day)[0])

    def filter_starts_before(self, queryset, name, day):
        return queryset.filter(first_starts_at__lt=local_day_range(day, day)[1])

    def filter_has_seats(self, queryset, name, value: bool):
        return queryset.filter(seats_left__gt=0) if value else queryset.filter(seats_left=0)

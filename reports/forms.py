"""The reach report's filters, shared by the page, the API and the exports.

`ReachFilterForm(data, user=...)` takes query parameters (a QueryDict or a dict) and, once
valid, `.scope()` gives the ReachScope to report on, bounded by what `user` may see (see
reports.permissions). Bad input (unknown slug, a provider the user may not see, a malformed
year or date, start after end) becomes field errors; callers answer 400 and compute nothing.
"""

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from accounts.models import User
from courses.dates import fiscal_year_bounds, fiscal_year_of, today
from courses.forms import DateInput
from courses.models import Course, Program, Session
from organizations.models import Provider

from .permissions import report_scope_for
from .selectors import ReachScope

# The fiscal years offered: the next one (sessions are scheduled ahead) and ten before it.
YEARS_AHEAD, YEARS_BACK = 1, 9
# Dates outside these years are typos; they would also overflow the local-day arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100
ANY_DELIVERY = "any"
PERIOD_FIELDS = ("fiscal_year", "start", "end", "years")


def fiscal_year_choices(current: int | None = None) -> list[tuple[int, str]]:
    current = current or fiscal_year_of(today())
    years = range(current + YEARS_AHEAD, current - YEARS_BACK - 1, -1)
    return [(year, fiscal_year_label(year)) for year in years]


def fiscal_year_label(year: int) -> str:
    first, last = fiscal_year_bounds(year)
    return f"FY{year} ({first:%b %Y} to {last:%b %Y})"


def fiscal_year_field(current: int) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Fiscal year",
        choices=fiscal_year_choices(current),
        coerce=int,
        required=False,
        help_text="July 1 to June 30. Start and end dates, when given, replace it.",
        error_messages={"invalid_choice": "Choose one of the fiscal years in the list."},
    )


class ReportDateField(forms.DateField):
    widget = DateInput

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}.", code="out_of_range"
            )
        return day


class ReachFilterForm(forms.Form):
    """Period, provider, program, course and delivery of a reach report."""

    # The `fiscal_year` field is added in __init__: `fiscal_year()` is the method that answers
    # the period's fiscal year, and a class attribute of that name would hide the field.
    start = ReportDateField(
        label="Start date",
        required=False,
        help_text="Sessions whose first meeting is on or after this date.",
    )
    end = ReportDateField(
        label="End date",
        required=False,
        help_text="Sessions whose first meeting is on or before this date. With only one "
        "date, the other is the first or last day of its fiscal year.",
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        to_field_name="slug",
        required=False,
        error_messages={"invalid_choice": "Choose one of the providers in the list."},
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All programs",
        error_messages={"invalid_choice": "Choose one of the programs in the list."},
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All courses",
        error_messages={"invalid_choice": "Choose one of the courses in the list."},
    )
    delivery = forms.ChoiceField(
        choices=[(ANY_DELIVERY, "Direct and turnkey"), *Session.Delivery.choices],
        required=False,
        error_messages={"invalid_choice": "Choose direct, turnkey or both."},
    )

    def __init__(self, data=None, *, user: User, **kwargs) -> None:
        # PermissionDenied for people who see no reports, before anything else.
        self.provider_ids, self.district_ids = report_scope_for(user)
        self.current_year = fiscal_year_of(today())
        data = _with_defaults(data, self.default_values())
        super().__init__(data, **kwargs)
        self.fields = {"fiscal_year": fiscal_year_field(self.current_year), **self.fields}
        self.fields["provider"].queryset = self.allowed_providers()
        self.fields["provider"].empty_label = self._all_providers_label()
        self.fields["course"].queryset = self.allowed_courses()

    def default_values(self) -> dict[str, list[str]]:
        """Values used when a parameter is missing, put in the data so the page shows them."""
        return {"fiscal_year": [str(self.current_year)]}

    def allowed_providers(self) -> QuerySet[Provider]:
        providers = Provider.objects.order_by("short_name")
        if self.provider_ids is None:
            return providers
        return providers.filter(pk__in=self.provider_ids)

    def allowed_courses(self) -> QuerySet[Course]:
        courses = Course.objects.order_by("title", "pk")
        if self.provider_ids is None:
            return courses
        return courses.filter(provider_id__in=self.provider_ids)

    def _all_providers_label(self) -> str:
        if self.provider_ids is None:
            return "All providers (Alliance-wide)"
        return "All your providers" if len(self.provider_ids) > 1 else "Your provider"

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "Choose an end date on or after the start date.")
        return cleaned

    # Results -------------------------------------------------------------------------------

    @property
    def uses_dates(self) -> bool:
        return bool(self.cleaned_data.get("start") or self.cleaned_data.get("end"))

    def period(self) -> tuple[dt.date, dt.date]:
        """First and last local date of the chosen period, inclusive."""
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start or end:
            start = start or fiscal_year_bounds(fiscal_year_of(end))[0]
            end = end or fiscal_year_bounds(fiscal_year_of(start))[1]
            return start, end
        return fiscal_year_bounds(self.fiscal_year())

    def fiscal_year(self) -> int:
        """The chosen fiscal year; with dates, the fiscal year of the start of the period."""
        if self.uses_dates:
            data = self.cleaned_data
            return fiscal_year_of(data.get("start") or data["end"])
        return self.cleaned_data.get("fiscal_year") or self.current_year

    def scope(self, **overrides) -> ReachScope:
        """The ReachScope of the valid filters; `overrides` replace its fields (e.g. a period)."""
        if not self.is_valid():
            raise ValueError("The reach filters are not valid; see form.errors.")
        data = self.cleaned_data
        provider, program, course = data.get("provider"), data.get("program"), data.get("course")
        provider_ids = (provider.pk,) if provider else _sorted(self.provider_ids)
        start, end = self.period()
        values = {
            "start": start,
            "end": end,
            "provider_ids": provider_ids,
            "program_id": program.pk if program else None,
            "course_id": course.pk if course else None,
            "delivery": "" if data.get("delivery") in ("", ANY_DELIVERY) else data["delivery"],
            "district_ids": _sorted(self.district_ids),
        }
        return ReachScope(**(values | overrides))

    def query_string(self, *, exclude: tuple[str, ...] = (), **extra) -> str:
        """The filters as a query string (no leading "?"), for links that keep them."""
        pairs = [
            (name, value)
            for name in self.fields
            if name not in exclude
            for value in self.data.getlist(name)
            if value != ""
        ]
        pairs += [(name, value) for name, value in extra.items() if value not in (None, "")]
        return urlencode(pairs)


class ReachCompareForm(ReachFilterForm):
    """The same filters for 2 to 4 fiscal years side by side (no start and end dates)."""

    MIN_YEARS, MAX_YEARS = 2, 4

    years = forms.TypedMultipleChoiceField(
        label="Fiscal years to compare",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose two to four.",
        error_messages={"invalid_choice": "Choose fiscal years from the list."},
    )

    field_order = ["years", "provider", "program", "course", "delivery"]

    def __init__(self, data=None, *, user: User, **kwargs) -> None:
        super().__init__(data, user=user, **kwargs)
        for name in ("fiscal_year", "start", "end"):
            del self.fields[name]
        self.fields["years"].choices = fiscal_year_choices(self.current_year)

    def default_values(self) -> dict[str, list[str]]:
        return {"years": [str(self.current_year - n) for n in range(self.MIN_YEARS + 1)]}

    def clean_years(self) -> list[int]:
        years = sorted(set(self.cleaned_data["years"]))
        if not self.MIN_YEARS <= len(years) <= self.MAX_YEARS:
            raise forms.ValidationError(
                f"Choose from {self.MIN_YEARS} to {self.MAX_YEARS} fiscal years.", code="count"
            )
        return years

    def scopes(self) -> list[tuple[int, ReachScope]]:
        """(year, scope) per chosen fiscal year, oldest first."""
        base = self.scope()
        return [
            (year, replace(base, start=start, end=end))
            for year in self.cleaned_data["years"]
            for start, end in [fiscal_year_bounds(year)]
        ]

    def period(self) -> tuple[dt.date, dt.date]:
        return fiscal_year_bounds(self.cleaned_data["years"][-1])


def _with_defaults(data, defaults: dict[str, list[str]]) -> QueryDict:
    """A copy of `data` (a QueryDict or a dict) with `defaults` for the missing parameters."""
    result = QueryDict(mutable=True)
    if isinstance(data, QueryDict):
        result = data.copy()
    elif data:
        for key, value in data.items():
            result.setlist(key, [str(v) for v in value] if isinstance(value, list) else [value])
    for key, values in defaults.items():
        if not any(result.getlist(key)):
            result.setlist(key, values)
    return result


def _sorted(ids: frozenset[int] | None) -> tuple[int, ...] | None:
    return None if ids is None else tuple(sorted(ids))

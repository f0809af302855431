"""The filters of evaluation results, shared by the page, the API and the exports.

Like the reach report's (reports.forms): a period (fiscal year, or start/end local dates) and
provider, program, course, session and trainer, bounded by what the person may see
(evaluations.permissions). Bad input becomes field errors; callers answer 400.
"""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import QueryDict

from accounts.models import User
from courses.dates import fiscal_year_bounds, fiscal_year_of, today
from courses.forms import CatalogDateField
from courses.models import Course, Program, Session
from organizations.models import Provider

from .permissions import results_visibility
from .selectors import results_sessions

YEARS_AHEAD, YEARS_BACK = 1, 9  # as the reach report offers them
ANY_PERIOD = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def fiscal_year_choices(current: int) -> list[tuple[int, str]]:
    choices = []
    for year in range(current + YEARS_AHEAD, current - YEARS_BACK - 1, -1):
        first, last = fiscal_year_bounds(year)
        choices.append((year, f"FY{year} ({first:%b %Y} to {last:%b %Y})"))
    return choices


class ResultsFilterForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(
        label="Fiscal year",
        coerce=int,
        required=False,
        help_text="July 1 to June 30. Start and end dates, when given, replace it.",
        error_messages={"invalid_choice": "Choose one of the fiscal years in the list."},
    )
    start = CatalogDateField(
        label="Start date", required=False, help_text="First meeting on or after this date."
    )
    end = CatalogDateField(
        label="End date", required=False, help_text="First meeting on or before this date."
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All providers you may see",
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
    session = forms.IntegerField(
        label="Session number",
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The number in the session's address, e.g. 42 for /sessions/42/.",
    )
    trainer = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="All trainers",
        error_messages={"invalid_choice": "Choose one of the trainers in the list."},
    )

    def __init__(self, data=None, *, user: User, **kwargs) -> None:
        self.visible = results_visibility(user)  # PermissionDenied first
        self.current_year = fiscal_year_of(today())
        # A session's link gives no period: its results whenever it ran.
        self.any_period = _given(data, "session") and not any(
            _given(data, name) for name in ("fiscal_year", "start", "end")
        )
        data = _with_default_year(data, self.current_year)
        super().__init__(data, **kwargs)
        self.fields["fiscal_year"].choices = fiscal_year_choices(self.current_year)
        sessions = (
            Session.objects.all() if self.visible is None else Session.objects.filter(self.visible)
        )
        visible_ids = sessions.values("pk")
        self.fields["provider"].queryset = (
            Provider.objects.filter(courses__sessions__in=visible_ids)
            .distinct()
            .order_by("short_name")
        )
        self.fields["course"].queryset = (
            Course.objects.filter(sessions__in=visible_ids).distinct().order_by("title", "pk")
        )
        self.fields["trainer"].queryset = (
            get_user_model()
            .objects.filter(trained_sessions__in=visible_ids)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["trainer"].label_from_instance = _trainer_label

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "Choose an end date on or after the start date.")
        session = cleaned.get("session")
        if session is not None and not self._visible_sessions().filter(pk=session).exists():
            self.add_error("session", "Choose one of the sessions whose results you may see.")
        return cleaned

    def _visible_sessions(self) -> QuerySet[Session]:
        return Session.objects.filter(self.visible if self.visible is not None else Q())

    @property
    def uses_dates(self) -> bool:
        return bool(self.cleaned_data.get("start") or self.cleaned_data.get("end"))

    def period(self) -> tuple[dt.date, dt.date]:
        if self.any_period:
            return ANY_PERIOD
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start or end:
            start = start or fiscal_year_bounds(fiscal_year_of(end))[0]
            end = end or fiscal_year_bounds(fiscal_year_of(start))[1]
            return start, end
        return fiscal_year_bounds(data.get("fiscal_year") or self.current_year)

    def sessions(self) -> QuerySet[Session]:
        """The sessions of the valid filters that the person may see."""
        if not self.is_valid():
            raise ValueError("The results filters are not valid; see form.errors.")
        data = self.cleaned_data
        start, end = self.period()
        return results_sessions(
            visible=self.visible,
            start=start,
            end=end,
            provider_ids=[data["provider"].pk] if data.get("provider") else None,
            program_id=_pk(data.get("program")),
            course_id=_pk(data.get("course")),
            session_id=data.get("session"),
            trainer_id=_pk(data.get("trainer")),
        )

    def describe(self) -> dict[str, str]:
        """The filters in words, for the page and the top of the exports."""
        data = self.cleaned_data
        start, end = self.period()
        words = {
            "Period": f"{start:%B} {start.day}, {start.year} to {end:%B} {end.day}, {end.year}"
        }
        if not self.uses_dates:
            words["Period"] += f" (FY{data.get('fiscal_year') or self.current_year})"
        for name, attribute in (("provider", "name"), ("program", "name"), ("course", "title")):
            if data.get(name):
                words[name.capitalize()] = getattr(data[name], attribute)
        if data.get("session"):
            words["Session"] = str(data["session"])
        if data.get("trainer"):
            words["Trainer"] = _trainer_label(data["trainer"])
        return words

    def query_string(self) -> str:
        pairs = [
            (name, value)
            for name in self.fields
            if not (self.any_period and name == "fiscal_year")
            for value in self.data.getlist(name)
            if value != ""
        ]
        return urlencode(pairs)


def _given(data, name: str) -> bool:
    if not data:
        return False
    values = data.getlist(name) if isinstance(data, QueryDict) else [data.get(name)]
    return any(value not in (None, "") for value in values)


def _trainer_label(user) -> str:
    return user.full_name or f"Trainer {user.pk}"


def _pk(instance) -> int | None:
    return instance.pk if instance is not None else None


def _with_default_year(data, year: int) -> QueryDict:
    result = QueryDict(mutable=True)
    if isinstance(data, QueryDict):
        result = data.copy()
    elif data:
        for key, value in data.items():
            result.setlist(key, [str(v) for v in value] if isinstance(value, list) else [value])
    if not any(result.getlist("fiscal_year")):
        result.setlist("fiscal_year", [str(year)])
    return result

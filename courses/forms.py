"""Forms of the public catalog."""

from django import forms

from organizations.models import Provider

from .models import Audience, Program, Session
from .selectors import CatalogFilters


class DateInput(forms.DateInput):
    """A native date picker; the value must be ISO (YYYY-MM-DD) for browsers to show it."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# Dates outside these years are typos; they would also overflow the local-day arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class CatalogDateField(forms.DateField):
    widget = DateInput

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}.", code="out_of_range"
            )
        return day


class CatalogFilterForm(forms.Form):
    """The catalog's GET filters. Always bound: bad values become field errors and are ignored,
    the valid ones still apply (see `filters`)."""

    q = forms.CharField(label="Search", required=False, max_length=200, widget=forms.SearchInput())
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.order_by("short_name"),
        to_field_name="slug",
        required=False,
        empty_label="All providers",
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All programs",
    )
    format = forms.ChoiceField(
        choices=[("", "Any format"), *Session.Format.choices], required=False
    )
    audience = forms.ChoiceField(choices=[("", "Any audience"), *Audience.choices], required=False)
    starts_after = CatalogDateField(label="Starts on or after", required=False)
    starts_before = CatalogDateField(label="Starts on or before", required=False)
    has_seats = forms.BooleanField(label="Only sessions with seats left", required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        after, before = cleaned.get("starts_after"), cleaned.get("starts_before")
        if after and before and after > before:
            self.add_error(
                "starts_before", "Choose a date on or after the “Starts on or after” date."
            )
        return cleaned

    def filters(self) -> CatalogFilters:
        """The filters to apply: the valid fields' values; an invalid field filters nothing."""
        if not self.is_bound:
            return CatalogFilters()
        self.is_valid()
        data = self.cleaned_data
        return CatalogFilters(
            q=data.get("q") or "",
            provider=data.get("provider"),
            program=data.get("program"),
            format=data.get("format") or "",
            audience=data.get("audience") or "",
            starts_after=data.get("starts_after"),
            starts_before=data.get("starts_before"),
            has_seats=bool(data.get("has_seats")),
        )

    @property
    def uses_more_filters(self) -> bool:
        """True when a filter other than the search box is set (or wrong): keep them shown."""
        return any(
            self.data.get(name) not in (None, "") for name in self.fields if name != "q"
        ) or any(name != "q" for name in self.errors)

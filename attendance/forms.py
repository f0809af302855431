"""Forms of the trainer's pages. They check the shape of what was sent; the rules (who may
record, when, for whom) live in attendance.services and registrations.services."""

from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict

from courses.models import Meeting
from organizations.models import District
from registrations.models import Registration

from .models import Attendance, Headcount
from .services import AttendanceEntry, normalize_code

STATUS_CHOICES = Attendance.Status.choices


@dataclass
class RosterRow:
    """One person's line on the roster form: what is saved, or what was just sent."""

    registration: Registration
    status: str | None
    minutes: str
    errors: list[str] = field(default_factory=list)

    @property
    def status_name(self) -> str:
        return f"status-{self.registration.pk}"

    @property
    def minutes_name(self) -> str:
        return f"minutes-{self.registration.pk}"

    @property
    def dom_id(self) -> str:
        return f"r{self.registration.pk}"


class RosterForm:
    """The roster of one meeting: per confirmed registration a status (present, partial,
    absent, excused or none chosen) and, for partial, the minutes attended.

    Rows left unchosen produce no entry; minutes sent with another status are ignored (the
    field is always visible, so a trainer may type minutes and then pick present).
    """

    def __init__(
        self, data: QueryDict | None, *, meeting: Meeting, registrations: list[Registration]
    ):
        self.meeting = meeting
        self.is_bound = data is not None
        self.non_field_errors: list[str] = []
        self.rows = []
        for registration in registrations:
            if data is None:
                saved_minutes = registration.marked_minutes
                row = RosterRow(
                    registration,
                    registration.marked_status,
                    "" if saved_minutes is None else str(saved_minutes),
                )
            else:
                row = RosterRow(registration, None, "")
                row.status = data.get(row.status_name) or None
                row.minutes = (data.get(row.minutes_name) or "").strip()
            self.rows.append(row)

    def is_valid(self) -> bool:
        self.entries: list[AttendanceEntry] = []
        self.names: list[str] = []
        length = self.meeting.length_minutes
        for row in self.rows:
            if row.status is None:
                continue
            if row.status not in Attendance.Status.values:
                row.errors.append("Choose present, partial, absent or excused.")
                continue
            minutes = None
            if row.status == Attendance.Status.PARTIAL:
                minutes = int(row.minutes) if row.minutes.isdigit() else None
                if minutes is None or not 1 <= minutes <= length:
                    row.errors.append(
                        f"For partial attendance, enter the minutes attended, from 1 to {length}."
                    )
                    continue
            self.entries.append(
                AttendanceEntry(row.registration.pk, self.meeting.pk, row.status, minutes)
            )
            self.names.append(str(row.registration.person))
        return not self.has_errors

    @property
    def has_errors(self) -> bool:
        return bool(self.non_field_errors) or any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.errors]

    def anchor(self, requested: str) -> str:
        """Where the page should open after saving: the row the trainer was at (`requested`,
        sent by static/js/roster.js), else the last row whose choice changed, else the top of
        the roster. Only ids of this form's rows are used."""
        ids = {row.dom_id for row in self.rows}
        if requested in ids:
            return requested
        changed = [
            row
            for row in self.rows
            if row.status is not None
            and (
                row.status != row.registration.marked_status
                or (
                    row.status == Attendance.Status.PARTIAL
                    and row.minutes != str(row.registration.marked_minutes)
                )
            )
        ]
        return changed[-1].dom_id if changed else "attendance-heading"

    def add_service_errors(self, messages: list[str]) -> None:
        """The service numbers rows as sent ("Row 3: ..."); show the person's name instead."""
        for message in messages:
            prefix, _, rest = message.partition(": ")
            number = prefix.removeprefix("Row ")
            if rest and number.isdigit() and 1 <= int(number) <= len(self.names):
                message = f"{self.names[int(number) - 1]}: {rest}"
            self.non_field_errors.append(message)


class WalkInForm(forms.Form):
    email = forms.EmailField(
        label="Email of the walk-in's account",
        help_text="They need an account with a completed profile. Walk-ins are added while "
        "check-in is open: from 30 minutes before the meeting until it ends.",
    )


class CheckInCodeForm(forms.Form):
    """The code a registrant types at /checkin/; case, spaces and dashes do not matter."""

    code = forms.CharField(
        label="Check-in code",
        max_length=40,
        help_text="The code your trainer shows, for example ABCD-2345. Capitals, spaces and "
        "dashes do not matter.",
        error_messages={"required": "Enter the check-in code your trainer shows."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError("Enter the check-in code your trainer shows.")
        return code


class HeadcountForm(forms.Form):
    audience = forms.ChoiceField(
        label="Who", choices=Headcount.Audience.choices, widget=forms.RadioSelect
    )
    district = forms.ModelChoiceField(
        label="District", queryset=District.objects.order_by("name"), required=False
    )
    count = forms.IntegerField(
        label="How many",
        min_value=1,
        max_value=10_000,
        error_messages={
            "min_value": "A headcount is at least 1.",
            "max_value": "A headcount is at most 10,000.",
        },
    )

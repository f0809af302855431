"""Who was there: attendance per registration and meeting, headcounts of people without
accounts, and per-meeting check-in codes. No field anywhere holds a student's name or record:
youth are counted, never named."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from courses.models import Meeting
from organizations.models import District
from registrations.models import Registration


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        PARTIAL = "partial", "Partial"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    class Source(models.TextChoices):
        ROSTER = "roster", "Roster"
        CHECK_IN = "checkin", "Self check-in"
        API = "api", "API"
        STAFF = "staff", "Staff correction"

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendance"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=10, choices=Status.choices)
    minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes attended; only for partial attendance."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ROSTER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "meeting"], name="attendance_one_per_registration_meeting"
            ),
            models.CheckConstraint(
                condition=(Q(status="partial") & Q(minutes__gte=1))
                | (~Q(status="partial") & Q(minutes__isnull=True)),
                name="attendance_minutes_only_for_partial",
                violation_error_message="Partial attendance needs the minutes attended; other statuses none.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} at {self.meeting}: {self.get_status_display()}"


class Headcount(models.Model):
    """Participants without accounts, as a number (youth are never named)."""

    class Audience(models.TextChoices):
        YOUTH = "youth", "Youth"
        ADULT = "adult", "Adults without an account"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="headcounts")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="headcounts"
    )
    count = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1) & Q(count__lte=10_000),
                name="headcount_count_in_range",
                violation_error_message="A headcount is between 1 and 10,000.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.get_audience_display().lower()} at {self.meeting}"


# Check-in codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L): about 40
# bits, shown as XXXX-XXXX. A code only works during its meeting's window, for people confirmed
# in its session, and check-ins are rate limited, so guessing one buys nothing.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_check_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class CheckInCode(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="check_in_code")
    code = models.CharField(max_length=16, unique=True, default=new_check_in_code)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Check-in code of {self.meeting}"

    @property
    def display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

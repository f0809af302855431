"""A person's place in a session."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Session
from organizations.models import District, Position, School


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending approval"
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Declined"

    ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)

    class Payer(models.TextChoices):
        SELF = "self", "I pay"
        DISTRICT = "district", "My district pays"

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    # Snapshot of the person's profile at registration; reports read these, not the profile.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    position = models.CharField(max_length=30, choices=Position.choices, blank=True)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    payer = models.CharField(max_length=10, choices=Payer.choices, default=Payer.SELF)
    purchase_order = models.CharField("purchase-order number", max_length=50, blank=True)
    # Waitlist order: the time a person joined the waitlist (or registered), earliest first.
    queued_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Written only by attendance.completion (every attendance, meeting or status change
    # refreshes both in the same transaction), so reach reports, certificates and /me/ read
    # the completion rule (DESIGN.md, Completed) once, stored, instead of computing it again.
    credited_minutes = models.PositiveIntegerField(
        default=0,
        db_default=0,  # rows written outside Django (COPY, SQL) start at 0 too
        editable=False,
        help_text="Minutes credited by attendance: present = the meeting's length, partial = the minutes recorded (at most the length).",
    )
    completed = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="Completed the session (DESIGN.md): confirmed, not a trainer, the last meeting has ended and the credited minutes reach the threshold.",
    )
    moved_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moved_to",
        help_text="The registration this one replaced (moved by staff or transferred to a colleague).",
    )
    # A colleague's confirmed seat this pending registration would take once approved; the
    # holder keeps it until then (registrations.services.transfer_registration).
    transfer_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfer_requests",
        help_text="The colleague's seat this registration takes over once it is approved.",
    )

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(status__in=["pending", "confirmed", "waitlisted"]),
                name="registration_one_active_per_person",
                violation_error_message="You are already registered for this session.",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="registration_price_not_negative",
                violation_error_message="A price cannot be negative.",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "queued_at"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.session} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


def _new_feed_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private calendar feed of confirmed sessions, by an unguessable token."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"


def _new_invitation_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A coordinator registered someone who has no account yet: the registration waits until
    they sign up and accept."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    payer = models.CharField(
        max_length=10, choices=Registration.Payer.choices, default=Registration.Payer.DISTRICT
    )
    purchase_order = models.CharField(max_length=50, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_new_invitation_token)
    created_at = models.DateTimeField(auto_now_add=True)
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitation"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=Q(registration__isnull=True),
                name="invitation_one_open_per_email_and_session",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.session}"

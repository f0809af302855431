"""Certificates of completion: one per completed registration, verifiable by an unguessable
code. The hours credited are stored at issue (and updated by a correction that keeps the
completion), so a certificate reads the same every time it is downloaded."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from courses.models import hours_of
from registrations.models import Registration

# 16 characters of a 32-symbol alphabet = 80 bits, shown in four groups of four.
VERIFY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(16))


def display_code(code: str) -> str:
    """A 16-character code as four groups of four: ABCD-EFGH-JKMN-PQRS."""
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


class Certificate(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(max_length=40, unique=True)
    code = models.CharField(max_length=16, unique=True, default=new_verification_code)
    credited_minutes = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Certificate {self.number}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def hours(self):
        return hours_of(self.credited_minutes)

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    def get_verify_path(self) -> str:
        return reverse("certificates:verify", kwargs={"code": self.display_code})


class IssuedTranscript(models.Model):
    """A transcript as it was issued (downloaded as a PDF): who, when, and every line and total
    it showed, kept as JSON (selectors.Transcript.as_snapshot) so that its verify page shows
    exactly what the district was handed, whatever is corrected later. Verifiable by an
    unguessable code like a certificate's."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="issued_transcripts"
    )
    code = models.CharField(max_length=16, unique=True, default=new_verification_code)
    issued_at = models.DateTimeField()
    scope = models.CharField(
        max_length=300, blank=True, help_text="Whose sessions it lists when not every provider's."
    )
    content = models.JSONField()

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"Transcript {self.display_code}"

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    def get_verify_path(self) -> str:
        return reverse("certificates:transcript_verify", kwargs={"code": self.display_code})

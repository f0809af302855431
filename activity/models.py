"""One recorded change: who (or which system task), when, which record, what changed and why.

Written only by activity.services.record_activity, inside the transaction of the service that
made the change (DESIGN.md: every change to a registration, session, meeting, attendance,
certificate ... is recorded). The registration and session columns let a page show a record's
history in one indexed query; the record itself is the generic `target`.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

# Named system tasks that act without a person (the `system` column).
EMAILED_LINK = "emailed link"
INVITATION = "invitation"  # an invited person accepted a seat offered by a coordinator
SETTLE_COMMAND = "settle_sessions command"
REMINDER_COMMAND = "send_reminders command"
DEMO_DATA = "demo data"
COMPLETION = "completion rule"  # certificates follow completion
WAITLIST = "waitlist"  # a freed seat goes to the earliest waitlisted person
SYSTEM = "system"


class Activity(models.Model):
    created_at = models.DateTimeField(default=timezone.now)
    # Who acted: a person, a named system task, or a person through a channel (an emailed link).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    system = models.CharField(max_length=60, blank=True)
    verb = models.CharField(max_length=60)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # Where the change shows up: a registration's and a session's history, a person's export.
    registration = models.ForeignKey(
        "registrations.Registration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    session = models.ForeignKey(
        "courses.Session",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities_about",
    )
    # {"field": [before, after]} for the fields that changed; other facts under plain keys.
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["registration", "created_at"]),
            models.Index(fields=["session", "created_at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type_id}:{self.target_id} at {self.created_at:%Y-%m-%d %H:%M}"

"""The catalog (programs and courses) and the schedule (sessions, their meetings, venues)."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from organizations.models import Provider


def hours_of(minutes: int) -> Decimal:
    """Minutes as PD hours with two decimals (half up): the one rounding every page, invite,
    certificate and export uses."""
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


class Program(models.Model):
    """A family of courses with its own funders, e.g. UPLIFT."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    funders = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    ALL_STAFF = "all_staff", "All school staff"
    TEACHERS = "teachers", "Teachers"
    PARAEDUCATORS = "paraeducators", "Paraeducators"
    ADMINISTRATORS = "administrators", "Administrators"
    STUDENT_SUPPORT = "student_support", "Student support staff"
    TRAINERS = "trainers", "Trainers (train-the-trainer)"


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="courses"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.ALL_STAFF)
    hours = models.DecimalField(
        "PD hours",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    member_price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    non_member_price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    trains_trainers = models.BooleanField(
        "train-the-trainer course",
        default=False,
        help_text="Completing it certifies the person as a trainer for the course's program.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_price__gte=0) & Q(non_member_price__gte=0),
                name="course_prices_not_negative",
                violation_error_message="Prices cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="course_hours_not_negative",
                violation_error_message="PD hours cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(program__isnull=False) | Q(trains_trainers=False),
                name="course_train_the_trainer_needs_program",
                violation_error_message="A train-the-trainer course must belong to a program.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Venue(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    town = models.CharField(max_length=100, blank=True)
    directions = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.town}" if self.town else self.name


class Session(models.Model):
    """One scheduled run of a course."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    class Delivery(models.TextChoices):
        DIRECT = "direct", "Direct (provider staff)"
        TURNKEY = "turnkey", "Turnkey (certified trainers)"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Hybrid"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional, e.g. 'Cohort 3'; the course title is shown.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.DIRECT)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    online_url = models.URLField("online meeting link", blank=True)
    capacity = models.PositiveIntegerField(
        help_text="Seats; confirmed registrations never exceed it."
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField()
    requires_approval = models.BooleanField(default=False)
    completion_threshold = models.PositiveSmallIntegerField(
        "completion threshold (%)",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of the meetings' total length a participant must attend to complete.",
    )
    evaluation_required = models.BooleanField(
        "evaluation before the certificate",
        default=True,
        help_text="When the course or its program has an evaluation form, the certificate is "
        "issued once the participant has evaluated the session (staff can excuse a person).",
    )
    is_free = models.BooleanField(
        "free (grant-funded)", default=False, help_text="Everyone registers at no cost."
    )
    member_price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Leave empty to use the course's member price.",
    )
    non_member_price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Leave empty to use the course's non-member price.",
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="trained_sessions"
    )
    notes = models.TextField("notes for participants", blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=0),
                name="session_capacity_not_negative",
                violation_error_message="Capacity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(completion_threshold__gte=1) & Q(completion_threshold__lte=100),
                name="session_threshold_is_percent",
                violation_error_message="The completion threshold is a percentage from 1 to 100.",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_opens_at__lt=F("registration_closes_at")),
                name="session_registration_opens_before_close",
                violation_error_message="Registration must open before it closes.",
            ),
            models.CheckConstraint(
                condition=(Q(member_price__isnull=True) | Q(member_price__gte=0))
                & (Q(non_member_price__isnull=True) | Q(non_member_price__gte=0)),
                name="session_prices_not_negative",
                violation_error_message="Prices cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} — {self.title}" if self.title else self.course.title

    def get_absolute_url(self) -> str:
        return reverse("courses:session_detail", kwargs={"pk": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def hours_offered(self) -> Decimal:
        """The PD hours the session offers: its meetings' lengths (breaks excluded) / 60. Reads
        the `offered_minutes` annotation (courses.selectors.with_schedule) when present."""
        minutes = getattr(self, "offered_minutes", None)
        if minutes is None:
            minutes = sum(meeting.length_minutes for meeting in self.meetings.all())
        return hours_of(minutes)

    def price_for(self, *, member: bool) -> Decimal:
        """The price a registrant pays: 0 when free, else member or non-member price."""
        if self.is_free:
            return Decimal("0.00")
        if member:
            return self.member_price if self.member_price is not None else self.course.member_price
        if self.non_member_price is not None:
            return self.non_member_price
        return self.course.non_member_price


class Meeting(models.Model):
    """One dated block of a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    sequence = models.PositiveIntegerField(
        default=0, help_text="Calendar revision: grows whenever the time or place changes."
    )
    break_minutes = models.PositiveIntegerField(
        "unpaid break (minutes)",
        default=0,
        help_text="Lunch or another unpaid break; it does not count towards PD hours.",
    )
    # Duration minus the break. Stored so credited minutes and completion add up in SQL on
    # every database.
    length_minutes = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message="A meeting must end after it starts.",
            ),
            # "The break is shorter than the meeting", said with the stored length (duration
            # minus break, never below 0): date arithmetic in a CHECK is not portable to SQLite.
            models.CheckConstraint(
                condition=Q(break_minutes=0) | Q(length_minutes__gt=0),
                name="meeting_break_shorter_than_meeting",
                violation_error_message="The break must be shorter than the meeting.",
            ),
        ]
        indexes = [models.Index(fields=["session", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.session} @ {self.starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        self.length_minutes = max(self.minutes - self.break_minutes, 0)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "length_minutes"}
        super().save(*args, **kwargs)

    @property
    def minutes(self) -> int:
        """The duration, break included."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class CertifiedTrainer(models.Model):
    """A person who completed a program's train-the-trainer course and may lead its turnkey
    sessions. Revoking keeps the row (who, when, why)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="certified_trainers"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_certifications"
    )
    certified_at = models.DateTimeField()
    source_session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The train-the-trainer session whose completion certified the person.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["program", "-certified_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=Q(revoked_at__isnull=True),
                name="certified_trainer_one_active_per_program",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — certified trainer of {self.program}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

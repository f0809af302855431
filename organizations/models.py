"""Providers (the six RESCs), districts and schools, a person's profile, and roles."""

from django.conf import settings
from django.core.validators import DomainNameValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Provider(models.Model):
    """A RESC that offers PD. All six belong to the RESC Alliance."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=20, unique=True, help_text="e.g. LEARN")
    slug = models.SlugField(unique=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    in_alliance = models.BooleanField("member of the RESC Alliance", default=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name

    @property
    def full_name(self) -> str:
        """The name with the short name in brackets, "Capitol Region Education Council (CREC)",
        or the name alone where it is the short name (LEARN, EASTCONN)."""
        if self.name.casefold() == self.short_name.casefold():
            return self.name
        return f"{self.name} ({self.short_name})"


class District(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", "Public school district"
        REGIONAL = "regional", "Regional school district"
        CHARTER = "charter", "Charter school"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    csde_code = models.CharField("CSDE code", max_length=10, unique=True)
    town = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    member_of = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_districts",
        help_text="The RESC this district is a member of, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_alliance_member(self) -> bool:
        return self.member_of_id is not None


def normalize_domain(value: str) -> str:
    """`@WaterfordSchools.org ` -> `waterfordschools.org`."""
    return value.strip().lstrip("@").rstrip(".").lower()


class DistrictDomain(models.Model):
    """An email domain a district registered: a person whose verified primary address is at
    one of their district's domains has their district verified (DESIGN.md, Rules)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(
        max_length=253,
        unique=True,
        validators=[DomainNameValidator(accept_idna=False)],
        help_text="An email domain of the district's staff, e.g. waterfordschools.org.",
        error_messages={"unique": "Another district already registered this domain."},
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")),
                name="district_domain_lowercase",
                violation_error_message="Write the domain in lowercase.",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = normalize_domain(self.domain)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.domain = normalize_domain(self.domain)


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(max_length=200)
    csde_code = models.CharField("CSDE code", max_length=10, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="school_name_unique_in_district"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    PARAEDUCATOR = "paraeducator", "Paraeducator"
    ADMINISTRATOR = "administrator", "Administrator"
    SCHOOL_COUNSELOR = "school_counselor", "School counselor"
    SOCIAL_WORKER = "social_worker", "Social worker"
    SCHOOL_PSYCHOLOGIST = "school_psychologist", "School psychologist"
    NURSE = "nurse", "Nurse"
    SUPPORT_STAFF = "support_staff", "Support staff"
    OTHER = "other", "Other"


class Profile(models.Model):
    """What a person tells us after sign-up. Registrations snapshot these fields."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles"
    )
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="profiles"
    )
    position = models.CharField(max_length=30, choices=Position.choices, blank=True)
    certification_number = models.CharField(
        "CT educator certification number", max_length=20, blank=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # A coordinator of the district (or its provider's staff, when it has none) confirmed that
    # this person works there. Cleared when the person names another district.
    district_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    district_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(district_confirmed_at__isnull=True) | Q(district__isnull=False),
                name="profile_confirmed_has_district",
                violation_error_message="Only a person who names a district can be confirmed.",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True)
                | (Q(district__isnull=False) & ~Q(position="")),
                name="profile_complete_has_district_and_position",
                violation_error_message="A completed profile needs a district and a position.",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class Role(models.Model):
    """What a person may do beyond their own registrations.

    Provider staff act for one provider, a district coordinator for one district, an Alliance
    admin for everything. A person may hold several roles.
    """

    class Kind(models.TextChoices):
        PROVIDER_STAFF = "provider_staff", "Provider staff"
        DISTRICT_COORDINATOR = "district_coordinator", "District coordinator"
        ALLIANCE_ADMIN = "alliance_admin", "Alliance admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="provider_staff", provider__isnull=False, district__isnull=True)
                    | Q(kind="district_coordinator", provider__isnull=True, district__isnull=False)
                    | Q(kind="alliance_admin", provider__isnull=True, district__isnull=True)
                ),
                name="role_scope_matches_kind",
                violation_error_message=(
                    "Provider staff need a provider, a district coordinator a district, "
                    "and an Alliance admin neither."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "provider"],
                condition=Q(kind="provider_staff"),
                name="role_staff_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "district"],
                condition=Q(kind="district_coordinator"),
                name="role_coordinator_unique",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(kind="alliance_admin"), name="role_admin_unique"
            ),
        ]

    def __str__(self) -> str:
        scope = self.provider or self.district or "Alliance"
        return f"{self.get_kind_display()} ({scope})"

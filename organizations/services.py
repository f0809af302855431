"""Changes to a person's profile and roles."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import District, Profile, Role, School
from .permissions import forget_roles


@transaction.atomic
def complete_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    district: District,
    school: School | None,
    position: str,
    certification_number: str = "",
) -> Profile:
    """Save what a person tells us about their work; registrations snapshot it later."""
    if school is not None and school.district_id != district.pk:
        raise ValidationError({"school": "That school is not in the district you chose."})
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name"])
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    profile.district = district
    profile.school = school
    profile.position = position
    profile.certification_number = certification_number.strip()
    profile.completed_at = profile.completed_at or timezone.now()
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def grant_role(*, user: User, kind: str, provider=None, district=None) -> Role:
    role, _ = Role.objects.get_or_create(user=user, kind=kind, provider=provider, district=district)
    if kind in (Role.Kind.PROVIDER_STAFF, Role.Kind.ALLIANCE_ADMIN) and not user.is_staff:
        user.is_staff = True  # staff manage their catalog in the admin
        user.save(update_fields=["is_staff"])
    forget_roles(user)
    return role

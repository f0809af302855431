"""Changes to a person's profile and roles."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import notifications
from .models import District, Profile, Role, School
from .permissions import can_verify_district_members, forget_roles
from .selectors import district_is_verified


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
    if profile.district_id != district.pk:
        # A confirmation vouches for one district only.
        profile.district_confirmed_by = profile.district_confirmed_at = None
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


def _claim_of(person: User) -> Profile:
    """The person's profile, locked; refused when it names no district."""
    profile = (
        Profile.objects.select_for_update(of=("self",))
        .select_related("district")
        .filter(user=person)
        .first()
    )
    if profile is None or profile.district is None:
        raise ValidationError("This person does not name a district.", code="no_district")
    return profile


@transaction.atomic
def confirm_district_member(
    *, person: User, by: User | None, now: dt.datetime | None = None
) -> Profile:
    """Record that `by` (a coordinator of the person's district, or its provider's staff or
    an Alliance admin where it has no coordinator) vouches that `person` works there. The
    person is emailed. Confirming a verified person changes nothing."""
    profile = _claim_of(person)
    if by is not None and not can_verify_district_members(by, profile.district):
        raise PermissionDenied("You cannot confirm the people of this district.")
    if profile.district_confirmed_at is not None:
        return profile
    profile.district_confirmed_by, profile.district_confirmed_at = by, now or timezone.now()
    profile.save(update_fields=["district_confirmed_by", "district_confirmed_at"])
    notifications.district_decision_after_commit(
        person=person, kind="confirmed", district_name=profile.district.name
    )
    return profile


@transaction.atomic
def reject_district_member(*, person: User, by: User | None, reason: str) -> Profile:
    """`by` says `person` does not work in the district they named: the claim is cleared
    (district and school; the profile must be completed again before registering) and the
    person is emailed the reason. Registrations already made keep their snapshot; pending
    ones stay in the approval queue to be declined there."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Please give a reason; the person will see it."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    profile = _claim_of(person)
    district = profile.district
    if by is not None and not can_verify_district_members(by, district):
        raise PermissionDenied("You cannot reject the people of this district.")
    if profile.district_confirmed_at is None and district_is_verified(person):
        raise ValidationError(
            "This person's verified email address is at one of the district's domains.",
            code="verified_by_domain",
        )
    profile.district = profile.school = None
    profile.district_confirmed_by = profile.district_confirmed_at = None
    profile.completed_at = None
    profile.full_clean()
    profile.save()
    notifications.district_decision_after_commit(
        person=person, kind="rejected", district_name=district.name, reason=reason
    )
    return profile

"""Reads of districts and people: whether a person's district is verified, and who awaits it.

The rule is stated once, as a queryset filter (`_VERIFIED`), so the check for one person and
the coordinators' list of unverified people can never disagree.
"""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from accounts.models import User

from .models import DistrictDomain, Profile, Role
from .permissions import roles_of


def _email_at_district_domain() -> Exists:
    """The profile's person has a verified primary address at a domain of the profile's
    district (exact domain, any case: `@waterfordschools.org`, not a subdomain)."""
    address = EmailAddress.objects.filter(
        user_id=OuterRef(OuterRef("user_id")),
        verified=True,
        primary=True,
        email__iendswith=OuterRef("suffix"),
    )
    return Exists(
        DistrictDomain.objects.filter(district_id=OuterRef("district_id"))
        .annotate(suffix=Concat(Value("@"), "domain"))
        .filter(Exists(address))
    )


def _verified() -> Q:
    return Q(district__isnull=False) & (
        Q(district_confirmed_at__isnull=False) | _email_at_district_domain()
    )


def district_is_verified(person: User) -> bool:
    """True when `person` names a district and either their verified primary email address is
    at a domain that district registered, or one of its coordinators confirmed them."""
    if not person.is_authenticated:
        return False
    return Profile.objects.filter(_verified(), user_id=person.pk).exists()


def verification_districts(user: User) -> QuerySet:
    """Districts whose people `user` may confirm or reject: their own as coordinator; as
    provider staff, their provider's member districts without a coordinator; as an Alliance
    admin, every district without one."""
    from .models import District

    roles = roles_of(user)
    coordinated = Q(pk__in=roles.district_ids)
    has_coordinator = Exists(
        Role.objects.filter(kind=Role.Kind.DISTRICT_COORDINATOR, district_id=OuterRef("pk"))
    )
    if roles.alliance_admin:
        uncoordinated = ~has_coordinator
    else:
        uncoordinated = Q(member_of_id__in=roles.provider_ids) & ~has_coordinator
    return District.objects.filter(coordinated | uncoordinated)


def unverified_people(user: User) -> QuerySet[Profile]:
    """Profiles naming a district `user` verifies whose district is not verified yet, oldest
    first."""
    return (
        Profile.objects.filter(district__in=verification_districts(user), user__is_active=True)
        .exclude(_verified())
        .select_related("user", "district", "school")
        .order_by("completed_at", "pk")
    )

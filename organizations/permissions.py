"""Who may act for which provider or district. Plain predicates; views and the API call these."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from accounts.models import User

from .models import Role


@dataclass(frozen=True)
class Roles:
    alliance_admin: bool = False
    provider_ids: frozenset[int] = field(default_factory=frozenset)
    district_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_provider_staff(self) -> bool:
        return self.alliance_admin or bool(self.provider_ids)

    @property
    def is_coordinator(self) -> bool:
        return bool(self.district_ids)


NO_ROLES = Roles()


def roles_of(user: User | AnonymousUser | None) -> Roles:
    """The roles of `user`, read once per user object (one query) and kept on it."""
    if user is None or not user.is_authenticated:
        return NO_ROLES
    cached = getattr(user, "_pd_roles", None)
    if cached is not None:
        return cached
    admin = False
    providers: set[int] = set()
    districts: set[int] = set()
    for kind, provider_id, district_id in Role.objects.filter(user=user).values_list(
        "kind", "provider_id", "district_id"
    ):
        if kind == Role.Kind.ALLIANCE_ADMIN:
            admin = True
        elif kind == Role.Kind.PROVIDER_STAFF:
            providers.add(provider_id)
        elif kind == Role.Kind.DISTRICT_COORDINATOR:
            districts.add(district_id)
    roles = Roles(admin or user.is_superuser, frozenset(providers), frozenset(districts))
    user._pd_roles = roles
    return roles


def forget_roles(user: User) -> None:
    """Drop the cached roles after they change (tests, role services)."""
    user.__dict__.pop("_pd_roles", None)


def can_manage_provider(user: User | AnonymousUser | None, provider_id: int | None) -> bool:
    """Provider staff manage their provider's catalog; Alliance admins every provider's."""
    roles = roles_of(user)
    return roles.alliance_admin or (provider_id is not None and provider_id in roles.provider_ids)


def managed_provider_ids(user: User | AnonymousUser | None) -> frozenset[int] | None:
    """Providers `user` manages, or None meaning all of them (Alliance admin)."""
    roles = roles_of(user)
    return None if roles.alliance_admin else roles.provider_ids


def can_coordinate_district(user: User | AnonymousUser | None, district_id: int | None) -> bool:
    roles = roles_of(user)
    return district_id is not None and district_id in roles.district_ids


def can_verify_district_members(user: User | AnonymousUser | None, district) -> bool:
    """Confirm or reject the people who name `district`: its coordinators; where it has none,
    the staff of the provider it is a member of, and Alliance admins."""
    if district is None:
        return False
    roles = roles_of(user)
    if district.pk in roles.district_ids:
        return True
    if Role.objects.filter(kind=Role.Kind.DISTRICT_COORDINATOR, district=district).exists():
        return False
    return roles.alliance_admin or (
        district.member_of_id is not None and district.member_of_id in roles.provider_ids
    )

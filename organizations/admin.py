"""The admin for providers, districts, schools, profiles, roles and people, and the permission
mixins every admin in the project uses.

Who may do what in the admin follows our roles (organizations.permissions), not Django's model
permissions: provider staff have `is_staff` but no model permissions, and see only their
provider's catalog; Alliance admins (and superusers) see and change everything.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.validators import validate_single_line

from .models import District, DistrictDomain, Profile, Provider, Role, School
from .permissions import can_manage_provider, managed_provider_ids, roles_of
from .services import grant_role


def _may_use_admin(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff


def _follow(obj: Model | None, provider_field: str) -> int | None:
    """The provider id reached from `obj` along `provider_field` ("course__provider")."""
    *path, last = provider_field.split("__")
    for name in path:
        # getattr's default also covers an unsaved object's missing relation
        # (RelatedObjectDoesNotExist is an AttributeError).
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _may_manage(request: HttpRequest, obj: Model | None, provider_field: str) -> bool:
    if not (_may_use_admin(request) and roles_of(request.user).is_provider_staff):
        return False
    return obj is None or can_manage_provider(request.user, _follow(obj, provider_field))


def _provider_lookup(model: type[Model]) -> str | None:
    """How to filter `model` to some providers: "pk" for Provider, "provider" for a model that
    belongs to one (Program, Course, Venue), None for anything else."""
    if model is Provider:
        return "pk"
    field = next((f for f in model._meta.fields if f.name == "provider"), None)
    if field is not None and field.related_model is Provider:
        return "provider"
    return None


class SingleLineCharFields:
    """A ModelAdmin mixin: every one-line text field (a model CharField: names, titles,
    codes) refuses line breaks and control characters, which would break the email headers
    and calendar lines they end up in."""

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.CharField) and isinstance(formfield, forms.CharField):
            formfield.validators.append(validate_single_line)
        return formfield


class ProviderScopedAdmin(SingleLineCharFields):
    """A ModelAdmin mixin: provider staff see, add, change and delete only objects of the
    providers they manage; Alliance admins everything.

    `provider_field` is the lookup from the model to its provider, e.g. "provider" or
    "course__provider". Foreign-key choices (provider, program, course, venue) are limited to
    the user's providers too, so a form cannot attach an object to another provider.
    """

    provider_field: str = "provider"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        provider_ids = managed_provider_ids(request.user)
        if provider_ids is None:
            return queryset
        return queryset.filter(**{f"{self.provider_field}__in": provider_ids})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request, None, self.provider_field)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _may_manage(request, obj, self.provider_field)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _may_manage(request, None, self.provider_field)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _may_manage(request, obj, self.provider_field)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _may_manage(request, obj, self.provider_field)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        lookup = _provider_lookup(db_field.related_model)
        provider_ids = managed_provider_ids(request.user)
        if lookup is not None and provider_ids is not None:
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
            if queryset is None:
                queryset = db_field.related_model._default_manager.all()
            kwargs["queryset"] = queryset.filter(**{f"{lookup}__in": provider_ids})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        provider_ids = managed_provider_ids(request.user)
        if (
            provider_ids is not None
            and len(provider_ids) == 1
            and _provider_lookup(self.model) == "provider"
        ):
            initial.setdefault("provider", next(iter(provider_ids)))
        return initial


class ProviderScopedInline(ProviderScopedAdmin):
    """An inline mixin: the permission checks receive the parent object, so `provider_field` is
    the lookup from the parent (e.g. "course__provider" for a session's meetings)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The formset already limits rows to the parent, which the parent admin scoped.
        return super(ProviderScopedAdmin, self).get_queryset(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _may_manage(request, obj, self.provider_field)


class AllianceAdminOnly(SingleLineCharFields):
    """A ModelAdmin (or inline) mixin: Alliance admins manage these objects; provider staff may
    view them when `staff_may_view` (reference data such as districts), else not at all."""

    staff_may_view: bool = False

    def _is_alliance_admin(self, request: HttpRequest) -> bool:
        return _may_use_admin(request) and roles_of(request.user).alliance_admin

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if (
            self.staff_may_view
            and _may_use_admin(request)
            and roles_of(request.user).is_provider_staff
        ):
            return True
        return self._is_alliance_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_alliance_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_alliance_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_alliance_admin(request)


@admin.register(Provider)
class ProviderAdmin(AllianceAdminOnly, admin.ModelAdmin):
    staff_may_view = True
    list_display = ("short_name", "name", "in_alliance", "email", "website")
    list_filter = ("in_alliance",)
    search_fields = ("short_name", "name")
    prepopulated_fields = {"slug": ("short_name",)}


class SchoolInline(AllianceAdminOnly, admin.TabularInline):
    model = School
    staff_may_view = True
    fields = ("name", "csde_code")
    extra = 0


class DistrictDomainInline(AllianceAdminOnly, admin.TabularInline):
    """A person whose verified primary email address is at one of these domains has their
    district verified: list only domains the district alone hands out."""

    model = DistrictDomain
    staff_may_view = True
    fields = ("domain",)
    extra = 0


@admin.register(District)
class DistrictAdmin(AllianceAdminOnly, admin.ModelAdmin):
    staff_may_view = True
    list_display = ("name", "csde_code", "town", "kind", "member_of")
    list_filter = ("kind", "member_of")
    list_select_related = ("member_of",)
    search_fields = ("name", "csde_code", "town", "domains__domain")
    inlines = [DistrictDomainInline, SchoolInline]


@admin.register(School)
class SchoolAdmin(AllianceAdminOnly, admin.ModelAdmin):
    staff_may_view = True
    list_display = ("name", "csde_code", "district")
    list_select_related = ("district",)
    list_filter = ("district__kind",)
    search_fields = ("name", "csde_code", "district__name")
    autocomplete_fields = ("district",)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = (
            "user",
            "district",
            "school",
            "position",
            "certification_number",
            "completed_at",
            "district_confirmed_by",
            "district_confirmed_at",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        district, school = cleaned.get("district"), cleaned.get("school")
        if school is not None and (district is None or school.district_id != district.pk):
            self.add_error("school", "That school is not in the district chosen.")
        return cleaned


@admin.register(Profile)
class ProfileAdmin(AllianceAdminOnly, admin.ModelAdmin):
    form = ProfileForm
    list_display = ("user", "district", "school", "position", "completed_at")
    list_select_related = ("user", "district", "school")
    list_filter = ("position", "district__member_of")
    search_fields = ("user__email", "user__first_name", "user__last_name", "district__name")
    autocomplete_fields = ("user", "district", "school", "district_confirmed_by")


@admin.register(Role)
class RoleAdmin(AllianceAdminOnly, admin.ModelAdmin):
    """Roles are granted (added) or revoked (deleted), never edited in place."""

    list_display = ("user", "kind", "provider", "district")
    list_select_related = ("user", "provider", "district")
    list_filter = ("kind", "provider")
    search_fields = ("user__email", "user__first_name", "user__last_name", "district__name")
    autocomplete_fields = ("user", "district")

    def has_change_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Role, form, change: bool) -> None:
        # The one way a role is granted: grant_role also gives staff the admin flag.
        role = grant_role(
            user=obj.user, kind=obj.kind, provider=obj.provider, district=obj.district
        )
        obj.pk, obj._state = role.pk, role._state


@admin.register(User)
class PersonAdmin(AllianceAdminOnly, UserAdmin):
    """People: Alliance admins only. Only superusers grant superuser or Django permissions, or
    change a superuser (their password included), so an Alliance admin cannot rise above their
    role."""

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("is_superuser", "groups", "user_permissions")
        return fields

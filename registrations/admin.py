"""Registrations in the admin: a read-only list, scoped to the sessions of the user's providers.

A registration changes only through registrations.services (seats, the waitlist, emails), so the
admin offers no add, change or delete.
"""

from django.contrib import admin
from django.http import HttpRequest

from organizations.admin import ProviderScopedAdmin

from .models import Registration


@admin.register(Registration)
class RegistrationAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    provider_field = "session__course__provider"
    list_display = (
        "person",
        "session",
        "status",
        "district",
        "position",
        "price",
        "payer",
        "queued_at",
    )
    list_select_related = ("person", "session__course", "district")
    list_filter = (
        "status",
        "payer",
        "position",
        ("session__course__provider", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "person__email",
        "person__first_name",
        "person__last_name",
        "session__course__title",
        "district__name",
    )
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

"""Certificates in the admin: a read-only list scoped to the sessions of the user's providers.

A certificate is issued and revoked only by certificates.services, when attendance changes a
completion (correct the attendance on the roster page to change one).
"""

from django.contrib import admin
from django.http import HttpRequest

from organizations.admin import ProviderScopedAdmin

from .models import Certificate


@admin.register(Certificate)
class CertificateAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    provider_field = "registration__session__course__provider"
    list_display = ("number", "person", "course", "hours", "valid", "issued_at", "revoked_at")
    list_select_related = ("registration__person", "registration__session__course")
    list_filter = (
        ("revoked_at", admin.EmptyFieldListFilter),
        ("registration__session__course__provider", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "number",
        "registration__person__email",
        "registration__person__first_name",
        "registration__person__last_name",
        "registration__session__course__title",
    )
    date_hierarchy = "issued_at"
    ordering = ("-issued_at", "-pk")
    fields = (
        "number",
        "registration",
        "credited_minutes",
        "issued_at",
        "revoked_at",
        "revoked_reason",
    )

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="person", ordering="registration__person__last_name")
    def person(self, certificate: Certificate) -> str:
        return str(certificate.registration.person)

    @admin.display(description="course", ordering="registration__session__course__title")
    def course(self, certificate: Certificate) -> str:
        return str(certificate.registration.session)

    @admin.display(description="valid", boolean=True, ordering="revoked_at")
    def valid(self, certificate: Certificate) -> bool:
        return certificate.is_valid

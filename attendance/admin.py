"""Attendance and headcounts in the admin: read-only lists with their audit trail (who, when,
old and new value, from django-simple-history), scoped to the sessions of the user's providers.

Corrections go through the roster page (or the API), which call attendance.services, so a
change recomputes completion and issues or revokes certificates in the same transaction. The
admin therefore offers no add, change or delete: editing a row here would skip those rules.
"""

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from organizations.admin import ProviderScopedAdmin

from .models import Attendance, Headcount


class ReadOnlyHistoryAdmin(ProviderScopedAdmin, SimpleHistoryAdmin):
    """Viewable (with history) by the staff of the session's provider; never edited here."""

    provider_field = "meeting__session__course__provider"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="session", ordering="meeting__session__course__title")
    def session(self, obj: Attendance | Headcount) -> str:
        return str(obj.meeting.session)


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "session",
        "meeting",
        "person",
        "status",
        "minutes",
        "source",
        "recorded_by",
        "recorded_at",
    )
    list_select_related = ("meeting__session__course", "registration__person", "recorded_by")
    list_filter = (
        "status",
        "source",
        ("meeting__session__course__provider", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "registration__person__email",
        "registration__person__first_name",
        "registration__person__last_name",
        "meeting__session__course__title",
        "meeting__session__title",
    )
    date_hierarchy = "recorded_at"
    ordering = ("-recorded_at", "-pk")

    @admin.display(description="person", ordering="registration__person__last_name")
    def person(self, attendance: Attendance) -> str:
        return str(attendance.registration.person)


@admin.register(Headcount)
class HeadcountAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "session",
        "meeting",
        "audience",
        "count",
        "district",
        "recorded_by",
        "recorded_at",
    )
    list_select_related = ("meeting__session__course", "district", "recorded_by")
    list_filter = (
        "audience",
        ("meeting__session__course__provider", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("meeting__session__course__title", "meeting__session__title", "district__name")
    date_hierarchy = "recorded_at"
    ordering = ("-recorded_at", "-pk")

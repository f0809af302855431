"""The activity log in the admin: read-only, for finding what happened (search by request id
from a log line or an error report).

Alliance admins see every row; provider staff see the rows of their providers' sessions (and
of those sessions' registrations). Rows are written only by activity.services.record_activity,
so the admin offers no add, change or delete.
"""

from django.contrib import admin
from django.http import HttpRequest

from organizations.admin import ProviderScopedAdmin

from .models import Activity
from .presenters import system_label
from .verbs import verb_label


@admin.register(Activity)
class ActivityAdmin(ProviderScopedAdmin, admin.ModelAdmin):
    provider_field = "session__course__provider"
    list_display = ("created_at", "who", "what", "target", "registration_id", "session")
    list_select_related = ("actor", "target_type", "session__course")
    list_filter = ("verb", "created_at", "system")
    search_fields = ("=request_id",)
    search_help_text = "The request id from a log line or an error report."
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "actor",
        "system",
        "verb",
        "target_type",
        "target_id",
        "registration",
        "session",
        "person",
        "changes",
        "reason",
        "request_id",
    )
    fields = readonly_fields

    @admin.display(description="who", ordering="actor__email")
    def who(self, activity: Activity) -> str:
        if activity.system:
            return system_label(activity.system)
        return str(activity.actor) if activity.actor else "A deleted account"

    @admin.display(description="what", ordering="verb")
    def what(self, activity: Activity) -> str:
        return f"{verb_label(activity.verb)} ({activity.verb})"

    @admin.display(description="record")
    def target(self, activity: Activity) -> str:
        return f"{activity.target_type.model} {activity.target_id}"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

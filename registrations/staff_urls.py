"""Provider staff's registration tools, under /staff/ (see registrations.staff_views)."""

from django.urls import path

from . import staff_views

app_name = "staff"
urlpatterns = [
    path("staff/sessions/", staff_views.session_list, name="sessions"),
    path(
        "staff/sessions/<int:pk>/registrations/",
        staff_views.session_registrations,
        name="session_registrations",
    ),
    path(
        "staff/sessions/<int:pk>/registrations/<int:registration_pk>/cancel/",
        staff_views.cancel,
        name="cancel",
    ),
    path(
        "staff/sessions/<int:pk>/registrations/<int:registration_pk>/promote/",
        staff_views.promote,
        name="promote",
    ),
    path(
        "staff/sessions/<int:pk>/registrations/<int:registration_pk>/move/",
        staff_views.move,
        name="move",
    ),
    path("staff/sessions/<int:pk>/capacity/", staff_views.capacity, name="capacity"),
    path("staff/sessions/<int:pk>/roster.csv", staff_views.roster_csv, name="roster_csv"),
    path("staff/billing/", staff_views.billing, name="billing"),
    path("staff/billing.csv", staff_views.billing_csv, name="billing_csv"),
]

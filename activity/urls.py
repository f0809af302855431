from django.urls import path

from . import views

app_name = "activity"
urlpatterns = [
    path("me/registrations/<int:pk>/", views.my_registration, name="my_registration"),
    path(
        "staff/sessions/<int:pk>/registrations/<int:registration_pk>/",
        views.staff_registration,
        name="staff_registration",
    ),
    path("staff/sessions/<int:pk>/history/", views.session_history, name="session_history"),
]

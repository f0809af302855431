from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("evaluations/<int:pk>/", views.evaluate, name="evaluate"),
    path(
        "staff/sessions/<int:pk>/registrations/<int:registration_pk>/excuse-evaluation/",
        views.excuse,
        name="excuse",
    ),
]

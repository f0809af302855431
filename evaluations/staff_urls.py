"""Provider staff's evaluation forms, under /staff/ (see evaluations.staff_views)."""

from django.urls import path

from . import staff_views

app_name = "evaluation_forms"
urlpatterns = [
    path("staff/evaluation-forms/", staff_views.form_list, name="list"),
    path("staff/evaluation-forms/new/", staff_views.form_new, name="new"),
    path("staff/evaluation-forms/<int:pk>/", staff_views.form_detail, name="detail"),
    path("staff/evaluation-forms/<int:pk>/edit/", staff_views.form_edit, name="edit"),
]

from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("evaluations/<int:pk>/", views.evaluate, name="evaluate"),
]

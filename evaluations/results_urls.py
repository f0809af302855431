from django.urls import path

from . import results_views

app_name = "evaluation_results"

urlpatterns = [
    path("evaluations/results/", results_views.results_page, name="results"),
    path(
        "evaluations/results/export.<str:fmt>",
        results_views.results_export,
        name="export",
    ),
]

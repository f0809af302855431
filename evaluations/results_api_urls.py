from django.urls import path

from .results_api import EvaluationResultsView

urlpatterns = [
    path(
        "evaluations/results/",
        EvaluationResultsView.as_view(),
        name="api-evaluation-results",
    ),
]

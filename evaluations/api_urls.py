from django.urls import path

from .api import MyEvaluationView, SessionEvaluationFormView

urlpatterns = [
    path(
        "sessions/<int:pk>/evaluation-form/",
        SessionEvaluationFormView.as_view(),
        name="api-evaluation-form",
    ),
    path(
        "registrations/<int:pk>/evaluation/",
        MyEvaluationView.as_view(),
        name="api-my-evaluation",
    ),
]

from django.urls import path

from .api import ReachReportView

urlpatterns = [
    path("reports/reach/", ReachReportView.as_view(), name="api-reports-reach"),
]

from django.urls import path

from .api import HeadcountView, RosterView

urlpatterns = [
    path("sessions/<int:pk>/attendance/", RosterView.as_view(), name="api-attendance"),
    path("sessions/<int:pk>/headcounts/", HeadcountView.as_view(), name="api-headcounts"),
]

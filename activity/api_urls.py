from django.urls import path

from .api import ActivityList

urlpatterns = [
    path("activity/", ActivityList.as_view(), name="api-activity"),
]

from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("approvals/people/", views.district_people, name="district_people"),
    path(
        "approvals/people/<int:pk>/decide/",
        views.decide_district_member,
        name="decide_district_member",
    ),
]

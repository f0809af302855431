from django.urls import path

from . import views

app_name = "attendance"
urlpatterns = [
    path("trainer/", views.trainer_home, name="trainer_home"),
    path("trainer/sessions/<int:pk>/roster/", views.roster, name="roster"),
    path("trainer/meetings/<int:meeting_pk>/present/", views.mark_present, name="mark_present"),
    path("trainer/meetings/<int:meeting_pk>/walk-in/", views.walk_in, name="walk_in"),
    path(
        "trainer/meetings/<int:meeting_pk>/headcounts/",
        views.add_headcount,
        name="add_headcount",
    ),
    path("trainer/headcounts/<int:pk>/delete/", views.remove_headcount, name="remove_headcount"),
    path("trainer/meetings/<int:meeting_pk>/checkin/", views.check_in_code, name="check_in_code"),
    path(
        "trainer/meetings/<int:meeting_pk>/checkin/rotate/",
        views.rotate_code,
        name="rotate_code",
    ),
    path("checkin/", views.check_in_by_code, name="check_in_by_code"),
    path("checkin/<str:code>/", views.check_in_view, name="check_in"),
]

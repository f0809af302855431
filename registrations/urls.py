from django.urls import path

from . import views

app_name = "registrations"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/decide/", views.decide, name="decide"),
    path("approvals/group/", views.group_registration, name="group"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("registrations/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("me/calendar/reset/", views.reset_feed, name="reset_feed"),
    path("sessions/<int:pk>/register/", views.register_view, name="register"),
    path("sessions/<int:pk>/calendar.ics", views.session_calendar, name="session_calendar"),
    path("calendar/<str:token>.ics", views.personal_feed, name="feed"),
    path("registrations/<int:pk>/cancel/", views.cancel_view, name="cancel"),
    path("registrations/release/<str:token>/", views.release_view, name="release"),
]

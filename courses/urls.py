from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("", views.catalog, name="home"),
    path("courses/", views.catalog, name="catalog"),
    path("courses/<slug:slug>/", views.course_detail, name="course_detail"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
]

from django.urls import path

from . import views, views_exports

app_name = "reports"

urlpatterns = [
    path("reports/reach/", views.reach, name="reach"),
    path("reports/reach/compare/", views.compare, name="compare"),
    path("reports/reach/export.<str:fmt>", views_exports.export, name="export"),
    path("reports/reach/detail.csv", views_exports.detail, name="detail"),
]

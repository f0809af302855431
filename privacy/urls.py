from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_json, name="my_data_json"),
    path("me/delete/", views.delete_account, name="delete_account"),
]

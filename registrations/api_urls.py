from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import RegisterView, RegistrationViewSet

router = SimpleRouter()
router.register("registrations", RegistrationViewSet, basename="registration")

urlpatterns = [
    path("sessions/<int:pk>/register/", RegisterView.as_view(), name="api-register"),
    *router.urls,
]

from django.urls import path

from .api import MyCertificatesView, VerifyCertificateView

urlpatterns = [
    path("certificates/", MyCertificatesView.as_view(), name="api-certificates"),
    path(
        "certificates/verify/<str:code>/",
        VerifyCertificateView.as_view(),
        name="api-certificate-verify",
    ),
]

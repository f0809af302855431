from django.urls import path

from .api import CertificatePdfView, MyCertificatesView, VerifyCertificateView

urlpatterns = [
    path("certificates/", MyCertificatesView.as_view(), name="api-certificates"),
    path("certificates/<int:pk>/pdf/", CertificatePdfView.as_view(), name="api-certificate-pdf"),
    path(
        "certificates/verify/<str:code>/",
        VerifyCertificateView.as_view(),
        name="api-certificate-verify",
    ),
]

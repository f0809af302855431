from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="pdf"),
    path("certificates/verify/<str:code>/", views.verify, name="verify"),
    path("transcripts/verify/<str:code>/", views.transcript_verify, name="transcript_verify"),
    path(
        "staff/sessions/<int:pk>/certificates.zip",
        views.session_certificates_zip,
        name="session_zip",
    ),
    path("me/transcript.pdf", views.my_transcript, {"fmt": "pdf"}, name="my_transcript_pdf"),
    path("me/transcript.csv", views.my_transcript, {"fmt": "csv"}, name="my_transcript_csv"),
    path(
        "staff/people/<int:pk>/transcript.pdf",
        views.staff_transcript,
        {"fmt": "pdf"},
        name="staff_transcript_pdf",
    ),
    path(
        "staff/people/<int:pk>/transcript.csv",
        views.staff_transcript,
        {"fmt": "csv"},
        name="staff_transcript_csv",
    ),
]

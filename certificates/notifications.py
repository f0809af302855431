from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.validators import one_line

from .models import Certificate


@task
def send_certificate_email(*, certificate_id: int) -> None:
    certificate = (
        Certificate.objects.select_related("registration__person", "registration__session__course")
        .filter(pk=certificate_id, revoked_at__isnull=True)
        .first()
    )
    if certificate is None:
        return
    context = {
        "certificate": certificate,
        "registration": certificate.registration,
        "pdf_url": settings.SITE_URL + reverse("certificates:pdf", kwargs={"pk": certificate.pk}),
        "verify_url": settings.SITE_URL + certificate.get_verify_path(),
        "me_url": settings.SITE_URL + reverse("registrations:me"),
    }
    EmailMessage(
        subject=one_line(f"Your certificate: {certificate.registration.session.course.title}"),
        body=render_to_string("certificates/email/issued.txt", context),
        to=[certificate.registration.person.email],
    ).send()

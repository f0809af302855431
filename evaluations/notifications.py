"""Emails asking people to evaluate a session, sent after the change commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.validators import one_line
from registrations.models import Registration

SUBJECTS = {
    "asked": "Please evaluate: {title}",
    "reminder": "Reminder: please evaluate {title}",
}


def after_commit(registration: Registration, kind: str) -> None:
    registration_id = registration.pk
    transaction.on_commit(
        lambda: send_evaluation_email.enqueue(registration_id=registration_id, kind=kind)
    )


@task
def send_evaluation_email(*, registration_id: int, kind: str) -> None:
    registration = (
        Registration.objects.select_related("person", "session__course")
        .filter(pk=registration_id, evaluation__isnull=True)
        .first()
    )
    if registration is None:
        return  # answered (or gone) since: nothing to ask
    context = {
        "registration": registration,
        "session": registration.session,
        "kind": kind,
        "url": settings.SITE_URL + reverse("evaluations:evaluate", kwargs={"pk": registration.pk}),
        "holds_certificate": registration.session.evaluation_required,
    }
    EmailMessage(
        subject=one_line(SUBJECTS[kind].format(title=registration.session.course.title)),
        body=render_to_string("evaluations/email/ask.txt", context),
        to=[registration.person.email],
    ).send()

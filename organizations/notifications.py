"""Emails about a person's district claim, queued after commit and sent by a task."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User

SUBJECTS = {
    "confirmed": "Your district is verified: {district}",
    "rejected": "Your district could not be confirmed: {district}",
}


def district_decision_after_commit(
    *, person: User, kind: str, district_name: str, reason: str = ""
) -> None:
    person_id = person.pk
    transaction.on_commit(
        lambda: send_district_decision.enqueue(
            person_id=person_id, kind=kind, district_name=district_name, reason=reason
        )
    )


@task
def send_district_decision(*, person_id: int, kind: str, district_name: str, reason: str) -> None:
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        return
    context = {
        "person": person,
        "kind": kind,
        "district_name": district_name,
        "reason": reason,
        "profile_url": settings.SITE_URL + reverse("organizations:profile"),
    }
    EmailMessage(
        subject=SUBJECTS[kind].format(district=district_name),
        body=render_to_string("organizations/email/district_decision.txt", context),
        to=[person.email],
    ).send()

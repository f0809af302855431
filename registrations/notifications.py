"""Emails about a registration, with calendar invites. Queued after commit, sent by a task.

A rolled-back change sends nothing: `after_commit` enqueues only once the transaction commits.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.validators import one_line

from .ics import session_calendar
from .models import Invitation, Registration

SUBJECTS = {
    "confirmed": "You are registered: {session}",
    "waitlisted": "You are on the waitlist: {session}",
    "pending": "Your registration awaits approval: {session}",
    "promoted": "A seat opened up — you are registered: {session}",
    "approved": "Your registration was approved: {session}",
    "declined": "Your registration was declined: {session}",
    "cancelled": "Registration cancelled: {session}",
    "moved": "You were moved to another session: {session}",
    "session_changed": "Updated schedule: {session}",
    "session_cancelled": "Cancelled by the provider: {session}",
    "reminder": "Reminder: {session} starts soon",
    "transferred_away": "Your seat went to a colleague: {session}",
    "transferred_in": "A colleague gave you their seat: {session}",
}
# Kinds whose email carries an invite (METHOD:REQUEST) when the person holds a seat.
INVITE_KINDS = {
    "confirmed",
    "promoted",
    "approved",
    "moved",
    "session_changed",
    "reminder",
    "transferred_in",
}
RELEASE_SALT = "registrations.release"


def after_commit(registration: Registration, kind: str) -> None:
    registration_id = registration.pk
    transaction.on_commit(
        lambda: send_registration_email.enqueue(registration_id=registration_id, kind=kind)
    )


def approvers_after_commit(registration: Registration) -> None:
    registration_id = registration.pk
    transaction.on_commit(lambda: send_approval_request.enqueue(registration_id=registration_id))


def approvers_of(registration: Registration) -> list[str]:
    """The district's coordinators, or the provider's staff when the district has none."""
    from organizations.models import Role

    coordinators = Role.objects.filter(
        kind=Role.Kind.DISTRICT_COORDINATOR, district_id=registration.district_id
    ).values_list("user__email", flat=True)
    if registration.district_id and coordinators.exists():
        return sorted(coordinators)
    return sorted(
        Role.objects.filter(
            kind=Role.Kind.PROVIDER_STAFF, provider_id=registration.session.course.provider_id
        ).values_list("user__email", flat=True)
    )


@task
def send_approval_request(*, registration_id: int) -> None:
    registration = (
        Registration.objects.select_related("session__course__provider", "person", "district")
        .filter(pk=registration_id, status=Registration.Status.PENDING)
        .first()
    )
    if registration is None:
        return
    recipients = approvers_of(registration)
    if not recipients:
        return
    context = {
        "registration": registration,
        "approvals_url": settings.SITE_URL + reverse("registrations:approvals"),
    }
    EmailMultiAlternatives(
        subject=one_line(
            f"Approval needed: {registration.person.get_full_name()} for {registration.session}"
        ),
        body=render_to_string("registrations/email/approval_request.txt", context),
        to=recipients,
    ).send()


def invitation_after_commit(invitation: Invitation) -> None:
    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation_id=invitation_id))


@task
def send_invitation_email(*, invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("session__course__provider", "district", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return
    url = settings.SITE_URL + reverse(
        "registrations:invitation", kwargs={"token": invitation.token}
    )
    context = {"invitation": invitation, "session": invitation.session, "url": url}
    EmailMultiAlternatives(
        subject=one_line(f"You are invited to register: {invitation.session}"),
        body=render_to_string("registrations/email/invitation.txt", context),
        to=[invitation.email],
    ).send()


def release_url(registration: Registration) -> str:
    """A link that lets a promoted person give the seat back with one click (and a confirm)."""
    token = signing.dumps(registration.pk, salt=RELEASE_SALT)
    return settings.SITE_URL + reverse("registrations:release", kwargs={"token": token})


@task
def send_registration_email(*, registration_id: int, kind: str) -> None:
    registration = (
        Registration.objects.select_related("session__course__provider", "session__venue", "person")
        .prefetch_related("session__meetings")
        .filter(pk=registration_id)
        .first()
    )
    # A deleted (or deactivated) account gets no email: its address is a placeholder.
    if registration is None or not registration.person.is_active:
        return
    message = build_email(registration, kind)
    message.send()


def build_email(registration: Registration, kind: str) -> EmailMultiAlternatives:
    from .services import waitlist_position

    session = registration.session
    context = {
        "registration": registration,
        "session": session,
        "kind": kind,
        "site_url": settings.SITE_URL,
        "session_url": settings.SITE_URL + session.get_absolute_url(),
        "me_url": settings.SITE_URL + reverse("registrations:me"),
        "position": waitlist_position(registration),
        "release_url": release_url(registration) if kind == "promoted" else "",
    }
    message = EmailMultiAlternatives(
        subject=one_line(SUBJECTS[kind].format(session=session)),
        body=render_to_string("registrations/email/registration.txt", context),
        to=[registration.person.email],
    )
    if kind in INVITE_KINDS and registration.status == Registration.Status.CONFIRMED:
        message.attach(
            "invite.ics",
            session_calendar([session], method="REQUEST"),
            "text/calendar; method=REQUEST",
        )
    elif (
        kind in {"cancelled", "declined", "session_cancelled", "transferred_away"}
        or session.is_cancelled
    ):
        message.attach(
            "cancel.ics",
            session_calendar([session], method="CANCEL", cancelled=True),
            "text/calendar; method=CANCEL",
        )
    return message

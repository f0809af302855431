"""Emails about a registration, with calendar invites. Queued after commit, sent by a task.

A rolled-back change sends nothing: `after_commit` enqueues only once the transaction commits.
"""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from accounts.validators import one_line

from .ics import online_link, session_calendar
from .models import Invitation, Registration
from .selectors import approvers, waitlist_position

logger = logging.getLogger(__name__)

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
    "transfer_pending": "A colleague offers you their seat, pending approval: {session}",
    "transfer_declined": "Your seat stays yours: {session}",
    "walk_in": "You were added to {session}",
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
    "walk_in",
}
# Kinds with their own template (registrations/email/<kind>.txt); the rest share registration.txt.
OWN_TEMPLATE_KINDS = {"walk_in"}
RELEASE_SALT = "registrations.release"


def after_commit(registration: Registration, kind: str, *, by=None) -> None:
    """Email the registrant about `kind` once the transaction commits; `by` is who acted,
    named in the email where it matters (a walk-in says who added them)."""
    registration_id = registration.pk
    extra = {"by_id": by.pk} if by is not None else {}
    transaction.on_commit(
        lambda: send_registration_email.enqueue(registration_id=registration_id, kind=kind, **extra)
    )


def approvers_after_commit(registration: Registration) -> None:
    registration_id = registration.pk
    transaction.on_commit(lambda: send_approval_request.enqueue(registration_id=registration_id))


def approvers_of(registration: Registration) -> list[str]:
    """The addresses of the people asked to decide (selectors.approvers, the one rule)."""
    return list(approvers(registration).values_list("email", flat=True))


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
        # No coordinator, no provider staff and no Alliance admin: an installation problem.
        logger.error("approval request %s has nobody to decide it", registration_id)
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
def send_registration_email(*, registration_id: int, kind: str, by_id: int | None = None) -> None:
    registration = (
        Registration.objects.select_related("session__course__provider", "session__venue", "person")
        .prefetch_related("session__meetings")
        .filter(pk=registration_id)
        .first()
    )
    # A deleted (or deactivated) account gets no email: its address is a placeholder.
    if registration is None or not registration.person.is_active:
        return
    by = User.objects.filter(pk=by_id).first() if by_id is not None else None
    message = build_email(registration, kind, by=by)
    message.send()


def build_email(registration: Registration, kind: str, *, by=None) -> EmailMultiAlternatives:
    session = registration.session
    # The meeting link goes to people who hold a seat, in the emails that carry an invite.
    holds_seat = (
        kind in INVITE_KINDS
        and registration.status == Registration.Status.CONFIRMED
        and not session.is_cancelled
    )
    context = {
        "registration": registration,
        "session": session,
        "kind": kind,
        "site_url": settings.SITE_URL,
        "session_url": settings.SITE_URL + session.get_absolute_url(),
        "me_url": settings.SITE_URL + reverse("registrations:me"),
        "position": waitlist_position(registration),
        "release_url": release_url(registration) if kind == "promoted" else "",
        "online_url": online_link(session) if holds_seat else "",
        "by": by,
        "provider": session.course.provider,
    }
    template = kind if kind in OWN_TEMPLATE_KINDS else "registration"
    provider_email = session.course.provider.email
    message = EmailMultiAlternatives(
        subject=one_line(SUBJECTS[kind].format(session=session)),
        body=render_to_string(f"registrations/email/{template}.txt", context),
        to=[registration.person.email],
        # "It was not me" goes to the provider, who can cancel the registration.
        reply_to=[provider_email] if kind == "walk_in" and provider_email else None,
    )
    if kind in INVITE_KINDS and registration.status == Registration.Status.CONFIRMED:
        message.attach(
            "invite.ics",
            session_calendar([session], method="REQUEST", with_link=True),
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

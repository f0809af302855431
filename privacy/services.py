"""Deleting a person's account: their personal data goes, the records others rely on stay.

What stays, anonymized through the user row (no email, no name, no password): past
registrations with their district, school and position snapshots (reach reports already
reported count them and must not change), attendance, certificates (they still verify, without
a name) and trainer certifications. What goes: email addresses, social sign-ins, the API token,
the calendar feed, the profile (certification number included), the transcripts issued (their
snapshots hold the name, school and certification number: their verify pages then say not
found), open invitations to the address, every sign-in session, and their name and address in
the admin's history (the entries stay, with a neutral label). Active registrations for sessions
that have not started
are cancelled through registrations.services, so their seats go to the waitlist at once.
"""

import datetime as dt
import logging

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session as LoginSession
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from activity.services import forget_person_in_activities
from certificates.models import IssuedTranscript
from courses.models import Session
from organizations.models import Profile, Role
from registrations.models import CalendarFeed, Invitation, Registration
from registrations.services import cancel_registration

logger = logging.getLogger("privacy")

PLACEHOLDER_DOMAIN = "invalid.example"

REFUSAL = (
    "Accounts of provider staff, district coordinators, Alliance admins and trainers of "
    "upcoming sessions are closed by an Alliance admin, so that no provider, district or "
    "session is left without the person responsible for it. Please contact an Alliance admin."
)


def placeholder_email(person: User) -> str:
    return f"deleted-{person.pk}@{PLACEHOLDER_DOMAIN}"


def is_deleted(person: User) -> bool:
    return not person.is_active and person.email == placeholder_email(person)


def deletion_refusal(person: User, *, now: dt.datetime | None = None) -> str:
    """Why `person` may not delete their own account ("" when they may)."""
    now = now or timezone.now()
    if person.is_staff or person.is_superuser or Role.objects.filter(user=person).exists():
        return REFUSAL
    leads_upcoming = (
        Session.objects.filter(trainers=person)
        .annotate(last_ends_at=Max("meetings__ends_at"))
        .filter(Q(last_ends_at__gte=now) | Q(last_ends_at__isnull=True))
        .exists()
    )
    return REFUSAL if leads_upcoming else ""


@transaction.atomic
def delete_personal_data(*, person: User, now: dt.datetime | None = None) -> User:
    """Delete `person`'s personal data and deactivate the account (see the module docstring).

    Raises ValidationError when the account is one an Alliance admin must close.
    """
    now = now or timezone.now()
    person = User.objects.select_for_update().get(pk=person.pk)
    refusal = deletion_refusal(person, now=now)
    if refusal:
        raise ValidationError(refusal, code="needs_admin")
    original_email = person.email
    original_name = person.full_name
    profile_ids = list(Profile.objects.filter(user=person).values_list("pk", flat=True))

    upcoming = (
        Registration.objects.filter(person=person, status__in=Registration.ACTIVE)
        .annotate(first_starts_at=Min("session__meetings__starts_at"))
        .filter(Q(first_starts_at__gt=now) | Q(first_starts_at__isnull=True))
    )
    for registration in upcoming:
        cancel_registration(registration=registration, by=person, now=now)

    EmailAddress.objects.filter(user=person).delete()
    SocialAccount.objects.filter(user=person).delete()  # their tokens cascade
    Token.objects.filter(user=person).delete()
    CalendarFeed.objects.filter(person=person).delete()
    Profile.objects.filter(user=person).delete()
    IssuedTranscript.objects.filter(person=person).delete()
    Invitation.objects.filter(email__iexact=original_email, registration__isnull=True).delete()
    Invitation.objects.filter(registration__person=person).update(email=placeholder_email(person))
    _end_login_sessions(person, now=now)
    _forget_in_admin_log(person, email=original_email, name=original_name, profile_ids=profile_ids)
    forget_person_in_activities(person=person, email=original_email, name=original_name)

    person.email = placeholder_email(person)
    person.first_name = person.last_name = ""
    person.set_unusable_password()
    person.is_active = False
    person.save()
    # The id only: after a restore from backup, this log says whose data to delete again.
    account_id = person.pk
    transaction.on_commit(
        lambda: logger.info("deleted the personal data of account %s", account_id)
    )
    return person


def _forget_in_admin_log(person: User, *, email: str, name: str, profile_ids: list[int]) -> None:
    """The admin's history keeps each entry (who changed what, when) but no longer names the
    person: entries about their account or profile, and any whose label holds their name or
    address, get a neutral label. (The admin's own deletion entries would otherwise keep
    "Robin Quill" in django_admin_log.object_repr for ever.)"""
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk))
    if profile_ids:
        about |= Q(
            content_type=ContentType.objects.get_for_model(Profile),
            object_id__in=[str(pk) for pk in profile_ids],
        )
    about |= Q(object_repr__icontains=email)
    if len(name) >= 3:  # a one- or two-letter name would blank unrelated entries
        about |= Q(object_repr__icontains=name)
    LogEntry.objects.filter(about).update(object_repr=f"deleted account {person.pk}")


def _end_login_sessions(person: User, *, now: dt.datetime) -> None:
    """Delete the person's sign-in sessions (database sessions hold no user index, so each
    unexpired one is decoded). The unusable password would end them anyway: Django checks a
    session's password hash on every request."""
    mine = [
        session.session_key
        for session in LoginSession.objects.filter(expire_date__gt=now).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(person.pk)
    ]
    LoginSession.objects.filter(session_key__in=mine).delete()

"""API tokens: one per person (DRF's authtoken model keys the token by user). Creating shows the
key once on the page; revoking deletes it, so every script using it gets 401 at once."""

from allauth.account.adapter import get_adapter
from allauth.account.utils import has_verified_email
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from .models import User

BAD_CREDENTIALS = "Unable to sign in with that email and password."
TOO_MANY_ATTEMPTS = (
    "Too many failed sign-in attempts for this address. Please wait a few minutes, or reset "
    "your password."
)
UNVERIFIED = (
    "Please verify your email address first: sign in on the website and follow the link we "
    "email you."
)


class TooManySignInAttempts(ValidationError):
    """allauth's failed-login limit for the address is spent (the API answers 429)."""


def _lock_person(person: User) -> None:
    # Token creation for one person is serialised on their user row: two simultaneous
    # requests would otherwise both find no token and both insert one.
    User.objects.select_for_update().filter(pk=person.pk).first()


@transaction.atomic
def create_api_token(*, person: User) -> Token:
    """A new API token for `person`. One per person: revoke the old one first."""
    _lock_person(person)
    if Token.objects.filter(user=person).exists():
        raise ValidationError(
            "You already have an API token. Revoke it first to create a new one.", code="exists"
        )
    return Token.objects.create(user=person)


@transaction.atomic
def api_token_for(*, person: User) -> Token:
    """`person`'s API token, created on first use; the same one when asked twice at once."""
    _lock_person(person)
    try:
        with transaction.atomic():
            token, _ = Token.objects.get_or_create(user=person)
    except IntegrityError:  # the lock makes this unreachable, but never a 500 for a race
        token = Token.objects.get(user=person)
    return token


def sign_in_for_api_token(*, request: HttpRequest, email: str, password: str) -> Token:
    """The API token of the person with `email` and `password`, checked as the web sign-in
    checks them: through allauth's adapter, so the web and the API share one count of failed
    attempts per address (ACCOUNT_RATE_LIMITS["login_failed"], which also counts per client
    address), and only for a verified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").

    `request` is what allauth's rate limit reads (client address, site).
    """
    email = email.strip().lower()
    try:
        person = get_adapter(request).authenticate(request, email=email, password=password)
    except forms.ValidationError as error:
        raise TooManySignInAttempts(TOO_MANY_ATTEMPTS, code="too_many_attempts") from error
    if person is None or not person.is_active:
        raise ValidationError(BAD_CREDENTIALS, code="invalid_login")
    if not has_verified_email(person, email):
        raise ValidationError(UNVERIFIED, code="unverified")
    return api_token_for(person=person)


@transaction.atomic
def revoke_api_token(*, person: User) -> bool:
    """Delete `person`'s API token; True when there was one."""
    deleted, _ = Token.objects.filter(user=person).delete()
    return bool(deleted)

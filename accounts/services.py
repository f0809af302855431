"""API tokens: one per person (DRF's authtoken model keys the token by user). Creating shows the
key once on the page; revoking deletes it, so every script using it gets 401 at once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import User


@transaction.atomic
def create_api_token(*, person: User) -> Token:
    """A new API token for `person`. One per person: revoke the old one first."""
    if Token.objects.filter(user=person).exists():
        raise ValidationError(
            "You already have an API token. Revoke it first to create a new one.", code="exists"
        )
    return Token.objects.create(user=person)


@transaction.atomic
def revoke_api_token(*, person: User) -> bool:
    """Delete `person`'s API token; True when there was one."""
    deleted, _ = Token.objects.filter(user=person).delete()
    return bool(deleted)

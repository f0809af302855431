"""Who may take attendance, and when it locks for trainers."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from courses.models import Session
from organizations.permissions import can_manage_provider

LOCK_AFTER = dt.timedelta(days=14)


def is_trainer_of(user: User | AnonymousUser | None, session: Session) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return session.trainers.filter(pk=user.pk).exists()


def can_take_attendance(user: User | AnonymousUser | None, session: Session) -> bool:
    """The session's trainers and its provider's staff (Alliance admins too)."""
    return can_manage_provider(user, session.course.provider_id) or is_trainer_of(user, session)


def locks_at(last_meeting_end: dt.datetime) -> dt.datetime:
    return last_meeting_end + LOCK_AFTER

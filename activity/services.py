"""record_activity: the one writer of the activity log, called inside each state-changing
service's transaction (never from views, the API or the admin); and forget_person_in_activities,
for an account's deletion."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q

from accounts.models import User
from pd_platform.logging import request_id_var

from .models import (  # noqa: F401  (the names services pass as `system`)
    COMPLETION,
    DEMO_DATA,
    EMAILED_LINK,
    INVITATION,
    REMINDER_COMMAND,
    SETTLE_COMMAND,
    SYSTEM,
    WAITLIST,
    Activity,
)

# The command or job running now, named on rows no person made (see as_system_task).
_running_task: ContextVar[str] = ContextVar("activity_running_task", default="")


@contextmanager
def as_system_task(name: str) -> Iterator[None]:
    """Name the command running the changes inside (settle_sessions, seed_demo): rows recorded
    without a person say this name instead of a generic one ("the system", "the completion
    rule"), so staff can tell a nightly settle from a person's correction."""
    token = _running_task.set(name)
    try:
        yield
    finally:
        _running_task.reset(token)


def changes_between(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def record_activity(
    *,
    verb: str,
    target: models.Model,
    actor: User | None = None,
    system: str = "",
    changes: dict | None = None,
    reason: str = "",
    registration: models.Model | None = None,
    session: models.Model | None = None,
    person: User | None = None,
) -> Activity:
    """Record one change of `target` by `actor`, or by the named `system` task when nobody
    acted in person; both when a person acted through a channel other than a page (an emailed
    link acts as the registrant). The registration, session and person it concerns are taken
    from `target` when it has them (a Registration is its own registration; anything with
    `session_id`, `person_id` or `registration_id` names them, and a target's registration
    names its person and session), unless given. Must run inside the caller's transaction, so
    the record exists exactly when the change does."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_activity runs inside the service's transaction.")
    if actor is None and not system:
        raise ValueError("record_activity needs the person acting or the system task's name.")
    if actor is None and system in (SYSTEM, COMPLETION) and _running_task.get():
        system = _running_task.get()
    is_registration = target._meta.label == "registrations.Registration"
    is_session = target._meta.label == "courses.Session"
    registration_id = (
        registration.pk
        if registration is not None
        else target.pk
        if is_registration
        else getattr(target, "registration_id", None)
    )
    session_id = (
        session.pk
        if session is not None
        else target.pk
        if is_session
        else getattr(target, "session_id", None)
    )
    person_id = person.pk if person is not None else getattr(target, "person_id", None)
    if registration is None and not is_registration and registration_id is not None:
        # An attendance or certificate row: its registration says whose it is and where.
        registration = target.registration
    if person_id is None and registration is not None:
        person_id = registration.person_id
    if session_id is None and registration is not None:
        session_id = registration.session_id
    return Activity.objects.create(
        actor=actor,
        system=system,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=target.pk,
        registration_id=registration_id,
        session_id=session_id,
        person_id=person_id,
        changes=changes or {},
        reason=reason,
        request_id=request_id_var.get(),
    )


def _blank(value, words: list[str], placeholder: str):
    """`value` (JSON: dicts, lists, strings) with each of `words` replaced, ignoring case."""
    if isinstance(value, dict):
        return {key: _blank(item, words, placeholder) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank(item, words, placeholder) for item in value]
    if isinstance(value, str):
        for word in words:
            value = re.sub(re.escape(word), placeholder, value, flags=re.IGNORECASE)
    return value


@transaction.atomic
def forget_person_in_activities(*, person: User, email: str, name: str) -> int:
    """When `person` deletes their account: keep every activity row (who did what, when, stays
    true; the actor and person columns already show the anonymized account), but replace their
    former `email` and `name` wherever a row's `changes` or `reason` holds them with
    "deleted account <id>". Returns the number of rows changed. Called inside
    privacy.services.delete_personal_data's transaction, before the account is blanked."""
    words = [word for word in (email, name) if word]
    words = [word for word in words if "@" in word or len(word) >= 3]  # "Al" would blank "Also"
    if not words:
        return 0
    placeholder = f"deleted account {person.pk}"
    mentions = Q()
    for word in words:
        mentions |= Q(reason__icontains=word) | Q(changes__icontains=word)
        escaped = json.dumps(word)[1:-1]  # SQLite keeps JSON text ASCII: "Zo\u00eb"
        if escaped != word:
            mentions |= Q(changes__icontains=escaped)
    changed = 0
    for activity in Activity.objects.filter(mentions).select_for_update().iterator():
        changes = _blank(activity.changes, words, placeholder)
        reason = _blank(activity.reason, words, placeholder)
        if changes != activity.changes or reason != activity.reason:
            Activity.objects.filter(pk=activity.pk).update(changes=changes, reason=reason)
            changed += 1
    return changed

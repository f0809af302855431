"""Activities as a viewer reads them: when, who, what, the changes and the reason.

Who acted is shown by name and email to staff (Audience.STAFF). Anyone else (the registrant
looking at their own registration, a district coordinator, a person reading their own data
export) sees other people by role only, decided from the row itself:

- the viewer themself: "You";
- the registrant, to a coordinator: "The registrant";
- staff of the session's provider: "<provider> staff" (e.g. "LEARN staff");
- one of the session's trainers: "Your trainer" / "The session's trainer";
- a coordinator of the registration's district: "Your district coordinator" / "A district
  coordinator";
- an Alliance admin: "An Alliance admin"; anyone else: "Another person";
- a system task: "The system (settle_sessions command)", or "A link in an email".

For those viewers the changes and the reason are scrubbed too: the names and addresses of the
other people on the row (who acted, whose registration it is), any other email address, and
values under keys that name a person (`to_person`, `decided_by`, `email`, ...) become
"another person", so that no one learns another person's data from their own history.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from courses.models import Session

from .models import COMPLETION, DEMO_DATA, EMAILED_LINK, INVITATION, SYSTEM, WAITLIST, Activity
from .permissions import Audience
from .verbs import ChangeLine, render_changes, session_ids_in, verb_label

ANOTHER_PERSON = "another person"
_EMAIL = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+\.[A-Za-z]{2,}")
_PERSON_KEYS = frozenset({"person", "name", "email", "actor", "colleague", "by", "trainer"})
_PERSON_SUFFIXES = ("_person", "_name", "_email", "_by", "_colleague")
SYSTEM_LABELS = {
    EMAILED_LINK: "A link in an email",
    SYSTEM: "The system",
    DEMO_DATA: "The demo data",
    WAITLIST: "The waitlist",
    COMPLETION: "The completion rule",
    INVITATION: "An invitation",
}


@dataclass(frozen=True)
class Entry:
    activity: Activity
    what: str  # the verb's label
    who: str  # a name (staff), or a role (everyone else)
    who_email: str  # staff only
    subject: str  # whose registration the row is about, for staff; "" for everyone else
    changes: dict  # as this viewer may see them
    reason: str
    lines: list[ChangeLine] = field(default_factory=list)

    @property
    def at(self):
        return self.activity.created_at


def system_label(name: str) -> str:
    return SYSTEM_LABELS.get(name) or f"The system ({name})"


def present(activities: Iterable[Activity], *, audience: Audience, viewer: User) -> list[Entry]:
    """Entries for `viewer`, in the order given. One more query when rows name sessions
    (`to_session` ...) to show their titles. Rows from activity.selectors.with_actor_roles
    let non-staff viewers see roles; without it others read "Another person"."""
    rows = list(activities)
    titles = _session_titles(rows)
    return [_entry(row, audience=audience, viewer=viewer, titles=titles) for row in rows]


def _entry(row: Activity, *, audience: Audience, viewer: User, titles: dict) -> Entry:
    if audience == Audience.STAFF:
        changes, reason = row.changes, row.reason
        who = system_label(row.system) if row.system else _name(row.actor)
        who_email = row.actor.email if row.actor is not None else ""
        subject = _name(row.registration.person) if row.registration_id else ""
    else:
        others = _other_people(row, viewer)
        changes = _scrub(row.changes, others, viewer)
        reason = _scrub(row.reason, others, viewer)
        who, who_email, subject = _role(row, audience=audience, viewer=viewer), "", ""
    return Entry(
        activity=row,
        what=verb_label(row.verb),
        who=who,
        who_email=who_email,
        subject=subject,
        changes=changes,
        reason=reason,
        lines=render_changes(changes, sessions=titles),
    )


def _name(person: User | None) -> str:
    return person.get_full_name() if person is not None else "A deleted account"


def _role(row: Activity, *, audience: Audience, viewer: User) -> str:
    yours = audience == Audience.REGISTRANT
    if row.system:
        return system_label(row.system)
    if row.actor_id is None:
        return "A deleted account"
    if row.actor_id == viewer.pk:
        return "You"
    if audience == Audience.COORDINATOR and row.actor_id == row.person_id:
        return "The registrant"
    if getattr(row, "actor_is_provider_staff", False):
        provider = row.session.course.provider.short_name if row.session_id else "Provider"
        return f"{provider} staff"
    if getattr(row, "actor_is_trainer", False):
        return "Your trainer" if yours else "The session's trainer"
    if getattr(row, "actor_is_coordinator", False):
        return "Your district coordinator" if yours else "A district coordinator"
    if getattr(row, "actor_is_alliance_admin", False) or row.actor.is_superuser:
        return "An Alliance admin"
    return "Another person"


def _other_people(row: Activity, viewer: User) -> list[str]:
    """Names and addresses of the people on `row` other than `viewer`."""
    people = [row.actor, row.person]
    if row.registration_id:
        people.append(row.registration.person)
    words = []
    for person in people:
        if person is None or person.pk == viewer.pk:
            continue
        words.append(person.email)
        if len(person.full_name) >= 3:  # a one- or two-letter name would blank other words
            words.append(person.full_name)
    return words


def _scrub(value: Any, others: list[str], viewer: User, key: str = "") -> Any:
    """`value` with other people's names and addresses replaced (recursively)."""
    if key and _names_a_person(key) and not _is_viewer(value, viewer):
        return ANOTHER_PERSON if value not in (None, "", [], {}) else value
    if isinstance(value, dict):
        return {k: _scrub(v, others, viewer, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item, others, viewer, key) for item in value]
    if not isinstance(value, str):
        return value
    for word in others:
        value = re.sub(re.escape(word), ANOTHER_PERSON, value, flags=re.IGNORECASE)
    return _EMAIL.sub(
        lambda m: m.group(0) if m.group(0).lower() == viewer.email.lower() else ANOTHER_PERSON,
        value,
    )


def _names_a_person(key: str) -> bool:
    key = key.lower()
    return key in _PERSON_KEYS or key.endswith(_PERSON_SUFFIXES)


def _is_viewer(value: Any, viewer: User) -> bool:
    if isinstance(value, list):
        return all(_is_viewer(item, viewer) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value == viewer.pk
    if isinstance(value, str):
        text = value.strip().lower()
        return text in {viewer.email.lower(), viewer.full_name.lower()} and bool(text)
    return value is None


def _session_titles(rows: list[Activity]) -> dict[int, str]:
    ids = set().union(*(session_ids_in(row.changes) for row in rows)) if rows else set()
    if not ids:
        return {}
    sessions = Session.objects.select_related("course").filter(pk__in=ids)
    return {session.pk: f"{session} (session {session.pk})" for session in sessions}

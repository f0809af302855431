"""Credited minutes and completion, stored per registration, and the certificates that follow
(held, where the session requires it, until the person has evaluated it).

The one writer of Registration.credited_minutes and Registration.completed: every service that
changes what completion depends on (attendance, meetings, threshold, trainers, a registration's
status) calls recompute_completion in its own transaction, holding the session lock. Readers
(reports, certificates, /me/) read the stored fields through attendance.selectors. These are
steps of those services, not state changes of their own: pages, the API and the admin never
call them.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from certificates.models import Certificate
from certificates.services import issue_certificate, revoke_certificate
from courses.models import Session
from evaluations.selectors import awaiting_evaluation_ids
from registrations.models import Registration

from .models import Attendance
from .selectors import completion_of, credited_minutes_subquery, stale_credited_minutes


def store_credited_minutes(registrations: QuerySet[Registration]) -> int:
    """Write the credited minutes of `registrations` from their attendance; returns how many
    changed. The caller's transaction."""
    return stale_credited_minutes(registrations).update(
        credited_minutes=credited_minutes_subquery()
    )


def recompute_completion(
    *,
    registration_ids: Iterable[int],
    now: dt.datetime | None = None,
    reason: str = "Attendance was corrected; the session is no longer completed.",
) -> None:
    """Store credited minutes and `completed` as of `now`, then issue, update or revoke
    certificates to match (none before the session's last meeting ends; `reason` is what the
    verify page shows for a revoked one). The caller holds the session lock, in its
    transaction."""
    registration_ids = list(registration_ids)
    if not registration_ids:
        return
    store_credited_minutes(Registration.objects.filter(pk__in=registration_ids))
    states = completion_of(registration_ids, now=now)
    done = [pk for pk, (completed, _) in states.items() if completed]
    Registration.objects.filter(pk__in=done, completed=False).update(completed=True)
    Registration.objects.filter(pk__in=registration_ids, completed=True).exclude(
        pk__in=done
    ).update(completed=False)
    certificates = {
        c.registration_id: c for c in Certificate.objects.filter(registration_id__in=states)
    }
    registrations = Registration.objects.select_related(
        "session__course__provider", "person"
    ).in_bulk(done)
    held = awaiting_evaluation_ids(done)  # completed, but the certificate waits for it
    for pk, (completed, credited) in states.items():
        certificate = certificates.get(pk)
        if completed and pk in held and (certificate is None or not certificate.is_valid):
            continue
        if completed:
            issue_certificate(registration=registrations[pk], credited_minutes=credited, now=now)
        elif certificate is not None and certificate.is_valid:
            revoke_certificate(certificate=certificate, reason=reason, now=now)


def recompute_session(*, session: Session, now: dt.datetime | None = None) -> None:
    """After a change of the session's meetings (times, added, removed), threshold or trainers:
    credited minutes and completions of everyone who attended, completed or holds a
    certificate. The caller holds the session lock."""
    attended = Attendance.objects.filter(registration__session=session).values("registration_id")
    certified = Certificate.objects.filter(registration__session=session).values("registration_id")
    ids = set(
        Registration.objects.filter(
            Q(pk__in=attended)
            | Q(pk__in=certified)
            | Q(session=session, credited_minutes__gt=0)
            | Q(session=session, completed=True)
        ).values_list("pk", flat=True)
    )
    recompute_completion(
        registration_ids=ids,
        now=now,
        reason="The session's meetings, completion threshold or trainers changed; "
        "the session is no longer completed.",
    )

"""Issuing and revoking certificates. Steps of attendance.completion, in the transaction (and
under the session lock) of the change that completed or un-completed a registration; a
train-the-trainer completion also certifies the trainer (courses.services)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from activity.services import COMPLETION, record_activity
from courses.dates import local_date
from courses.models import CertifiedTrainer
from courses.services import certify_trainer
from registrations.models import Registration

from .models import Certificate, IssuedTranscript
from .selectors import Transcript


def _number(certificate: Certificate, registration: Registration) -> str:
    provider = registration.session.course.provider.short_name.upper()
    return f"{provider}-{timezone.localtime(certificate.issued_at):%Y}-{certificate.pk:06d}"


def issue_certificate(
    *, registration: Registration, credited_minutes: int, now: dt.datetime | None = None
) -> Certificate:
    """Issue (or reinstate, or update the hours of) the certificate of a completed registration."""
    now = now or timezone.now()
    certificate = Certificate.objects.select_for_update().filter(registration=registration).first()
    if certificate is None:
        certificate = Certificate.objects.create(
            registration=registration, number="", credited_minutes=credited_minutes, issued_at=now
        )
        certificate.number = _number(certificate, registration)
        certificate.save(update_fields=["number"])
        _record(
            "certificate.issued", certificate, registration, {"number": [None, certificate.number]}
        )
        _notify(certificate, "issued")
    elif certificate.revoked_at is not None or certificate.credited_minutes != credited_minutes:
        reinstated = certificate.revoked_at is not None
        before = certificate.credited_minutes
        certificate.revoked_at, certificate.revoked_reason = None, ""
        certificate.credited_minutes = credited_minutes
        changes = {"credited_minutes": [before, credited_minutes]}
        certificate.save(
            update_fields=["revoked_at", "revoked_reason", "credited_minutes", "updated_at"]
        )
        _record(
            "certificate.reinstated" if reinstated else "certificate.updated",
            certificate,
            registration,
            changes,
        )
        if reinstated:
            _notify(certificate, "issued")
    course = registration.session.course
    if course.trains_trainers and course.program_id:
        certify_trainer(
            program=course.program,
            person=registration.person,
            at=now,
            source_session=registration.session,
        )
    return certificate


def revoke_certificate(
    *, certificate: Certificate, reason: str, now: dt.datetime | None = None
) -> Certificate:
    """Revoke a certificate whose completion a correction undid; the verify page says revoked."""
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = now or timezone.now()
    certificate.revoked_reason = reason[:300]
    certificate.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    registration = certificate.registration
    _record("certificate.revoked", certificate, registration, {}, reason=certificate.revoked_reason)
    # A trainer certified by this very session is no longer certified by it.
    CertifiedTrainer.objects.filter(
        person_id=registration.person_id,
        source_session_id=registration.session_id,
        revoked_at__isnull=True,
    ).update(
        revoked_at=certificate.revoked_at,
        revoked_reason="Completion of the training was corrected.",
    )
    return certificate


@transaction.atomic
def issue_transcript(
    *, person: User, transcript: Transcript, scope: str = "", now: dt.datetime | None = None
) -> IssuedTranscript:
    """Keep `transcript` (of `person`) as issued now, for its verify page. Downloading the same
    transcript again on the same local day gives back the one already issued, so repeated
    downloads neither pile up rows nor differ."""
    now = now or timezone.now()
    content = transcript.as_snapshot()
    latest = IssuedTranscript.objects.filter(person=person, scope=scope).first()
    if latest and latest.content == content and local_date(latest.issued_at) == local_date(now):
        return latest
    return IssuedTranscript.objects.create(
        person=person, issued_at=now, scope=scope[:300], content=content
    )


def _record(
    verb: str, certificate: Certificate, registration: Registration, changes: dict, reason: str = ""
) -> None:
    # Certificates follow the completion rule; whoever changed what it depends on is recorded
    # on that change (attendance, a cancellation, a meeting moved).
    record_activity(
        verb=verb,
        target=certificate,
        system=COMPLETION,
        registration=registration,
        session=registration.session,
        person=registration.person,
        changes=changes,
        reason=reason,
    )


def _notify(certificate: Certificate, kind: str) -> None:
    from .notifications import send_certificate_email

    certificate_id = certificate.pk
    transaction.on_commit(lambda: send_certificate_email.enqueue(certificate_id=certificate_id))

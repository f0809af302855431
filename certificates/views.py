"""Certificate pages: the PDF download, the public verify page, a session's certificates as a
ZIP, and transcripts of PD hours (a person's own, and provider staff's view of a person).

Whoever may not see a certificate or a transcript gets 404, never 403, so the pages do not
tell anyone which certificates or people exist.
"""

import io
import re
import zipfile

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import User
from courses.dates import LOCAL_TZ
from courses.models import Session
from organizations.models import Provider
from organizations.permissions import can_manage_provider, managed_provider_ids
from pd_platform.downloads import csv_response
from registrations.models import Registration

from .models import Certificate
from .pdf import render_certificate
from .permissions import can_download_certificate
from .selectors import (
    Transcript,
    certificate_by_code,
    certificates_with_details,
    facts_of,
    issued_transcript_by_code,
    transcript,
    transcript_check,
)
from .services import issue_transcript
from .transcript import transcript_csv, transcript_pdf


def _attachment(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@never_cache
@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(certificates_with_details(), pk=pk)
    if not can_download_certificate(request.user, certificate):
        raise Http404("No certificate found.")
    if not certificate.is_valid:
        context = {"facts": facts_of(certificate), "certificate": certificate}
        return render(request, "certificates/revoked.html", context, status=410)
    return _attachment(
        render_certificate(certificate), "application/pdf", f"certificate-{certificate.number}.pdf"
    )


@require_GET
@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: valid (with the person's name), revoked (without it) or unknown (404)."""
    certificate = certificate_by_code(code)
    if certificate is None:
        response = render(request, "certificates/verify.html", {"code": code}, status=404)
    else:
        context = {"certificate": certificate, "facts": facts_of(certificate)}
        response = render(request, "certificates/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@never_cache
@login_required
def session_certificates_zip(request: HttpRequest, pk: int) -> HttpResponse:
    """Every valid certificate of a session, one PDF each, for its staff and trainers."""
    session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
    if not (
        can_manage_provider(request.user, session.course.provider_id)
        or session.trainers.filter(pk=request.user.pk).exists()
    ):
        raise Http404("No session found.")
    certificates = certificates_with_details(
        Certificate.objects.filter(registration__session=session, revoked_at__isnull=True)
    ).order_by("registration__person__last_name", "registration__person__first_name", "number")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            # Dated by the issue (local time), so the files sort and read as issued; the
            # same certificates still give the same archive.
            issued = timezone.localtime(certificate.issued_at, LOCAL_TZ)
            entry = zipfile.ZipInfo(_zip_entry_name(certificate), issued.timetuple()[:6])
            archive.writestr(entry, render_certificate(certificate))
    return _attachment(
        buffer.getvalue(), "application/zip", f"session-{session.pk}-certificates.zip"
    )


_UNSAFE_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _zip_entry_name(certificate: Certificate) -> str:
    """ "Rivera, Jordan - EDADVANCE-2026-000032.pdf": sorts by person in a file list; unique
    by the certificate number; no character a file system refuses."""
    person = certificate.registration.person
    name = ", ".join(part for part in (person.last_name, person.first_name) if part.strip())
    name = " ".join(_UNSAFE_IN_FILE_NAMES.sub(" ", name).split()).strip(". ")
    number = _UNSAFE_IN_FILE_NAMES.sub("-", certificate.number)
    return f"{name[:80]} - {number}.pdf" if name else f"{number}.pdf"


@require_GET
@never_cache
@login_required
def my_transcript(request: HttpRequest, fmt: str) -> HttpResponse:
    person = request.user
    return _transcript_response(person, transcript(person), fmt, "transcript", scope="")


@require_GET
@never_cache
@login_required
def staff_transcript(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Provider staff: the person's certificates from their providers' sessions only, for
    people registered in one of them. Alliance admins: everyone's, all of them."""
    provider_ids = managed_provider_ids(request.user)
    if provider_ids is not None and not provider_ids:
        raise Http404("No person found.")
    person = get_object_or_404(User, pk=pk)
    scope = ""
    if provider_ids is not None:
        registered = Registration.objects.filter(
            person=person, session__course__provider_id__in=provider_ids
        )
        if not registered.exists():
            raise Http404("No person found.")
        names = Provider.objects.filter(pk__in=provider_ids).values_list("short_name", flat=True)
        scope = f"Certificates from sessions of {', '.join(sorted(names))} only."
    data = transcript(person, provider_ids=provider_ids)
    return _transcript_response(person, data, fmt, f"transcript-{person.pk}", scope=scope)


def _transcript_response(
    person: User, data: Transcript, fmt: str, filename: str, *, scope: str
) -> HttpResponse:
    if fmt == "csv":
        return csv_response(transcript_csv(data), f"{filename}.csv")
    issued = issue_transcript(person=person, transcript=data, scope=scope)
    return _attachment(transcript_pdf(data, issued=issued), "application/pdf", f"{filename}.pdf")


@require_GET
@never_cache
def transcript_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the transcript as it was issued, with the certificates revoked since flagged;
    404 for an unknown (or altered) code."""
    issued = issued_transcript_by_code(code)
    if issued is None:
        response = render(
            request, "certificates/transcript_verify.html", {"code": code}, status=404
        )
    else:
        context = {"issued": issued, "check": transcript_check(issued)}
        response = render(request, "certificates/transcript_verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response

"""Reads of certificates: one with everything its PDF and verify page show, a lookup by
verification code, and a person's transcript of PD hours grouped by fiscal year."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils.formats import date_format

from accounts.models import User
from courses.dates import fiscal_year_bounds, fiscal_year_of, local_date
from courses.models import Meeting, hours_of

from .models import VERIFY_ALPHABET, Certificate

NO_NAME = "(name not given)"


def long_date(day: dt.date) -> str:
    """e.g. "Tuesday, December 8, 2026"."""
    return date_format(day, "l, F j, Y")


def date_range_text(first: dt.date, last: dt.date) -> str:
    if first == last:
        return long_date(first)
    return f"{long_date(first)} to {long_date(last)}"


def dates_text(days: Iterable[dt.date]) -> str:
    """The local dates of a session's meetings: one date in full, or the first to the last
    with the number of days."""
    days = sorted(set(days))
    if not days:
        return ""
    if len(days) == 1:
        return long_date(days[0])
    return f"{date_range_text(days[0], days[-1])} ({len(days)} days)"


def certificates_with_details(
    certificates: QuerySet[Certificate] | None = None,
) -> QuerySet[Certificate]:
    """Certificates with the person, the district snapshot, the course, the provider, the
    meetings and the trainers: four queries, whatever the number of certificates."""
    certificates = Certificate.objects.all() if certificates is None else certificates
    return certificates.select_related(
        "registration__person",
        "registration__district",
        "registration__session__course__provider",
    ).prefetch_related(
        Prefetch("registration__session__meetings", queryset=Meeting.objects.order_by("starts_at")),
        Prefetch(
            "registration__session__trainers",
            queryset=User.objects.order_by("last_name", "first_name", "pk"),
        ),
    )


def normalize_verification_code(raw: str) -> str | None:
    """The 16-character code from what a person typed or scanned: any case, with or without
    dashes or spaces. None when it cannot be a code."""
    code = "".join(ch for ch in (raw or "").upper() if ch not in "- ")
    if len(code) != 16 or any(ch not in VERIFY_ALPHABET for ch in code):
        return None
    return code


def certificate_by_code(raw: str) -> Certificate | None:
    code = normalize_verification_code(raw)
    if code is None:
        return None
    return certificates_with_details(Certificate.objects.filter(code=code)).first()


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says, read from a certificate of certificates_with_details()."""

    number: str
    display_code: str
    verify_url: str
    person_name: str
    district_name: str
    course_title: str
    provider_name: str
    provider_short_name: str
    meeting_dates: tuple[dt.date, ...]
    trainer_names: tuple[str, ...]
    hours: Decimal
    issued_on: dt.date
    revoked_on: dt.date | None

    @property
    def dates_text(self) -> str:
        return dates_text(self.meeting_dates)


def facts_of(certificate: Certificate) -> CertificateFacts:
    registration = certificate.registration
    session = registration.session
    provider = session.course.provider
    return CertificateFacts(
        number=certificate.number,
        display_code=certificate.display_code,
        verify_url=settings.SITE_URL + certificate.get_verify_path(),
        # Never the email address (get_full_name's fallback): the verify page is public.
        person_name=registration.person.full_name or NO_NAME,
        district_name=registration.district.name if registration.district else "",
        course_title=session.course.title,
        provider_name=provider.name,
        provider_short_name=provider.short_name,
        meeting_dates=tuple(local_date(m.starts_at) for m in session.meetings.all()),
        trainer_names=tuple(t.full_name for t in session.trainers.all() if t.full_name),
        hours=certificate.hours,
        issued_on=local_date(certificate.issued_at),
        revoked_on=local_date(certificate.revoked_at) if certificate.revoked_at else None,
    )


# Transcript ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptRow:
    certificate_id: int
    number: str
    course_title: str
    provider_name: str
    provider_short_name: str
    first_date: dt.date
    last_date: dt.date
    credited_minutes: int

    @property
    def hours(self) -> Decimal:
        return hours_of(self.credited_minutes)

    @property
    def dates_text(self) -> str:
        return date_range_text(self.first_date, self.last_date)


@dataclass(frozen=True)
class TranscriptYear:
    fiscal_year: int
    rows: tuple[TranscriptRow, ...]

    @property
    def minutes(self) -> int:
        return sum(row.credited_minutes for row in self.rows)

    @property
    def hours(self) -> Decimal:
        """Total credited minutes / 60, so a year adds up exactly (not a sum of roundings)."""
        return hours_of(self.minutes)

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year}"

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return fiscal_year_bounds(self.fiscal_year)


@dataclass(frozen=True)
class Transcript:
    person_name: str
    years: tuple[TranscriptYear, ...]  # newest first; rows oldest first within a year

    @property
    def minutes(self) -> int:
        return sum(year.minutes for year in self.years)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.minutes)

    @property
    def count(self) -> int:
        return sum(len(year.rows) for year in self.years)


def transcript(person: User, provider_ids: Iterable[int] | None = None) -> Transcript:
    """`person`'s valid certificates grouped by the fiscal year of the local date of their
    session's first meeting, with totals; only those of `provider_ids`' sessions when given
    (None: every provider). One query."""
    meetings = Meeting.objects.filter(session=OuterRef("registration__session")).order_by()
    certificates = Certificate.objects.filter(
        registration__person=person, revoked_at__isnull=True
    ).annotate(
        first_starts_at=Subquery(meetings.order_by("starts_at").values("starts_at")[:1]),
        last_starts_at=Subquery(meetings.order_by("-starts_at").values("starts_at")[:1]),
    )
    if provider_ids is not None:
        certificates = certificates.filter(
            registration__session__course__provider_id__in=list(provider_ids)
        )
    values = certificates.values_list(
        "pk",
        "number",
        "credited_minutes",
        "issued_at",
        "first_starts_at",
        "last_starts_at",
        "registration__session__course__title",
        "registration__session__course__provider__name",
        "registration__session__course__provider__short_name",
    ).order_by("first_starts_at", "pk")
    years: dict[int, list[TranscriptRow]] = defaultdict(list)
    for pk, number, minutes, issued, first, last, title, provider, short in values:
        first_date = local_date(first or issued)
        row = TranscriptRow(
            certificate_id=pk,
            number=number,
            course_title=title,
            provider_name=provider,
            provider_short_name=short,
            first_date=first_date,
            last_date=local_date(last) if last else first_date,
            credited_minutes=minutes,
        )
        years[fiscal_year_of(first_date)].append(row)
    return Transcript(
        person_name=person.full_name or person.email,
        years=tuple(
            TranscriptYear(fiscal_year=year, rows=tuple(rows))
            for year, rows in sorted(years.items(), reverse=True)
        ),
    )

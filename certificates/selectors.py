"""Reads of certificates: one with everything its PDF and verify page show, a lookup by
verification code, and a person's transcript of PD hours grouped by fiscal year."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils.formats import date_format

from accounts.models import User
from courses.dates import fiscal_year_bounds, fiscal_year_of, local_date
from courses.models import Meeting, hours_of
from organizations.models import Profile

from .models import VERIFY_ALPHABET, Certificate, IssuedTranscript, display_code

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

# Connecticut asks educators for 18 hours of professional learning a year; a transcript shows
# each fiscal year's total against it.
CT_ANNUAL_PD_HOURS = Decimal("18")
ISSUER = "RESC Alliance PD platform"


def short_date(day: dt.date) -> str:
    """e.g. "Oct 1, 2024": dates in a transcript's narrow column."""
    return date_format(day, "M j, Y")


@dataclass(frozen=True)
class TranscriptRow:
    certificate_id: int
    number: str
    code: str
    course_title: str
    session_title: str
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

    @property
    def short_dates_text(self) -> str:
        if self.first_date == self.last_date:
            return short_date(self.first_date)
        return f"{short_date(self.first_date)} to {short_date(self.last_date)}"

    @property
    def title(self) -> str:
        """The course, and the session's own title (e.g. "Cohort 3") when it has one."""
        if self.session_title:
            return f"{self.course_title} ({self.session_title})"
        return self.course_title

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    @property
    def verify_url(self) -> str:
        return settings.SITE_URL + reverse(
            "certificates:verify", kwargs={"code": self.display_code}
        )


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

    @property
    def bounds_text(self) -> str:
        first, last = self.bounds
        return f"{date_format(first, 'F j, Y')} to {date_format(last, 'F j, Y')}"

    @property
    def target_text(self) -> str:
        """e.g. "12.50 of 18 hours"."""
        return f"{self.hours:.2f} of {CT_ANNUAL_PD_HOURS:.0f} hours"


@dataclass(frozen=True)
class Transcript:
    person_name: str
    years: tuple[TranscriptYear, ...]  # newest first; rows oldest first within a year
    district_name: str = ""
    school_name: str = ""
    position: str = ""
    certification_number: str = ""

    @property
    def minutes(self) -> int:
        return sum(year.minutes for year in self.years)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.minutes)

    @property
    def count(self) -> int:
        return sum(len(year.rows) for year in self.years)

    @property
    def rows(self) -> tuple[TranscriptRow, ...]:
        return tuple(row for year in self.years for row in year.rows)

    def as_snapshot(self) -> dict:
        """Plain JSON of everything the transcript says (IssuedTranscript.content)."""
        return {
            "person_name": self.person_name,
            "district_name": self.district_name,
            "school_name": self.school_name,
            "position": self.position,
            "certification_number": self.certification_number,
            "years": [
                {
                    "fiscal_year": year.fiscal_year,
                    "rows": [
                        {
                            **{
                                name: getattr(row, name)
                                for name in (
                                    "certificate_id",
                                    "number",
                                    "code",
                                    "course_title",
                                    "session_title",
                                    "provider_name",
                                    "provider_short_name",
                                    "credited_minutes",
                                )
                            },
                            "first_date": row.first_date.isoformat(),
                            "last_date": row.last_date.isoformat(),
                        }
                        for row in year.rows
                    ],
                }
                for year in self.years
            ],
        }

    @classmethod
    def from_snapshot(cls, content: dict) -> "Transcript":
        years = tuple(
            TranscriptYear(
                fiscal_year=year["fiscal_year"],
                rows=tuple(
                    TranscriptRow(
                        **{
                            **row,
                            "first_date": dt.date.fromisoformat(row["first_date"]),
                            "last_date": dt.date.fromisoformat(row["last_date"]),
                        }
                    )
                    for row in year["rows"]
                ),
            )
            for year in content["years"]
        )
        people = {k: v for k, v in content.items() if k != "years"}
        return cls(years=years, **people)


def transcript(person: User, provider_ids: Iterable[int] | None = None) -> Transcript:
    """`person`'s valid certificates grouped by the fiscal year of the local date of their
    session's first meeting, with totals, and who they are (their profile today); only those
    of `provider_ids`' sessions when given (None: every provider). Two queries."""
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
        "code",
        "credited_minutes",
        "issued_at",
        "first_starts_at",
        "last_starts_at",
        "registration__session__course__title",
        "registration__session__title",
        "registration__session__course__provider__name",
        "registration__session__course__provider__short_name",
    ).order_by("first_starts_at", "pk")
    years: dict[int, list[TranscriptRow]] = defaultdict(list)
    for pk, number, code, minutes, issued, first, last, title, session, provider, short in values:
        first_date = local_date(first or issued)
        row = TranscriptRow(
            certificate_id=pk,
            number=number,
            code=code,
            course_title=title,
            session_title=session,
            provider_name=provider,
            provider_short_name=short,
            first_date=first_date,
            last_date=local_date(last) if last else first_date,
            credited_minutes=minutes,
        )
        years[fiscal_year_of(first_date)].append(row)
    profile = Profile.objects.select_related("district", "school").filter(user=person).first()
    return Transcript(
        person_name=person.full_name or person.email,
        district_name=profile.district.name if profile and profile.district else "",
        school_name=profile.school.name if profile and profile.school else "",
        position=profile.get_position_display() if profile and profile.position else "",
        certification_number=profile.certification_number if profile else "",
        years=tuple(
            TranscriptYear(fiscal_year=year, rows=tuple(rows))
            for year, rows in sorted(years.items(), reverse=True)
        ),
    )


def issued_transcript_by_code(raw: str) -> IssuedTranscript | None:
    code = normalize_verification_code(raw)
    if code is None:
        return None
    return IssuedTranscript.objects.filter(code=code).first()


@dataclass(frozen=True)
class CheckedRow:
    row: TranscriptRow
    revoked_on: dt.date | None  # revoked since the transcript was issued
    minutes_now: int | None  # credited minutes when corrected since, else None

    @property
    def hours_now(self) -> Decimal | None:
        return None if self.minutes_now is None else hours_of(self.minutes_now)


@dataclass(frozen=True)
class CheckedYear:
    year: TranscriptYear
    rows: tuple[CheckedRow, ...]

    @property
    def hours_now(self) -> Decimal:
        """The year's total counting only what is still valid, with today's hours."""
        return hours_of(
            sum(
                c.row.credited_minutes if c.minutes_now is None else c.minutes_now
                for c in self.rows
                if c.revoked_on is None
            )
        )

    @property
    def changed(self) -> bool:
        return any(c.revoked_on or c.minutes_now is not None for c in self.rows)


@dataclass(frozen=True)
class TranscriptCheck:
    """An issued transcript as it was issued, against its certificates today."""

    transcript: Transcript
    years: tuple[CheckedYear, ...]
    issued_on: dt.date

    @property
    def revoked_count(self) -> int:
        return sum(1 for year in self.years for c in year.rows if c.revoked_on)

    @property
    def changed(self) -> bool:
        return any(year.changed for year in self.years)


def transcript_check(issued: IssuedTranscript) -> TranscriptCheck:
    """What `issued` said, each line flagged when its certificate was revoked or its hours
    corrected since. One query."""
    snapshot = Transcript.from_snapshot(issued.content)
    ids = [row.certificate_id for row in snapshot.rows]
    now = {
        pk: (revoked_at, minutes)
        for pk, revoked_at, minutes in Certificate.objects.filter(pk__in=ids).values_list(
            "pk", "revoked_at", "credited_minutes"
        )
    }

    def checked(row: TranscriptRow) -> CheckedRow:
        revoked_at, minutes = now.get(row.certificate_id, (issued.issued_at, 0))
        return CheckedRow(
            row=row,
            revoked_on=local_date(revoked_at) if revoked_at else None,
            minutes_now=minutes if minutes != row.credited_minutes else None,
        )

    return TranscriptCheck(
        transcript=snapshot,
        years=tuple(
            CheckedYear(year=year, rows=tuple(checked(row) for row in year.rows))
            for year in snapshot.years
        ),
        issued_on=local_date(issued.issued_at),
    )

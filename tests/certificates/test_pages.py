"""Certificate pages: verify, PDF download, a session's ZIP, transcripts (DESIGN.md)."""

import csv
import datetime as dt
import io
import zipfile

import pypdf
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from courses.dates import LOCAL_TZ
from registrations.models import Registration
from tests.certificates.helpers import completed, confirmed, mark, past_session
from tests.factories import (
    CourseFactory,
    ProviderFactory,
    SessionFactory,
    UserFactory,
    alliance_admin,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db


def _local(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=LOCAL_TZ)


@pytest.fixture
def certificate(provider):
    course = CourseFactory(provider=provider, title="Restorative Practices")
    session = past_session(course=course, trainers=[UserFactory(first_name="Robin")])
    return completed(session, educator(first_name="Avery", last_name="Castillo"))


def _revoke_by_correction(certificate):
    registration = certificate.registration
    mark(registration.session, registration, "absent")
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None


# Verify -------------------------------------------------------------------------------------


def test_verify_says_valid_with_name_course_dates_and_hours(client, certificate):
    response = client.get(certificate.get_verify_path())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Valid" in body
    assert "Avery Castillo" in body
    assert "Restorative Practices" in body
    assert "6.00" in body
    day = certificate.registration.session.meetings.get().starts_at.astimezone(LOCAL_TZ)
    assert f"{day:%A}, {day:%B} {day.day}, {day.year}" in body
    assert '<meta name="robots" content="noindex">' in body
    assert response["X-Robots-Tag"] == "noindex"


def test_verify_shows_no_email_or_district(client, certificate):
    body = client.get(certificate.get_verify_path()).content.decode()
    registration = certificate.registration
    assert registration.person.email not in body
    assert registration.district.name not in body
    assert registration.school.name not in body


def test_verify_accepts_lowercase_codes_without_dashes(client, certificate):
    for code in (certificate.code.lower(), certificate.display_code.lower(), certificate.code):
        response = client.get(reverse("certificates:verify", kwargs={"code": code}))
        assert response.status_code == 200
        assert "Avery Castillo" in response.content.decode()


def test_verify_says_revoked_after_a_correction_undoes_the_completion(client, certificate):
    _revoke_by_correction(certificate)
    response = client.get(certificate.get_verify_path())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Revoked" in body
    assert "Restorative Practices" in body
    revoked_on = timezone.localtime(certificate.revoked_at)
    assert f"revoked on {revoked_on:%A}, {revoked_on:%B} {revoked_on.day}, {revoked_on.year}" in (
        body
    )
    assert "Avery Castillo" not in body
    assert "Valid" not in body


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "not-a-code", "ABCD"])
def test_verify_of_an_unknown_code_is_404(client, certificate, code):
    response = client.get(reverse("certificates:verify", kwargs={"code": code}))
    assert response.status_code == 404
    assert "No certificate with this code" in response.content.decode()


# PDF download -------------------------------------------------------------------------------


def _pdf_url(certificate):
    return reverse("certificates:pdf", kwargs={"pk": certificate.pk})


def test_the_owner_downloads_the_pdf(client, certificate):
    client.force_login(certificate.registration.person)
    response = client.get(_pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-{certificate.number}.pdf"'
    )
    assert "Avery Castillo" in pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_the_sessions_trainer_and_the_providers_staff_download_the_pdf(
    client, certificate, provider
):
    trainer = certificate.registration.session.trainers.get()
    for user in (trainer, staff_of(provider), alliance_admin()):
        client.force_login(user)
        assert client.get(_pdf_url(certificate)).status_code == 200


def test_anyone_else_gets_404_for_the_pdf(client, certificate):
    for user in (educator(), staff_of(ProviderFactory())):
        client.force_login(user)
        assert client.get(_pdf_url(certificate)).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, certificate):
    response = client.get(_pdf_url(certificate))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_revoked_certificate_is_410_with_a_page_saying_so(client, certificate):
    _revoke_by_correction(certificate)
    client.force_login(certificate.registration.person)
    response = client.get(_pdf_url(certificate))
    assert response.status_code == 410
    assert "revoked" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


# A session's ZIP ----------------------------------------------------------------------------


def test_the_zip_has_one_pdf_per_valid_certificate_named_by_person(client, provider):
    trainer = UserFactory()
    session = past_session(course=CourseFactory(provider=provider), trainers=[trainer])
    people = [
        educator(first_name="Jordan", last_name="Rivera"),
        educator(first_name="José", last_name="Muñoz"),
        educator(first_name="Sam", last_name='O"Brien/Ops'),
    ]
    certificates = [completed(session, person) for person in people]
    _revoke_by_correction(completed(session))
    confirmed(session)  # no attendance, no certificate
    url = reverse("certificates:session_zip", kwargs={"pk": session.pk})
    for user in (staff_of(provider), trainer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            names = archive.namelist()
            assert names == [
                f"Muñoz, José - {certificates[1].number}.pdf",
                f"O Brien Ops, Sam - {certificates[2].number}.pdf",
                f"Rivera, Jordan - {certificates[0].number}.pdf",
            ]
            assert all(archive.read(name).startswith(b"%PDF-") for name in names)
            issued = timezone.localtime(certificates[0].issued_at, LOCAL_TZ)
            info = archive.getinfo(names[2])
            assert info.date_time == (*issued.timetuple()[:5], issued.second // 2 * 2)


def test_the_zip_is_404_for_everyone_else(client, provider):
    session = past_session(course=CourseFactory(provider=provider))
    certificate = completed(session)
    url = reverse("certificates:session_zip", kwargs={"pk": session.pk})
    for user in (certificate.registration.person, educator(), staff_of(ProviderFactory())):
        client.force_login(user)
        assert client.get(url).status_code == 404


# Transcripts ----------------------------------------------------------------------------------


def _completed_on(person, course, start, *, hours=6):
    session = past_session(course=course, meetings=[(start, start + dt.timedelta(hours=hours))])
    return completed(session, person, now=start + dt.timedelta(days=1))


@pytest.fixture
def two_years(provider):
    """Three certificates in FY2025 (one on June 30 in the evening: still FY2025 locally,
    though July 1 in UTC) and one in FY2026, from two providers."""
    person = educator(first_name="Jordan", last_name="Lee")
    other = ProviderFactory(short_name="CES", name="Cooperative Educational Services")
    learn_course = CourseFactory(provider=provider, title="Math Workshop")
    ces_course = CourseFactory(provider=other, title="Literacy Lab")
    _completed_on(person, learn_course, _local(2024, 10, 1))
    _completed_on(person, ces_course, _local(2025, 3, 4), hours=3)
    _completed_on(person, learn_course, _local(2025, 6, 30, 19), hours=2)
    _completed_on(person, ces_course, _local(2025, 9, 15))
    return person


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel's cue that the file is UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_transcript_csv_groups_by_fiscal_year_with_totals(client, two_years):
    client.force_login(two_years)
    with time_machine.travel(_local(2025, 10, 1), tick=False):
        rows = _csv(client.get(reverse("certificates:my_transcript_csv")))
    assert rows[0][:6] == ["fiscal year", "course", "provider", "first date", "last date", "hours"]
    assert rows[0][6:] == ["certificate number", "verify url", "of 18 hours a year"]
    assert [(r[0], r[1], r[3], r[5], r[8]) for r in rows[1:]] == [
        ("FY2026", "Literacy Lab", "2025-09-15", "6.00", ""),
        ("FY2026", "Total FY2026", "", "6.00", "6.00 of 18 hours"),
        ("FY2025", "Math Workshop", "2024-10-01", "6.00", ""),
        ("FY2025", "Literacy Lab", "2025-03-04", "3.00", ""),
        ("FY2025", "Math Workshop", "2025-06-30", "2.00", ""),
        ("FY2025", "Total FY2025", "", "11.00", "11.00 of 18 hours"),
        ("All years", "Grand total", "", "17.00", ""),
    ]
    certificate = Certificate.objects.get(number=rows[1][6])
    assert rows[1][7] == settings.SITE_URL + certificate.get_verify_path()


def test_transcript_pdf_lists_years_and_totals(client, two_years):
    client.force_login(two_years)
    response = client.get(reverse("certificates:my_transcript_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "Jordan Lee",
        "FY2026",
        "FY2025",
        "Total FY2025: 11.00 of 18 hours",
        "Total FY2026: 6.00 of 18 hours",
        "All years: 17.00 PD hours from 4 certificates",
    ):
        assert expected in text


def test_revoked_certificates_are_not_on_the_transcript(client, two_years):
    literacy = Certificate.objects.get(
        registration__person=two_years,
        registration__session__meetings__starts_at__year=2025,
        registration__session__meetings__starts_at__month=9,
    )
    _revoke_by_correction(literacy)
    client.force_login(two_years)
    rows = _csv(client.get(reverse("certificates:my_transcript_csv")))
    assert "FY2026" not in {row[0] for row in rows}
    assert rows[-1] == ["All years", "Grand total", "", "", "", "11.00", "", "", ""]


def test_me_shows_certificates_and_pd_hours_by_fiscal_year(client, two_years):
    client.force_login(two_years)
    body = client.get(reverse("registrations:me")).content.decode()
    assert "Certificates and PD hours" in body
    assert "<caption>Certificates in FY2025: 11.00 PD hours</caption>" in body
    assert "<caption>Certificates in FY2026: 6.00 PD hours</caption>" in body
    assert "All years: <strong>17.00</strong>" in body
    assert reverse("certificates:my_transcript_pdf") in body
    for certificate in Certificate.objects.filter(registration__person=two_years):
        assert reverse("certificates:pdf", kwargs={"pk": certificate.pk}) in body


def test_me_without_certificates_says_none_yet(client):
    client.force_login(educator())
    body = client.get(reverse("registrations:me")).content.decode()
    assert "No certificates yet" in body


def test_staff_transcript_is_limited_to_their_providers_sessions(client, two_years, provider):
    url = reverse("certificates:staff_transcript_csv", kwargs={"pk": two_years.pk})
    client.force_login(staff_of(provider))
    rows = _csv(client.get(url))
    assert {r[1] for r in rows[1:]} == {
        "Math Workshop",
        "Total FY2025",
        "Grand total",
    }
    assert rows[-1][5] == "8.00"
    client.force_login(alliance_admin())
    assert _csv(client.get(url))[-1][5] == "17.00"
    pdf = client.get(reverse("certificates:staff_transcript_pdf", kwargs={"pk": two_years.pk}))
    assert pdf.status_code == 200


def test_staff_transcript_is_404_for_educators_and_unrelated_staff(client, two_years):
    url = reverse("certificates:staff_transcript_pdf", kwargs={"pk": two_years.pk})
    for user in (educator(), two_years, staff_of(ProviderFactory())):
        client.force_login(user)
        assert client.get(url).status_code == 404


# Query counts -----------------------------------------------------------------------------


def _person_with_certificates(count):
    person = educator()
    course = CourseFactory()
    now = timezone.now()
    for index in range(count):
        session = SessionFactory(
            course=course, starts_in_days=-(index + 2), registration_opens_at=None
        )
        registration = Registration.objects.create(
            session=session, person=person, status="confirmed", district=person.profile.district
        )
        Certificate.objects.create(
            registration=registration,
            number=f"TEST-{person.pk}-{index}",
            credited_minutes=360,
            issued_at=now,
        )
    return person


def _queries(client, url):
    client.get(url)  # warm-up: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_me_costs_the_same_queries_for_5_and_50_certificates(client):
    url = reverse("registrations:me")
    client.force_login(_person_with_certificates(5))
    few = _queries(client, url)
    client.force_login(_person_with_certificates(50))
    assert _queries(client, url) == few, few


def test_transcript_csv_costs_the_same_queries_for_5_and_50_certificates(client):
    url = reverse("certificates:my_transcript_csv")
    client.force_login(_person_with_certificates(5))
    few = _queries(client, url)
    client.force_login(_person_with_certificates(50))
    assert _queries(client, url) == few, few

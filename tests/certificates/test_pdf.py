"""The certificate PDF: what it says, its QR code, and that it is the same every time."""

import io
import warnings

import pypdf
import pytest
from django.conf import settings

from certificates.models import Certificate
from certificates.pdf import render_certificate
from certificates.selectors import certificates_with_details
from tests.certificates.helpers import completed, past_session
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    UserFactory,
    educator,
)
from tests.pdf_readback import assert_no_split_words, qr_codes

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


@pytest.fixture
def certificate():
    provider = ProviderFactory(short_name="LEARN", name="LEARN Regional Educational Service Center")
    course = CourseFactory(provider=provider, title="Trauma-Informed Classrooms")
    trainer = UserFactory(first_name="Robin", last_name="Trainer")
    session = past_session(course=course, hours=(6,), trainers=[trainer])
    person = educator(first_name="Avery", last_name="Castillo")
    certificate = completed(session, person)
    return certificates_with_details().get(pk=certificate.pk)


def test_the_pdf_names_the_person_course_provider_hours_number_and_code(certificate):
    text = _text(render_certificate(certificate))
    registration = certificate.registration
    for expected in (
        "Avery Castillo",
        registration.district.name,
        "Trauma-Informed Classrooms",
        "LEARN Regional Educational Service Center",
        "Director of Professional Learning, LEARN",
        "Robin Trainer",
        "PD hours: 6.00",
        certificate.number,
        certificate.display_code,
    ):
        assert expected in text
    day = registration.session.meetings.get().starts_at
    assert f"{day:%A}, {day:%B} {day.day}, {day.year}" in text
    assert "@" not in text  # no email address on a certificate


def test_the_qr_code_holds_the_absolute_verify_url(certificate):
    assert qr_codes(render_certificate(certificate)) == [
        settings.SITE_URL + certificate.get_verify_path()
    ]


def test_two_renders_are_byte_identical(certificate):
    first = render_certificate(certificate)
    assert first.startswith(b"%PDF-")
    assert render_certificate(certificate) == first
    fresh = certificates_with_details().get(pk=certificate.pk)
    assert render_certificate(fresh) == first


def test_several_meetings_show_the_range_of_dates():
    session = past_session(hours=(3, 3))
    certificate = completed(session)
    text = _text(render_certificate(certificate))
    first, last = (m.starts_at for m in session.meetings.order_by("-starts_at"))
    first, last = last, first
    assert f"{first:%A}, {first:%B} {first.day}, {first.year} to" in text
    assert f"{last:%A}, {last:%B} {last.day}, {last.year} (2 days)" in text


def test_names_outside_latin_1_keep_their_letters_and_long_titles_fit():
    course = CourseFactory(title="A very long course title " * 8)
    session = past_session(course=course)
    certificate = completed(session, educator(first_name="Łukasz", last_name="Nguyễn"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pdf = render_certificate(certificate)
    assert "Łukasz Nguyễn" in _text(pdf)
    assert qr_codes(pdf) == [settings.SITE_URL + certificate.get_verify_path()]


def test_a_person_without_a_name_gets_no_email_on_the_certificate():
    session = past_session()
    person = educator(first_name="", last_name="")
    text = _text(render_certificate(completed(session, person)))
    assert person.email not in text
    assert "(name not given)" in text


def test_long_realistic_values_are_never_split_and_the_qr_still_reads():
    provider = ProviderFactory(short_name="EdAdvance", name="EdAdvance")
    title = (
        "Trauma-Informed Classrooms: Building Relationships, Regulation and Resilience "
        "Across the School Day for Paraeducators and Teachers"
    )
    session = past_session(course=CourseFactory(provider=provider, title=title))
    district = DistrictFactory(name="Regional School District No. 10 (Burlington and Harwinton)")
    person = educator(first_name="Jordan", last_name="Rivera-Castellanos", district=district)
    certificate = completed(session, person)
    Certificate.objects.filter(pk=certificate.pk).update(number="EDADVANCE-2026-000032")
    certificate = certificates_with_details().get(pk=certificate.pk)
    pdf = render_certificate(certificate)
    assert_no_split_words(
        pdf,
        [
            title,
            "Jordan Rivera-Castellanos",
            district.name,
            "EDADVANCE-2026-000032",
            certificate.display_code,
            settings.SITE_URL + certificate.get_verify_path(),
        ],
    )
    assert qr_codes(pdf) == [settings.SITE_URL + certificate.get_verify_path()]

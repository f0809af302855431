"""The transcript PDF a district accepts, read back as text per cell and as an image, and the
public verify page its QR code opens (DESIGN.md: transcripts)."""

import datetime as dt
import io
from urllib.parse import urlsplit

import pypdf
import pytest
import time_machine
from django.urls import reverse

from certificates.models import Certificate, IssuedTranscript
from courses.dates import LOCAL_TZ
from organizations.models import Position
from tests.certificates.helpers import completed, mark, past_session
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    SchoolFactory,
    educator,
    staff_of,
)
from tests.pdf_readback import assert_no_split_words, cell_containing, qr_codes, split_words

pytestmark = pytest.mark.django_db

LONG_TITLE = (
    "Trauma-Informed Classrooms: Building Relationships, Regulation and Resilience Across "
    "the School Day for Paraeducators and Teachers"
)
LONG_SCHOOL = "Lewis S. Mills High School and Harwinton Consolidated Elementary Extended Campus"


def _local(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=LOCAL_TZ)


def _completed_on(person, course, start, *, hours=6.0, number=None):
    end = start + dt.timedelta(minutes=round(hours * 60))
    session = past_session(course=course, meetings=[(start, end)])
    certificate = completed(session, person, now=start + dt.timedelta(days=1))
    if number:
        Certificate.objects.filter(pk=certificate.pk).update(number=number)
        certificate.refresh_from_db()
    return certificate


@pytest.fixture
def jordan():
    """Jordan Rivera of a regional district with a long school name, with EdAdvance and
    EASTCONN certificates in FY2025 and FY2026."""
    district = DistrictFactory(name="Regional School District No. 10 (Burlington and Harwinton)")
    person = educator(
        first_name="Jordan",
        last_name="Rivera",
        district=district,
        school=SchoolFactory(district=district, name=LONG_SCHOOL),
        position=Position.PARAEDUCATOR,
    )
    person.profile.certification_number = "CT-0123456"
    person.profile.save()
    edadvance = ProviderFactory(short_name="EdAdvance", name="EdAdvance")
    eastconn = ProviderFactory(short_name="EASTCONN", name="EASTCONN")
    long_course = CourseFactory(provider=edadvance, title=LONG_TITLE)
    short_course = CourseFactory(provider=eastconn, title="Math Workshop")
    _completed_on(
        person, long_course, _local(2024, 10, 1), hours=6.5, number="EDADVANCE-2026-000032"
    )
    _completed_on(person, short_course, _local(2025, 3, 4), hours=6)
    _completed_on(person, long_course, _local(2025, 9, 15), hours=3)
    return person


def _pdf(client, person):
    client.force_login(person)
    response = client.get(reverse("certificates:my_transcript_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_names_the_person_lines_totals_issue_and_issuer(client, jordan):
    with time_machine.travel(_local(2025, 12, 8, 23), tick=False):  # Dec 9 in UTC
        pdf = _pdf(client, jordan)
    text = _text(pdf)
    for expected in (
        "Transcript of Professional Development Hours",
        "Jordan Rivera",
        "Regional School District No. 10 (Burlington and Harwinton)",
        "Paraeducator",
        "CT certification number CT-0123456",
        "Issued Monday, December 8, 2025 by RESC Alliance PD platform",
        "FY2025 (July 1, 2024 to June 30, 2025): 12.50 of 18 hours",
        "Total FY2025: 12.50 of 18 hours",
        "Total FY2026: 3.00 of 18 hours",
        "All years: 15.50 PD hours from 3 certificates",
    ):
        assert expected in text, expected
    assert cell_containing(pdf, "^Lewis S. Mills").text == LONG_SCHOOL
    assert cell_containing(pdf, "^Oct 1, 2024").text == "Oct 1, 2024"
    assert cell_containing(pdf, "^EDADVANCE-2026-000032$")
    assert cell_containing(pdf, "^Trauma-Informed").text == LONG_TITLE
    assert cell_containing(pdf, "^6.50$")
    # Each line's verify code is a link to the full address of its certificate's page.
    certificate = Certificate.objects.get(number="EDADVANCE-2026-000032")
    assert cell_containing(pdf, f"^{certificate.display_code}$")
    links = {
        annotation.get_object()["/A"]["/URI"]
        for annotation in pypdf.PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]
    }
    assert f"http://testserver{certificate.get_verify_path()}" in {
        link.replace("http://127.0.0.1:8000", "http://testserver") for link in links
    }


def test_no_word_of_a_cell_is_split_across_lines(client, jordan):
    pdf = _pdf(client, jordan)
    values = [
        LONG_TITLE,
        LONG_SCHOOL,
        "Math Workshop",
        "EdAdvance",
        "EASTCONN",
        "Regional School District No. 10 (Burlington and Harwinton)",
        *Certificate.objects.values_list("number", flat=True),
    ]
    assert_no_split_words(pdf, values)


def test_the_readback_catches_a_word_split_in_a_narrow_column():
    """The control: the helper fails on a cell that reportlab had to break mid-word (as the
    old transcript did with "EdAdvanc e" and "EDADVANCE-2026-000 032")."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    buffer = io.BytesIO()
    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)
    cells = [Paragraph(text, style) for text in ("EdAdvance", "EDADVANCE-2026-000032")]
    SimpleDocTemplate(buffer).build([Table([cells], colWidths=[50, 90])])
    problems = split_words(buffer.getvalue(), ["EdAdvance", "EDADVANCE-2026-000032"])
    assert any("'EdAdvance' split" in problem for problem in problems)
    assert any("'EDADVANCE-2026-000032' split" in problem for problem in problems)


def test_the_qr_code_opens_the_verify_page_with_the_totals_as_issued(client, jordan):
    pdf = _pdf(client, jordan)
    issued = IssuedTranscript.objects.get(person=jordan)
    [url] = qr_codes(pdf)
    assert url.endswith(issued.get_verify_path())
    client.logout()  # public: the district's clerk has no account
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    body = response.content.decode()
    for expected in (
        "Valid</span> transcript of PD hours",
        "Jordan Rivera",
        "FY2025: 12.50 of 18 hours",
        "FY2026: 3.00 of 18 hours",
        "EDADVANCE-2026-000032",
        "15.50",
    ):
        assert expected in body, expected
    assert response["X-Robots-Tag"] == "noindex"


def test_a_tampered_or_unknown_code_is_404(client, jordan):
    _pdf(client, jordan)
    code = IssuedTranscript.objects.get().code
    other = "2" if code[-1] != "2" else "3"
    client.logout()
    for bad in (code[:-1] + other, "not-a-code", code[:12]):
        url = reverse("certificates:transcript_verify", kwargs={"code": bad})
        assert client.get(url).status_code == 404


def test_the_verify_page_flags_a_certificate_revoked_since_and_keeps_the_issued_lines(
    client, jordan
):
    _pdf(client, jordan)
    issued = IssuedTranscript.objects.get()
    math = Certificate.objects.get(registration__session__course__title="Math Workshop")
    registration = math.registration
    mark(registration.session, registration, "absent")  # a correction revokes it
    client.logout()
    body = client.get(issued.get_verify_path()).content.decode()
    assert "Changed since issued" in body
    assert "<strong>Revoked</strong> on" in body
    assert "Math Workshop" in body  # still listed as issued
    assert 'Total FY2025 as issued</th><td class="num"><strong>12.50</strong>' in body
    assert 'Total FY2025 today</th><td class="num"><strong>6.50</strong>' in body


def test_downloading_again_the_same_day_gives_the_same_transcript(client, jordan):
    first = _pdf(client, jordan)
    assert _pdf(client, jordan) == first
    assert IssuedTranscript.objects.count() == 1


def test_staff_transcript_says_its_scope_and_verifies(client, jordan):
    edadvance = ProviderFactory(short_name="EdAdvance")
    client.force_login(staff_of(edadvance))
    url = reverse("certificates:staff_transcript_pdf", kwargs={"pk": jordan.pk})
    pdf = client.get(url).content
    text = _text(pdf)
    assert "Certificates from sessions of EdAdvance only." in text
    assert "Math Workshop" not in text
    issued = IssuedTranscript.objects.get()
    assert issued.scope == "Certificates from sessions of EdAdvance only."
    [url] = qr_codes(pdf)
    assert url.endswith(issued.get_verify_path())

"""Every CSV download opens in a spreadsheet with its letters intact (pd_platform.downloads):
UTF-8, said in the Content-Type, and a byte-order mark first, the cue Excel needs."""

import csv
import io

import pytest
from django.urls import reverse

from tests.certificates.helpers import completed, past_session
from tests.factories import (
    CourseFactory,
    RegistrationFactory,
    SessionFactory,
    educator,
    staff_of,
)

pytestmark = pytest.mark.django_db

ACCENTED = ("José", "Muñoz-Ibáñez")


def _as_excel_reads(response) -> list[list[str]]:
    """The rows as a spreadsheet program reads them: the BOM says UTF-8, and is not data."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_roster_csv_keeps_accented_names(client, provider):
    session = SessionFactory(course=CourseFactory(provider=provider))
    RegistrationFactory(
        session=session, person=educator(first_name=ACCENTED[0], last_name=ACCENTED[1])
    )
    client.force_login(staff_of(provider))
    rows = _as_excel_reads(client.get(f"/staff/sessions/{session.pk}/roster.csv"))
    assert rows[0][0] == "status"
    assert rows[1][2] == "José Muñoz-Ibáñez"


def test_the_billing_csv_keeps_accented_names(client, provider):
    session = SessionFactory(course=CourseFactory(provider=provider))
    RegistrationFactory(
        session=session, person=educator(first_name=ACCENTED[0], last_name=ACCENTED[1])
    )
    day = session.meetings.get().starts_at.date().isoformat()
    client.force_login(staff_of(provider))
    rows = _as_excel_reads(client.get("/staff/billing.csv", {"start": day, "end": day}))
    assert rows[0][0] == "session id"
    assert rows[1][3] == "José Muñoz-Ibáñez"


def test_the_transcript_csv_keeps_accented_titles(client, provider):
    person = educator(first_name=ACCENTED[0], last_name=ACCENTED[1])
    completed(
        past_session(course=CourseFactory(provider=provider, title="Enseñanza bilingüe")), person
    )
    client.force_login(person)
    rows = _as_excel_reads(client.get(reverse("certificates:my_transcript_csv")))
    assert rows[0][0] == "fiscal year"
    assert rows[1][1] == "Enseñanza bilingüe"

"""Evaluation results as CSV and XLSX: the hand-computed figures, read back the way a
spreadsheet would, with nothing that names a respondent."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.evaluations.helpers import ANSWERS, EXPECTED, hand_computed_case

pytestmark = pytest.mark.django_db
CSV = "/evaluations/results/export.csv"
XLSX = "/evaluations/results/export.xlsx"


@pytest.fixture
def case(provider):
    return hand_computed_case(provider=provider)


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_rows(response) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(response.content))["Results"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _questions(rows: list[list]) -> dict[tuple[str, str], list]:
    """{(question kind, option or "(all)"): the row's figures from Count on}."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Form") + 1
    return {(row[3], str(row[4])): row[5:] for row in rows[start:] if row and row[0]}


def _header(rows: list[list]) -> list:
    index = next(i for i, row in enumerate(rows) if row and row[0] == "Responses")
    return rows[index + 1][:3]


def test_the_csv_has_the_hand_computed_figures(client, case, staff):
    client.force_login(staff)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert _header(rows) == ["4", "5", "80.0"]
    q = _questions(rows)
    assert q[("Agreement (1-5)", "(all)")][:6] == ["", "4", "3.50", "50.0", "", ""]
    assert [q[("Agreement (1-5)", str(v))][0] for v in range(1, 6)] == ["0", "1", "1", "1", "1"]
    assert q[("Before and now (1-5)", "(all)")][:6] == ["", "4", "3.75", "", "1.75", "4"]
    assert q[("One choice", "Practice")][0] == "3"
    assert [q[("Several choices", o)][0] for o in "ABC"] == ["3", "2", "2"]
    assert q[("Open text", "(all)")][1] == "3"


def test_the_xlsx_has_the_same_figures_as_numbers(client, case, staff):
    client.force_login(staff)
    response = client.get(XLSX)
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    assert _header(rows) == [4, 5, 80.0]
    q = _questions(rows)
    assert q[("Agreement (1-5)", "(all)")][:4] == [None, 4, 3.5, 50.0]
    assert q[("Before and now (1-5)", "(all)")][:6] == [None, 4, 3.75, None, 1.75, 4]
    assert [q[("Several choices", o)][0] for o in "ABC"] == [3, 2, 2]
    assert q[("One choice", "Talks")][0] == 1


def test_no_export_names_a_respondent_or_holds_comments(client, case, staff):
    client.force_login(staff)
    texts = [client.get(CSV).content.decode("utf-8-sig"), str(_xlsx_rows(client.get(XLSX)))]
    for text in texts:
        for person in case.people:
            assert person.first_name not in text
            assert person.last_name not in text
            assert person.email not in text
        # No column could hold a registration id, a name or an email: only aggregates.
        assert "registration" not in text.lower() and "@" not in text
        for comment in EXPECTED["comments"]:
            assert comment not in text


def test_with_two_responses_the_exports_give_counts_only(client, provider, staff):
    hand_computed_case(provider=provider, answers=ANSWERS[:2], asked=2)
    client.force_login(staff)
    rows = _csv_rows(client.get(CSV))
    assert _header(rows) == ["2", "2", "100.0"]
    q = _questions(rows)
    assert all(option == "(all)" for _, option in q)  # no per-option counts
    assert q[("Agreement (1-5)", "(all)")][:6] == ["", "2", "", "", "", ""]


def test_bad_filters_and_other_people(client, educator, staff):
    client.force_login(staff)
    assert client.get(CSV, {"start": "nope"}).status_code == 400
    assert client.get("/evaluations/results/export.pdf").status_code == 404
    client.force_login(educator)
    assert client.get(CSV).status_code == 403

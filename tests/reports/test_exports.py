"""Reach exports: CSV, XLSX, the PDF summary for funders and the detail CSV. The point is that
the page, the API and every export show the same numbers (DESIGN.md, "Reach report")."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import District
from reports.detail import HEADER, detail_rows
from reports.exports import (
    BREAKDOWNS,
    FIGURES,
    HOURS,
    describe_scope,
    display_number,
    reach_csv,
    reach_pdf,
    reach_xlsx,
)
from reports.selectors import ReachScope, reach_report
from tests.factories import alliance_admin, educator
from tests.reports.data import build_reach_data, confirmed, mark, past_session
from tests.reports.readback import (
    csv_figures,
    csv_sections,
    pdf_figures,
    pdf_text,
    xlsx_summary,
    xlsx_workbook,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPECTED = {  # the data set's figures for its provider, worked out by hand
    "sessions_delivered": 3,
    "staff_trained": 4,
    "completions": 4,
    "districts_reached": 3,
    "youth_reached": 42,
    "adults_uncounted": 4,
    "pd_hours": "21.00",
    "free_districts": 2,
}


@pytest.fixture
def data():
    return build_reach_data()


def _params(data, **extra) -> dict:
    return {"start": data.start.isoformat(), "end": data.end.isoformat(), **extra}


def _scope(data) -> ReachScope:
    return ReachScope(start=data.start, end=data.end, provider_ids=(data.provider.pk,))


def _as_text(value, *, hours: bool = False) -> str:
    """A figure as the JSON and the CSV write it: whole numbers plain, hours with 2 places
    (a spreadsheet reads 21.00 back as the number 21)."""
    if hours or isinstance(value, float | Decimal):
        return f"{Decimal(str(value)):.2f}"
    return str(value)


# --- one report, four renderings -------------------------------------------------------------


def test_the_json_the_csv_the_xlsx_and_the_pdf_show_the_same_figures(data, client, api_client):
    api_client.force_authenticate(data.staff)
    client.force_login(data.staff)
    params = _params(data)
    json_figures = api_client.get("/api/v1/reports/reach/", params).json()
    page_csv = client.get(reverse("reports:export", args=["csv"]), params)
    page_xlsx = client.get(reverse("reports:export", args=["xlsx"]), params)
    page_pdf = client.get(reverse("reports:export", args=["pdf"]), params)
    api_csv = api_client.get("/api/v1/reports/reach/", {**params, "format": "csv"})

    expected = {key: json_figures[key] for key in EXPECTED}
    assert expected == EXPECTED  # the data set is what we think it is, and not trivial
    as_text = {key: _as_text(value) for key, value in expected.items()}
    assert csv_figures(page_csv.content.decode("utf-8-sig")) == as_text
    assert api_csv.content == page_csv.content
    _, xlsx = xlsx_summary(page_xlsx.content)
    assert {f.key: _as_text(xlsx[f.label], hours=f.key == "pd_hours") for f in FIGURES} == as_text
    assert pdf_figures(page_pdf.content) == {
        key: display_number(Decimal(value) if key == "pd_hours" else value)
        for key, value in expected.items()
    }


def _json_csv_xlsx(api_client, params):
    """The report from the API as JSON, as CSV sections and as an XLSX workbook."""
    url = "/api/v1/reports/reach/"
    body = api_client.get(url, params).json()
    sections = csv_sections(
        api_client.get(url, {**params, "format": "csv"}).content.decode("utf-8-sig")
    )
    workbook = xlsx_workbook(api_client.get(url, {**params, "format": "xlsx"}).content)
    return body, sections, workbook


def test_every_breakdown_row_agrees_between_the_json_the_csv_and_the_xlsx(data, api_client):
    api_client.force_authenticate(data.staff)
    body, sections, workbook = _json_csv_xlsx(api_client, _params(data))
    for breakdown in BREAKDOWNS:
        json_rows = body[breakdown.attribute]
        if breakdown.optional:
            assert json_rows == [] and breakdown.title not in sections
            assert breakdown.title not in workbook.sheetnames
            continue
        assert json_rows, breakdown.attribute
        header, *csv_rows = sections[breakdown.title]
        sheet_rows = list(workbook[breakdown.title].iter_rows(values_only=True))
        assert list(sheet_rows[0]) == header == [c.header for c in breakdown.columns]
        assert len(csv_rows) == len(sheet_rows) - 1 == len(json_rows)
        columns = JSON_KEYS[breakdown.attribute]
        for json_row, csv_row, sheet_row in zip(json_rows, csv_rows, sheet_rows[1:], strict=True):
            for index, column in enumerate(breakdown.columns):
                if column.header in columns:
                    expected = _as_text(json_row[columns[column.header]])
                    in_sheet = _as_text(sheet_row[index], hours=column.kind == HOURS)
                    assert expected == csv_row[index] == in_sheet


def test_an_alliance_admin_gets_each_providers_figures_in_the_json_the_csv_and_the_xlsx(
    data, api_client
):
    api_client.force_authenticate(alliance_admin())
    params = _params(data)
    body, sections, workbook = _json_csv_xlsx(api_client, params)
    sheet = workbook["By provider"]

    rows = body["by_provider"]
    assert [row["provider"] for row in rows] == sorted(
        [data.provider.short_name, data.other_provider.short_name]
    )
    keys = [f.key for f in FIGURES]
    for row in rows:
        # Each provider's row is that provider's own report.
        slug = next(
            p.slug for p in (data.provider, data.other_provider) if p.short_name == row["provider"]
        )
        alone = api_client.get("/api/v1/reports/reach/", {**params, "provider": slug}).json()
        assert {k: row[k] for k in keys} == {k: alone[k] for k in keys}
    assert sum(row["completions"] for row in rows) == body["completions"]
    header, *csv_rows = sections["By provider"]
    sheet_rows = list(sheet.iter_rows(values_only=True))
    assert header == list(sheet_rows[0]) == [c.header for c in BREAKDOWNS[-1].columns]
    by_header = dict(zip(header, range(len(header)), strict=True))
    for row, csv_row, sheet_row in zip(rows, csv_rows, sheet_rows[1:], strict=True):
        assert csv_row[0] == sheet_row[0] == row["provider"]
        assert csv_row[by_header["Completions"]] == str(row["completions"])
        assert sheet_row[by_header["Completions"]] == row["completions"]
        assert csv_row[by_header["PD hours"]] == row["pd_hours"]
        assert csv_row[by_header["Free districts"]] == str(row["free_districts"])


JSON_KEYS = {  # breakdown: {export column: JSON key} for the columns that are the same value
    "by_district": {
        "District": "name",
        "Staff trained": "staff_trained",
        "Completions": "completions",
        "PD hours": "pd_hours",
        "Youth reached": "youth_reached",
        "Adults without accounts": "adults_uncounted",
    },
    "by_position": {
        "Position": "label",
        "Staff trained": "staff_trained",
        "Completions": "completions",
        "PD hours": "pd_hours",
    },
    "by_session": {
        "Session id": "session_id",
        "Session": "title",
        "Provider": "provider",
        "Staff trained": "staff_trained",
        "Completions": "completions",
        "PD hours": "pd_hours",
        "Youth reached": "youth_reached",
        "Adults without accounts": "adults_uncounted",
    },
    "by_delivery": {
        "Delivery": "label",
        "Sessions delivered": "sessions_delivered",
        "Staff trained": "staff_trained",
        "Completions": "completions",
        "PD hours": "pd_hours",
        "Youth reached": "youth_reached",
    },
    "turnkey_multiplier": {
        "Program": "program",
        "Trainers certified": "trainers_certified",
        "Turnkey sessions": "turnkey_sessions",
        "Staff trained": "staff_trained",
        "Youth reached": "youth_reached",
    },
}


def test_the_detail_csv_adds_up_to_the_completions_and_the_pd_hours(data, client):
    client.force_login(data.staff)
    response = client.get(reverse("reports:detail"), _params(data))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reach-')
    header, *rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert header == HEADER
    report = reach_report(_scope(data))
    assert len(rows) == report.figures.completions == 4
    assert sum(Decimal(row[-1]) for row in rows) == report.figures.pd_hours
    assert len({row[1] for row in rows}) == report.figures.staff_trained
    assert {row[4] for row in rows} == {"LRN"}  # the other provider's completion is not here
    partial = "Bo Birch"  # 200 of 360 minutes: not completed, so not listed
    assert partial not in {row[0] for row in rows}


# --- CSV --------------------------------------------------------------------------------------


def test_the_csv_starts_with_the_filters_and_has_a_section_per_breakdown(data):
    scope = _scope(data)
    text = reach_csv(reach_report(scope), describe_scope(scope))
    sections = csv_sections(text)

    assert dict(sections["Reach report"]) == {
        "Provider": "Learning Resource Network",
        "Period": describe_scope(scope)["Period"],
        "Program": "All programs",
        "Course": "All courses",
        "Delivery": "All deliveries",
    }
    assert [title for title in sections if title] == [
        "Reach report",
        "Figures",
        "Evaluations",
        *[b.title for b in BREAKDOWNS if not b.optional],
    ]
    definitions = {row[1]: row[3] for row in sections["Figures"][1:]}
    assert definitions == {f.key: f.definition for f in FIGURES}


def test_csv_cells_that_would_run_as_formulas_are_written_as_text(data):
    District.objects.filter(pk=data.districts[0].pk).update(name='=HYPERLINK("http://x","y")')
    scope = _scope(data)
    text = reach_csv(reach_report(scope), describe_scope(scope))

    names = [row[0] for row in csv_sections(text)["By district"][1:]]
    assert '\'=HYPERLINK("http://x","y")' in names
    assert not any(
        cell.startswith(("=", "+", "-", "@"))
        for row in csv.reader(io.StringIO(text))
        for cell in row
    )


# --- XLSX -------------------------------------------------------------------------------------


def test_the_xlsx_has_a_summary_with_the_filters_on_top_and_a_sheet_per_breakdown(data):
    scope = _scope(data)
    report = reach_report(scope)
    workbook = xlsx_workbook(reach_xlsx(report, describe_scope(scope)))

    assert workbook.sheetnames == [
        "Summary",
        "By district",
        "By position",
        "By session",
        "By delivery",
        "Turnkey multiplier",
    ]
    summary = workbook["Summary"]
    assert summary["A1"].value == "Reach report"
    assert (summary["A2"].value, summary["B2"].value) == ("Provider", "Learning Resource Network")
    assert summary["A3"].value == "Period"
    filters, figures = xlsx_summary(reach_xlsx(report, describe_scope(scope)))
    assert list(filters) == ["Provider", "Period", "Program", "Course", "Delivery"]
    assert list(figures) == [f.label for f in FIGURES]
    # Numbers are numbers; hours show two decimals.
    rows = {row[0].value: row for row in summary.iter_rows() if row[0].value}
    assert rows["Completions"][1].data_type == "n"
    assert rows["PD hours"][1].value == 21
    assert rows["PD hours"][1].number_format == "0.00"
    assert rows["Completions"][2].value == FIGURES[2].definition
    district = workbook["By district"]
    assert [c.value for c in district[1]] == [c.header for c in BREAKDOWNS[0].columns]
    assert district["D2"].number_format == "0.00"
    assert isinstance(district["B2"].value, int)


def test_xlsx_text_that_looks_like_a_formula_stays_text(data):
    District.objects.filter(pk=data.districts[0].pk).update(name="=1+2")
    scope = _scope(data)
    workbook = xlsx_workbook(reach_xlsx(reach_report(scope), describe_scope(scope)))

    cell = workbook["By district"]["A2"]
    assert (cell.value, cell.data_type) == ("=1+2", "s")


# --- PDF --------------------------------------------------------------------------------------


def test_the_pdf_names_the_provider_the_period_and_each_figure_with_its_definition(data):
    scope = _scope(data)
    filters = describe_scope(scope)
    content = reach_pdf(reach_report(scope), filters)
    text = pdf_text(content)

    assert "Learning Resource Network" in text
    assert filters["Period"] in text
    assert pdf_figures(content) == {
        "sessions_delivered": "3",
        "staff_trained": "4",
        "completions": "4",
        "districts_reached": "3",
        "youth_reached": "42",
        "adults_uncounted": "4",
        "pd_hours": "21.00",
        "free_districts": "2",
    }
    flat = " ".join(text.split())
    for figure in FIGURES:
        assert " ".join(figure.definition.split()) in flat
    assert "By delivery" in text and "Top districts" in text


def test_the_pdf_is_the_same_bytes_every_time_and_at_most_two_pages(data):
    from pypdf import PdfReader

    scope = _scope(data)
    report, filters = reach_report(scope), describe_scope(scope)
    first = reach_pdf(report, filters)

    assert first == reach_pdf(report, filters)
    assert 1 <= len(PdfReader(io.BytesIO(first)).pages) <= 2


def test_the_pdf_survives_names_outside_helvetica_and_markup_characters(data):
    District.objects.filter(pk=data.districts[0].pk).update(name="Łódź & <Nguyễn> Schools")
    scope = ReachScope(start=data.start, end=data.end)  # every provider
    content = reach_pdf(reach_report(scope), describe_scope(scope))

    text = pdf_text(content)
    assert "All providers" in text
    assert "& <Nguy" in text  # escaped for the layout, printed as written


def test_a_fiscal_year_period_says_which_one():
    scope = ReachScope.fiscal_year(2025)
    assert describe_scope(scope)["Period"] == "July 1, 2024 to June 30, 2025 (FY2025)"
    assert describe_scope(ReachScope(start=scope.start, end=scope.end.replace(day=29)))[
        "Period"
    ] == ("July 1, 2024 to June 29, 2025")


# --- detail -----------------------------------------------------------------------------------


def test_the_detail_rows_cost_one_query_whatever_their_number(data, django_assert_num_queries):
    scope = _scope(data)
    with django_assert_num_queries(1):
        small = list(detail_rows(scope))
    session = past_session(data.course, days_ago=5)
    marks = {confirmed(session, educator(district=data.districts[1])): "present" for _ in range(60)}
    mark(session, marks, data.staff)
    with django_assert_num_queries(1):
        large = list(detail_rows(scope))
    assert len(large) - len(small) == 60


def test_the_detail_download_costs_the_same_queries_for_10_and_100_completions(client):
    data = build_reach_data(extra_completions=10)
    client.force_login(data.staff)
    counts = []
    for more in (0, 90):
        session = past_session(data.course, days_ago=6 + more % 7)
        marks = {
            confirmed(session, educator(district=data.districts[0])): "present" for _ in range(more)
        }
        if marks:
            mark(session, marks, data.staff)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reports:detail"), _params(data))
            rows = list(
                csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
            )
        counts.append(len(queries))
        assert len(rows) - 1 == reach_report(_scope(data)).figures.completions
    assert len(rows) - 1 >= 100
    assert counts[0] == counts[1]


# --- the page's download links ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX), ("pdf", "application/pdf")],
)
def test_the_page_downloads_each_format_as_an_attachment(data, client, fmt, content_type):
    client.force_login(data.staff)
    response = client.get(reverse("reports:export", args=[fmt]), _params(data))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    expected = f'attachment; filename="reach-lrn-{data.start}-to-{data.end}.{fmt}"'
    assert response["Content-Disposition"] == expected


def test_an_unknown_export_format_is_a_404(data, client):
    client.force_login(data.staff)
    assert client.get(reverse("reports:export", args=["docx"]), _params(data)).status_code == 404


@pytest.mark.parametrize("name", ["export", "detail"])
def test_bad_filters_on_a_download_are_a_400_in_plain_text(data, client, name):
    client.force_login(data.staff)
    args = ["csv"] if name == "export" else []
    response = client.get(
        reverse(f"reports:{name}", args=args),
        {"start": "2025-03-01", "end": "2025-01-01", "provider": "no-such-provider"},
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "End date: Choose an end date on or after the start date." in text
    assert "Provider: Choose one of the providers in the list." in text


@pytest.mark.parametrize("name", ["export", "detail"])
def test_downloads_are_for_people_who_see_reports(data, client, name):
    args = ["pdf"] if name == "export" else []
    url = reverse(f"reports:{name}", args=args)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(educator())
    assert client.get(url).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_detail_streams_outside_a_transaction_too(client):
    """As in production (autocommit): on PostgreSQL the server-side cursor is held open
    across the streamed response."""
    data = build_reach_data(extra_completions=3)
    client.force_login(data.staff)
    response = client.get(reverse("reports:detail"), _params(data))

    chunks = list(response.streaming_content)
    assert chunks[0] == b"\xef\xbb\xbf"  # the byte-order mark Excel needs, alone
    assert len(chunks) == 1 + 1 + 4 + 3  # mark, header, the data set's four, three more

"""GET /api/v1/reports/reach/ (DESIGN.md, API contract): who sees which figures, bad filters
as JSON per field, the exports through `format=`, and a constant number of queries."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from courses.dates import local_date
from reports.selectors import ReachScope, reach_report
from tests.factories import alliance_admin, coordinator_of, educator
from tests.reports.data import build_reach_data, confirmed, mark, past_session
from tests.reports.readback import csv_figures, pdf_text

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/reach/"
FIGURE_KEYS = [
    "sessions_delivered",
    "staff_trained",
    "completions",
    "districts_reached",
    "youth_reached",
    "adults_uncounted",
    "pd_hours",
    "free_districts",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data():
    return build_reach_data()


def _params(data, **extra) -> dict:
    return {"start": data.start.isoformat(), "end": data.end.isoformat(), **extra}


def _get(api_client, user, params):
    api_client.force_authenticate(user)
    return api_client.get(URL, params)


def _figures(body: dict) -> dict:
    return {key: body[key] for key in FIGURE_KEYS}


# --- the JSON -----------------------------------------------------------------------------------


def test_the_json_has_every_figure_every_breakdown_and_the_scope(data, api_client):
    response = _get(api_client, data.staff, _params(data, delivery="any"))

    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        *FIGURE_KEYS,
        "by_district",
        "by_position",
        "by_session",
        "by_delivery",
        "turnkey_multiplier",
        "by_provider",
        "evaluations",
        "scope",
    ]
    assert body["by_provider"] == []  # staff see one provider: no per-provider table
    assert _figures(body) == {
        "sessions_delivered": 3,
        "staff_trained": 4,
        "completions": 4,
        "districts_reached": 3,
        "youth_reached": 42,
        "adults_uncounted": 4,
        "pd_hours": "21.00",
        "free_districts": 2,
    }
    assert body["scope"] == {
        "fiscal_year": None,
        "start": data.start.isoformat(),
        "end": data.end.isoformat(),
        "provider": None,
        "program": None,
        "course": None,
        "delivery": None,
        "district_ids": None,
    }
    assert [row["name"] for row in body["by_district"]] == [d.name for d in data.districts]
    assert body["by_district"][0] == {
        "district_id": data.districts[0].pk,
        "name": "Alder Public Schools",
        "staff_trained": 3,
        "completions": 3,
        "pd_hours": "18.00",
        "youth_reached": 0,
        "adults_uncounted": 0,
        "free": False,
    }
    assert [row["delivery"] for row in body["by_delivery"]] == ["direct", "turnkey"]
    assert body["turnkey_multiplier"] == [
        {
            "program_id": data.program.pk,
            "program": "UPLIFT",
            "trainers_certified": 1,
            "turnkey_sessions": 1,
            "staff_trained": 1,
            "youth_reached": 42,
        }
    ]
    session = body["by_session"][-1]
    assert session["delivery"] == "turnkey" and session["is_free"] is True
    first = data.sessions[2].meetings.get().starts_at
    assert session["first_date"] == local_date(first).isoformat()


def test_the_json_matches_the_selector_for_the_same_scope(data, api_client):
    body = _get(api_client, data.staff, _params(data)).json()
    report = reach_report(
        ReachScope(start=data.start, end=data.end, provider_ids=(data.provider.pk,))
    )

    figures = report.figures
    assert _figures(body) == {
        **{key: getattr(figures, key) for key in FIGURE_KEYS},
        "pd_hours": f"{figures.pd_hours:.2f}",
    }
    assert [r["session_id"] for r in body["by_session"]] == [
        r.session_id for r in report.by_session
    ]


def test_filters_narrow_the_figures_and_are_echoed(data, api_client):
    params = _params(data, provider="lrn", program=data.program.slug, delivery="turnkey")
    body = _get(api_client, data.staff, params).json()

    assert body["completions"] == 1
    assert body["youth_reached"] == 42
    assert body["scope"]["provider"] == "lrn"
    assert body["scope"]["program"] == data.program.slug
    assert body["scope"]["delivery"] == "turnkey"


def test_a_fiscal_year_is_the_default_period_and_echoed(data, api_client):
    body = _get(api_client, data.staff, {"fiscal_year": "2025"}).json()

    assert body["scope"]["fiscal_year"] == 2025
    assert (body["scope"]["start"], body["scope"]["end"]) == ("2024-07-01", "2025-06-30")
    assert body["completions"] == 0  # the data set is recent


# --- who sees what ------------------------------------------------------------------------------


def test_anonymous_is_401_json(data, api_client):
    response = api_client.get(URL, _params(data))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert "WWW-Authenticate" in response


def test_educators_and_trainers_are_403_json(data, api_client):
    trainer = data.sessions[2].trainers.get()  # leads the turnkey session, no reporting role
    for person in (educator(), trainer):
        response = _get(api_client, person, _params(data))
        assert response.status_code == 403
        assert response.json()["detail"].startswith("Reports are for")


def test_staff_asking_for_another_providers_figures_is_403_json(data, api_client):
    response = _get(api_client, data.staff, _params(data, provider="oth"))

    assert response.status_code == 403
    assert response.json() == {"detail": "You may see the reports of your own providers only."}
    for fmt in ("csv", "pdf"):
        exported = _get(api_client, data.staff, _params(data, provider="oth", format=fmt))
        assert exported.status_code == 403
        assert exported["Content-Type"] == "application/json"


def test_staff_see_only_their_providers_figures(data, api_client):
    body = _get(api_client, data.staff, _params(data)).json()

    assert body["completions"] == 4  # not the other provider's completion
    assert {row["provider"] for row in body["by_session"]} == {"LRN"}


def test_alliance_admins_see_every_provider_or_any_one(data, api_client):
    admin = alliance_admin()
    everyone = _get(api_client, admin, _params(data)).json()
    other = _get(api_client, admin, _params(data, provider="oth")).json()

    assert everyone["completions"] == 5
    assert everyone["pd_hours"] == "27.00"
    assert {row["provider"] for row in everyone["by_session"]} == {"LRN", "OTH"}
    assert other["completions"] == 1
    assert other["scope"]["provider"] == "oth"


def test_district_coordinators_see_their_districts_staff_across_providers(data, api_client):
    coordinator = coordinator_of(data.districts[0])
    body = _get(api_client, coordinator, _params(data)).json()

    assert body["completions"] == 4  # three at LRN, one at the other provider
    assert body["districts_reached"] == 1
    assert body["youth_reached"] == 0  # the youth headcounts name other districts
    assert [row["name"] for row in body["by_district"]] == ["Alder Public Schools"]
    assert body["scope"]["district_ids"] == [data.districts[0].pk]


def test_a_token_works_like_a_session(data, api_client):
    token = Token.objects.create(user=data.staff)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api_client.get(URL, _params(data)).json()["completions"] == 4


# --- bad filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"provider": "no-such-provider"}, "provider"),
        ({"provider": "bad\x00slug"}, "provider"),
        ({"program": "no-such-program"}, "program"),
        ({"course": "no-such-course"}, "course"),
        ({"start": "2025-03-01", "end": "2025-01-01"}, "end"),
        ({"start": "2025-02-30"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "0001-01-01"}, "start"),
        ({"fiscal_year": "20x5"}, "fiscal_year"),
        ({"fiscal_year": "1990"}, "fiscal_year"),
        ({"delivery": "by-owl"}, "delivery"),
        ({"format": "docx"}, "format"),
    ],
)
def test_bad_filters_are_a_400_with_a_message_per_field(data, api_client, params, field):
    response = _get(api_client, data.staff, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [field]
    assert isinstance(body[field], list) and all(isinstance(m, str) for m in body[field])


def test_every_bad_filter_is_reported_at_once(data, api_client):
    params = {"start": "2025-03-01", "end": "2025-01-01", "provider": "nope", "format": "x"}
    body = _get(api_client, data.staff, params).json()

    assert body == {
        "provider": ["Choose one of the providers in the list."],
        "end": ["Choose an end date on or after the start date."],
        "format": ["Choose json, csv, xlsx or pdf."],
    }


# --- exports through format= --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX), ("pdf", "application/pdf")],
)
def test_format_returns_the_export_as_an_attachment(data, api_client, fmt, content_type):
    response = _get(api_client, data.staff, _params(data, format=fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="reach-lrn-{data.start}-to-{data.end}.{fmt}"'
    )


def test_each_export_carries_the_jsons_figures(data, api_client):
    params = _params(data)
    body = _get(api_client, data.staff, params).json()
    csv_text = _get(api_client, data.staff, {**params, "format": "csv"}).content.decode("utf-8-sig")
    xlsx = _get(api_client, data.staff, {**params, "format": "xlsx"}).content
    pdf = _get(api_client, data.staff, {**params, "format": "pdf"}).content

    assert csv_figures(csv_text)["completions"] == str(body["completions"])
    summary = load_workbook(io.BytesIO(xlsx))["Summary"]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert Decimal(str(values["PD hours"])) == Decimal(body["pd_hours"])
    text = pdf_text(pdf)
    assert "Learning Resource Network" in text
    assert f"\n{body['youth_reached']}\n" in f"\n{text}\n".replace(" ", "")


def test_an_accept_header_naming_the_export_type_is_no_406(data, api_client):
    api_client.force_authenticate(data.staff)
    response = api_client.get(URL, _params(data, format="pdf"), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


# --- cost ---------------------------------------------------------------------------------------


def test_the_same_number_of_queries_for_10_and_100_registrations(
    data, api_client, django_assert_num_queries
):
    token = Token.objects.create(user=data.staff)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    params = _params(data, provider="lrn")

    def add_completions(count: int) -> None:
        session = past_session(data.course, days_ago=7 + count % 5)
        mark(
            session,
            {
                confirmed(session, educator(district=data.districts[1])): "present"
                for _ in range(count)
            },
            data.staff,
        )

    add_completions(10)
    with CaptureQueriesContext(connection) as first:
        small = api_client.get(URL, params).json()
    add_completions(90)
    with CaptureQueriesContext(connection) as second:
        large = api_client.get(URL, params).json()
    assert len(first) == len(second)
    assert large["completions"] - small["completions"] == 90


def test_the_schema_documents_the_endpoint_and_validates(tmp_path):
    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    schema = path.read_text()
    assert "/api/v1/reports/reach/:" in schema
    assert "ReportError" in schema

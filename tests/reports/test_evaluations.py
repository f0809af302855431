"""The reach report's `evaluations` block: exactly evaluations.selectors.summary of the
sessions the report counts, on the page, the API, the CSV, the XLSX and the funders' PDF."""

import pytest

from courses.models import Session
from evaluations.selectors import summary
from reports.selectors import ReachScope, reach_report, scope_sessions
from tests.evaluations.helpers import hand_computed_case
from tests.factories import coordinator_of
from tests.reports.readback import csv_sections, pdf_text, xlsx_evaluations

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/reach/"
EXPECTED = {
    "responses": 4,
    "asked": 5,
    "response_rate": "80.0",
    "overall_agreement_percent": "50.0",
    "mean_confidence_change": "1.75",
}


@pytest.fixture
def case(provider):
    return hand_computed_case(provider=provider)


def test_the_json_has_the_hand_computed_block(api_client, case, staff):
    api_client.force_authenticate(staff)
    body = api_client.get(API).json()
    assert body["evaluations"] == EXPECTED


def test_it_is_summary_of_the_scope_sessions(case, provider, other_provider):
    cancelled = hand_computed_case(provider=provider)
    Session.objects.filter(pk=cancelled.session.pk).update(status=Session.Status.CANCELLED)
    hand_computed_case(provider=other_provider)
    scope = ReachScope.fiscal_year(_year(case), provider_ids=(provider.pk,))

    assert list(scope_sessions(scope)) == [case.session]
    expected = summary(Session.objects.filter(pk=case.session.pk))
    assert reach_report(scope).evaluations == expected
    assert expected.responses == 4


def _year(case) -> int:
    from courses.dates import fiscal_year_of, local_date

    return fiscal_year_of(local_date(case.session.meetings.order_by("starts_at")[0].starts_at))


def test_the_csv_xlsx_and_pdf_say_the_same(api_client, case, staff):
    api_client.force_authenticate(staff)
    csv_text = api_client.get(API, {"format": "csv"}).content.decode("utf-8-sig")
    section = csv_sections(csv_text)["Evaluations"]
    assert section[0] == ["Figure", "Key", "Value", "Definition"]
    assert {key.removeprefix("evaluations."): value for _, key, value, _ in section[1:]} == {
        key: str(value) for key, value in EXPECTED.items()
    }

    xlsx = xlsx_evaluations(api_client.get(API, {"format": "xlsx"}).content)
    assert xlsx == {
        "Evaluation responses": 4,
        "Asked to evaluate": 5,
        "Response rate (%)": 80.0,
        "Overall agreement (%)": 50.0,
        "Mean confidence change": 1.75,
    }

    pdf = api_client.get(API, {"format": "pdf"}).content
    texts = [line.strip() for line in pdf_text(pdf).splitlines()]
    for label, value in (
        ("Evaluation responses", "4"),
        ("Asked to evaluate", "5"),
        ("Response rate (%)", "80.0"),
        ("Overall agreement (%)", "50.0"),
        ("Mean confidence change", "1.75"),
    ):
        index = texts.index(label)
        assert texts[index + 1] == value, label


def test_the_page_shows_the_block(client, case, staff):
    client.force_login(staff)
    html = client.get("/reports/reach/").content.decode()
    assert 'data-figure="evaluations.responses">4<' in html
    assert 'data-figure="evaluations.response_rate">80.0<' in html
    assert 'data-figure="evaluations.overall_agreement_percent">50.0<' in html
    assert 'data-figure="evaluations.mean_confidence_change">1.75<' in html


def test_below_three_responses_the_block_gives_counts_only(api_client, provider, staff):
    from tests.evaluations.helpers import ANSWERS

    hand_computed_case(provider=provider, answers=ANSWERS[:2], asked=4)
    api_client.force_authenticate(staff)
    assert api_client.get(API).json()["evaluations"] == {
        "responses": 2,
        "asked": 4,
        "response_rate": "50.0",
        "overall_agreement_percent": None,
        "mean_confidence_change": None,
    }


def test_coordinators_get_no_evaluations_block(api_client, case, district):
    api_client.force_authenticate(coordinator_of(district))
    body = api_client.get(API).json()
    assert body["evaluations"] is None
    assert "Evaluations" not in csv_sections(
        api_client.get(API, {"format": "csv"}).content.decode("utf-8-sig")
    )

"""Evaluation results on the page and the API: a hand-computed case, anonymity, who sees
what, and a fixed number of queries (DESIGN.md, Evaluations)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.selectors import results, summary
from tests.evaluations.helpers import EXPECTED, bulk_evaluations, hand_computed_case
from tests.factories import SessionFactory, alliance_admin, coordinator_of, staff_of

pytestmark = pytest.mark.django_db
PAGE = "/evaluations/results/"
API = "/api/v1/evaluations/results/"


@pytest.fixture
def case(provider, trainer):
    return hand_computed_case(provider=provider, trainers=[trainer])


def _figures(html: str, name: str) -> list[str]:
    return re.findall(rf'data-figure="{name}">([^<]*)<', html)


def _by_kind(body: dict) -> dict:
    return {q["kind"]: q for form in body["forms"] for q in form["questions"]}


# --- the hand-computed case ---------------------------------------------------------------------


def test_the_selector_gives_the_hand_computed_figures(case):
    found = results(case.session.__class__.objects.filter(pk=case.session.pk))
    assert (found.asked, found.responses, str(found.response_rate)) == (5, 4, "80.0")
    by_kind = {item.question.kind: item for item in found.questions}
    agreement, prepost = by_kind["agreement"], by_kind["prepost"]
    assert agreement.distribution == EXPECTED["agreement"]["distribution"]
    assert str(agreement.mean) == "3.50"
    assert str(agreement.agreement_percent) == "50.0"
    assert prepost.distribution == EXPECTED["prepost"]["distribution"]
    assert (str(prepost.mean), str(prepost.mean_before), str(prepost.mean_change)) == (
        "3.75",
        "2.00",
        "1.75",
    )
    assert prepost.change_n == 4
    assert by_kind["single"].distribution == EXPECTED["single"]
    assert by_kind["multiple"].distribution == EXPECTED["multiple"]
    assert by_kind["text"].comments == EXPECTED["comments"]
    assert by_kind["text"].answered == 3
    overall = summary(case.session.__class__.objects.filter(pk=case.session.pk))
    assert (overall.responses, overall.asked, str(overall.response_rate)) == (4, 5, "80.0")
    assert str(overall.overall_agreement_percent) == "50.0"
    assert str(overall.mean_confidence_change) == "1.75"


def test_the_page_shows_the_hand_computed_figures(client, case, staff):
    client.force_login(staff)
    response = client.get(PAGE)
    html = response.content.decode()

    assert response.status_code == 200
    assert _figures(html, "responses") == ["4"]
    assert _figures(html, "asked") == ["5"]
    assert _figures(html, "response_rate") == ["80.0%"]
    assert _figures(html, "mean") == ["3.50", "3.75"]
    assert _figures(html, "agreement") == ["50.0%"]
    assert _figures(html, "change") == ["+1.75"]
    assert _figures(html, "change_n") == ["4"]
    # The tables beside the charts: counts per option.
    assert '<th scope="row">Practice</th><td>3</td>' in html
    assert '<th scope="row">A</th><td>3</td>' in html
    assert '<th scope="row">4 Agree</th><td>1</td>' in html
    # Server-rendered SVG, named and described, no inline style (CSP).
    assert html.count('role="img"') == 4
    assert "<title id=" in html and "<desc id=" in html
    assert "style=" not in html.split("<main", 1)[1]
    # Comments sorted, never in the order given.
    positions = [html.index(comment) for comment in EXPECTED["comments"]]
    assert positions == sorted(positions)


def test_the_api_gives_the_same_figures(api_client, case, staff):
    api_client.force_authenticate(staff)
    body = api_client.get(API).json()

    assert (body["responses"], body["asked"], body["response_rate"]) == (4, 5, "80.0")
    questions = _by_kind(body)
    agreement, prepost = questions["agreement"], questions["prepost"]
    assert [(d["option"], d["count"]) for d in agreement["distribution"]] == EXPECTED["agreement"][
        "distribution"
    ]
    assert (agreement["mean"], agreement["agreement_percent"]) == ("3.50", "50.0")
    assert (prepost["mean"], prepost["mean_before"], prepost["mean_change"]) == (
        "3.75",
        "2.00",
        "1.75",
    )
    assert prepost["change_n"] == 4
    assert [(d["option"], d["count"]) for d in questions["single"]["distribution"]] == EXPECTED[
        "single"
    ]
    assert [(d["option"], d["count"]) for d in questions["multiple"]["distribution"]] == EXPECTED[
        "multiple"
    ]
    assert questions["text"]["comments"] == EXPECTED["comments"]


def test_filters_narrow_to_a_session_a_course_a_program_and_a_trainer(
    api_client, case, staff, trainer
):
    api_client.force_authenticate(staff)
    other = SessionFactory(course__provider=case.session.course.provider)
    for params in (
        {"session": case.session.pk},
        {"course": case.session.course.slug},
        {"program": case.session.course.program.slug},
        {"trainer": trainer.pk},
    ):
        assert api_client.get(API, params).json()["responses"] == 4, params
    assert api_client.get(API, {"course": other.course.slug}).json()["responses"] == 0
    assert api_client.get(API, {"fiscal_year": 2020}).json()["responses"] == 0


# --- anonymity ----------------------------------------------------------------------------------


def _identifying(case) -> list[str]:
    values = []
    for person, registration in zip(case.people, case.registrations, strict=True):
        values += [person.first_name, person.last_name, person.email]
        values.append(f'"registration": {registration.pk}')
        values.append(f"registration={registration.pk}")
    return values


def test_no_page_or_api_answer_names_a_respondent(client, api_client, case, staff):
    client.force_login(staff)
    api_client.force_authenticate(staff)
    page = client.get(PAGE).content.decode()
    api = api_client.get(API).content.decode()
    for value in _identifying(case):
        assert value not in page
        assert value not in api
    assert "submitted" not in api and "updated_at" not in api


def test_with_two_responses_only_counts_are_shown(client, api_client, provider, staff):
    from tests.evaluations.helpers import ANSWERS

    hand_computed_case(provider=provider, answers=ANSWERS[:2], asked=3)
    client.force_login(staff)
    api_client.force_authenticate(staff)
    html = client.get(PAGE).content.decode()
    body = api_client.get(API).json()

    assert _figures(html, "responses") == ["2"]
    assert 'role="img"' not in html
    assert _figures(html, "mean") == [] and _figures(html, "agreement") == []
    assert "Breathing breaks" not in html and "Calm corner" not in html
    assert body["counts_only"] is True
    for question in _by_kind(body).values():
        assert question["counts_only"] is True
        assert question["distribution"] == [] and question["comments"] == []
        assert question["mean"] is None and question["mean_change"] is None
    assert _by_kind(body)["agreement"]["answered"] == 2
    assert "Breathing breaks" not in api_client.get(API).content.decode()


# --- who sees what ------------------------------------------------------------------------------


def test_a_trainer_sees_the_sessions_they_train_only(api_client, client, case, trainer, provider):
    other_trainer_case = hand_computed_case(provider=provider)  # same provider, not theirs
    api_client.force_authenticate(trainer)
    assert api_client.get(API).json()["responses"] == 4
    response = api_client.get(API, {"session": other_trainer_case.session.pk})
    assert response.status_code == 400
    assert "session" in response.json()
    client.force_login(trainer)
    assert _figures(client.get(PAGE).content.decode(), "responses") == ["4"]


def test_another_providers_staff_see_nothing_of_it(api_client, case, other_provider):
    api_client.force_authenticate(staff_of(other_provider))
    assert api_client.get(API).json()["responses"] == 0
    assert api_client.get(API, {"session": case.session.pk}).status_code == 400
    admin = alliance_admin()
    api_client.force_authenticate(admin)
    assert api_client.get(API).json()["responses"] == 4


def test_educators_and_coordinators_are_refused(api_client, client, case, educator, district):
    api_client.force_authenticate(educator)
    response = api_client.get(API)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    client.force_login(coordinator_of(district))
    assert client.get(PAGE).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(API).status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"fiscal_year": "abc"},
        {"start": "2025-13-01"},
        {"start": "2025-06-01", "end": "2025-01-01"},
        {"provider": "nope"},
        {"session": "x"},
        {"trainer": "99999999"},
    ],
)
def test_bad_filters_are_a_400_with_json(api_client, staff, params):
    api_client.force_authenticate(staff)
    response = api_client.get(API, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


# --- queries ------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_and_the_api_cost_the_same_queries_for_10_and_1000_responses(
    client, api_client, provider, staff
):
    small = hand_computed_case(provider=provider, answers=[], asked=0)
    bulk_evaluations(small, 10)
    client.force_login(staff)
    api_client.force_authenticate(staff)
    client.get(PAGE), api_client.get(API)  # roles are read once per user object
    page_small, api_small = _queries(client, PAGE), _queries(api_client, API)
    bulk_evaluations(small, 990)
    assert api_client.get(API).json()["responses"] == 1000
    assert _queries(client, PAGE) == page_small
    assert _queries(api_client, API) == api_small
    assert page_small < 20 and api_small < 15


def test_a_session_link_without_a_period_gives_its_results_whenever_it_ran(api_client, case, staff):
    api_client.force_authenticate(staff)
    assert api_client.get(API, {"session": case.session.pk}).json()["responses"] == 4
    narrowed = api_client.get(API, {"session": case.session.pk, "fiscal_year": 2020})
    assert narrowed.json()["responses"] == 0


def test_the_session_page_link_and_url_names(case):
    assert reverse("evaluation_results:results") == PAGE
    assert reverse("api-evaluation-results") == API


def test_a_before_and_now_question_is_charted_in_levels_not_agreement(client):
    from evaluations.models import Question
    from evaluations.results_views import _question
    from evaluations.selectors import QuestionResult

    question = Question(kind=Question.Kind.PREPOST, text="Confidence in co-regulation")
    item = QuestionResult(
        question=question, answered=3, distribution=[(str(v), 1) for v in range(1, 6)]
    )
    labels = [label for label, _ in _question(item)["rows"]]
    assert labels[0] == "1 Very low" and labels[-1] == "5 Very high"


def test_the_trainer_home_links_results_only_for_those_who_may_see_them(client):
    from tests.factories import SessionFactory, educator

    person = educator()
    client.force_login(person)
    assert "/evaluations/results/" not in client.get("/trainer/").content.decode()
    SessionFactory().trainers.add(person)
    assert "/evaluations/results/" in client.get("/trainer/").content.decode()
    assert client.get("/evaluations/results/").status_code == 200

"""The evaluations API: a session's form, and one's own evaluation (DESIGN.md, Evaluations)."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from certificates.models import Certificate
from evaluations.models import Answer, Evaluation
from tests.factories import CourseFactory, RegistrationFactory, SessionFactory, educator

from .conftest import questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _url(registration) -> str:
    return f"/api/v1/registrations/{registration.pk}/evaluation/"


def _answers(form, **override) -> dict:
    q = questions(form)
    answers = {
        str(q[1].pk): 4,
        str(q[2].pk): {"before": 2, "now": 4},
        str(q[3].pk): 1,
        str(q[4].pk): [0, 2],
        str(q[5].pk): "Breathing breaks",
    }
    answers.update({str(q[int(key[1:])].pk): value for key, value in override.items()})
    return {key: value for key, value in answers.items() if value is not ...}


def test_anyone_reads_a_published_sessions_form_with_every_question(api, asked):
    form, registration = asked
    response = api.get(f"/api/v1/sessions/{registration.session_id}/evaluation-form/")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["version"]) == (form.pk, "UPLIFT evaluation", 1)
    assert [q["kind"] for q in body["questions"]] == [
        "agreement",
        "prepost",
        "single",
        "multiple",
        "text",
    ]
    first = body["questions"][0]
    assert set(first) == {"id", "position", "kind", "text", "choices", "required", "is_overall"}
    assert first["is_overall"] and body["questions"][2]["choices"] == ["Talks", "Practice"]


def test_a_session_without_a_form_or_out_of_sight_is_not_found(api):
    assert api.get(f"/api/v1/sessions/{SessionFactory().pk}/evaluation-form/").status_code == 404
    draft = SessionFactory(course=CourseFactory(status="draft"))
    assert api.get(f"/api/v1/sessions/{draft.pk}/evaluation-form/").status_code == 404


def test_put_saves_the_answers_issues_the_certificate_and_get_reads_them_back(api, asked):
    form, registration = asked
    api.force_authenticate(registration.person)
    before = api.get(_url(registration)).json()
    assert before["answers"] == {} and before["submitted_at"] is None
    assert before["certificate_pdf_url"] is None

    response = api.put(_url(registration), {"answers": _answers(form)}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["answers"] == _answers(form)
    assert body["submitted_at"] and body["changeable"] is True
    certificate = Certificate.objects.get(registration=registration)
    assert body["certificate_pdf_url"].endswith(f"/api/v1/certificates/{certificate.pk}/pdf/")
    assert api.get(_url(registration)).json() == body


def test_it_changes_for_seven_days_then_is_refused(api, asked):
    form, registration = asked
    api.force_authenticate(registration.person)
    api.put(_url(registration), {"answers": _answers(form)}, format="json")
    changed = api.put(_url(registration), {"answers": _answers(form, q1=5)}, format="json")
    assert changed.status_code == 200 and changed.json()["answers"][str(questions(form)[1].pk)] == 5

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        late = api.put(_url(registration), {"answers": _answers(form, q1=1)}, format="json")
        assert late.status_code == 400
        assert "can no longer be changed" in late.json()["non_field_errors"][0]
        assert api.get(_url(registration)).json()["changeable"] is False
    assert Answer.objects.get(question=questions(form)[1]).rating == 5


@pytest.mark.parametrize(
    "override, question, message",
    [
        ({"q1": ...}, 1, "Please answer this question."),
        ({"q1": 6}, 1, "Choose 1 to 5."),
        ({"q2": {"before": 0, "now": 3}}, 2, "Choose 1 to 5 for before and for now."),
        ({"q3": 5}, 3, "Choose one of the options."),
        ({"q3": [0, 1]}, 3, "Choose one option."),
        ({"q4": [0, 99]}, 4, "Choose one of the options."),
        ({"q5": 42}, 5, "Write your answer as text."),
        ({"q1": True}, 1, "Give a whole number"),
        ({"q1": 1e300}, 1, "Give a whole number"),
        ({"q2": {"before": 2, "now": 4, "later": 5}}, 2, "Give a whole number"),
    ],
)
def test_bad_answers_are_400_per_question_and_nothing_is_written(
    api, asked, override, question, message
):
    form, registration = asked
    api.force_authenticate(registration.person)
    response = api.put(_url(registration), {"answers": _answers(form, **override)}, format="json")
    assert response.status_code == 400
    errors = response.json()["answers"][str(questions(form)[question].pk)]
    assert message in errors[0]
    assert not Evaluation.objects.exists() and not Answer.objects.exists()
    assert not Certificate.objects.filter(registration=registration).exists()


def test_a_question_of_another_form_is_400_and_nothing_is_written(api, asked):
    form, registration = asked
    api.force_authenticate(registration.person)
    answers = _answers(form) | {"999999": 4}
    response = api.put(_url(registration), {"answers": answers}, format="json")
    assert response.status_code == 400
    assert response.json() == {"answers": {"999999": ["Not a question of this form."]}}
    assert not Evaluation.objects.exists()


def test_deep_or_huge_bodies_are_refused_cleanly(api, asked):
    _, registration = asked
    api.force_authenticate(registration.person)
    deep = '{"answers": {"1": ' + "[" * 5000 + "]" * 5000 + "}}"
    response = api.put(_url(registration), deep, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]
    many = {"answers": {str(i): 1 for i in range(1, 500)}}
    response = api.put(_url(registration), many, format="json")
    assert response.status_code == 400 and "At most 200 answers." in str(response.json())
    assert not Evaluation.objects.exists()


def test_someone_elses_or_an_unasked_registration_is_not_found(api, asked):
    form, registration = asked
    api.force_authenticate(educator())
    assert api.get(_url(registration)).status_code == 404
    put = api.put(_url(registration), {"answers": _answers(form)}, format="json")
    assert put.status_code == 404
    unasked = RegistrationFactory()
    api.force_authenticate(unasked.person)
    assert api.get(_url(unasked)).status_code == 404
    assert api.put(_url(unasked), {"answers": {}}, format="json").status_code == 404
    assert not Evaluation.objects.exists()


def test_anonymous_callers_get_401(api, asked):
    _, registration = asked
    assert api.get(_url(registration)).status_code == 401

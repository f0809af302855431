"""The evaluate page as a person uses it, /me/'s prompt, and staff excusing an evaluation."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from activity.models import Activity
from certificates.models import Certificate
from evaluations.models import Answer, Evaluation, EvaluationRequest
from tests.factories import (
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    educator,
    staff_of,
)

from .conftest import questions

pytestmark = pytest.mark.django_db


def _url(registration) -> str:
    return f"/evaluations/{registration.pk}/"


def _post(form, override=None, drop=()) -> dict:
    q = questions(form)
    data = {
        f"q{q[1].pk}": "4",
        f"q{q[2].pk}_before": "2",
        f"q{q[2].pk}_now": "4",
        f"q{q[3].pk}": "1",
        f"q{q[4].pk}": ["0", "2"],
        f"q{q[5].pk}": "Breathing breaks",
    }
    for name in drop:
        data.pop(name.format(**{f"q{i}": f"q{q[i].pk}" for i in q}))
    for name, value in (override or {}).items():
        data[name.format(**{f"q{i}": f"q{q[i].pk}" for i in q})] = value
    return data


def _text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def test_the_page_shows_every_kind_of_question_in_a_fieldset(client, asked):
    form, registration = asked
    client.force_login(registration.person)
    page = client.get(_url(registration))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<fieldset class="evaluation-question') == 5
    assert html.count('<fieldset class="evaluation-part">') == 2  # before and now
    q = questions(form)
    for name in (f"q{q[1].pk}", f"q{q[2].pk}_before", f"q{q[2].pk}_now", f"q{q[3].pk}"):
        assert html.count(f'type="radio" name="{name}"') == (5 if "q" + str(q[3].pk) != name else 2)
    assert html.count(f'type="checkbox" name="q{q[4].pk}"') == 3
    assert f'<textarea name="q{q[5].pk}"' in html
    assert "5 – Strongly agree" in html and "1 – Very low" in html
    assert "Your certificate is issued once you send this evaluation." in _text(page)
    assert "<script" not in html and "style=" not in html


def test_sending_it_saves_every_answer_and_issues_the_held_certificate(client, asked):
    form, registration = asked
    assert not Certificate.objects.filter(registration=registration).exists()
    client.force_login(registration.person)

    response = client.post(_url(registration), _post(form))

    assert response.status_code == 303
    assert response["Location"] == f"{_url(registration)}#evaluation-saved"
    certificate = Certificate.objects.get(registration=registration)
    assert certificate.is_valid
    assert Answer.objects.filter(evaluation__registration=registration).count() == 5
    page = client.get(response["Location"])
    text = _text(page)
    assert "Thank you: your evaluation is saved." in text
    assert "Your certificate is issued" in text
    assert f'href="/certificates/{certificate.pk}.pdf"' in page.content.decode()
    assert client.get(f"/certificates/{certificate.pk}.pdf").status_code == 200


def test_it_can_be_changed_for_seven_days_then_shows_the_answers_read_only(client, asked):
    form, registration = asked
    client.force_login(registration.person)
    client.post(_url(registration), _post(form))
    q1 = questions(form)[1]

    page = client.get(_url(registration))
    checked = re.search(rf'<input type="radio" name="q{q1.pk}" value="(\d)"[^>]*checked', page.text)
    assert checked and checked.group(1) == "4"
    assert "Save changes" in _text(page)
    assert client.post(_url(registration), _post(form, {"{q1}": "5"})).status_code == 303
    assert Answer.objects.get(question=q1).rating == 5

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        page = client.get(_url(registration))
        text = _text(page)
        assert "It can no longer be changed." in text
        assert (
            "5 – Strongly agree" in text and "Before this session: 2 – Low. Now: 4 – High." in text
        )
        assert '<form method="post" class="evaluation-form"' not in page.content.decode()
        refused = client.post(_url(registration), _post(form, {"{q1}": "1"}))
        assert refused.status_code == 200
    assert Answer.objects.get(question=q1).rating == 5


@pytest.mark.parametrize(
    "override, drop, question, message",
    [
        ({}, ["{q1}"], 1, "Please answer this question."),
        ({"{q1}": "6"}, [], 1, "Choose 1 to 5."),
        ({"{q2}_before": "0"}, [], 2, "Choose 1 to 5."),
        ({}, ["{q2}_now"], 2, "Choose 1 to 5 for now."),
        ({"{q3}": "7"}, [], 3, "Choose one of the options."),
        ({"{q4}": ["0", "12"]}, [], 4, "Choose one of the options."),
        ({"{q5}": "x" * 2001}, [], 5, "Keep it under 2000 characters."),
    ],
)
def test_each_bad_answer_is_named_at_its_question_and_nothing_is_written(
    client, asked, override, drop, question, message
):
    form, registration = asked
    client.force_login(registration.person)

    page = client.post(_url(registration), _post(form, override, drop))

    assert page.status_code == 400
    html = page.content.decode()
    pk = questions(form)[question].pk
    error = re.search(rf'<p class="errorlist" id="question-{pk}-error">(.*?)</p>', html)
    assert error and message in error.group(1)
    # Every input of the question is described by its error and marked invalid.
    inputs = re.findall(rf'<(?:input|textarea)[^>]*name="q{pk}(?:_before|_now)?"[^>]*>', html)
    assert inputs and all(f'aria-describedby="question-{pk}-error"' in tag for tag in inputs)
    assert all('aria-invalid="true"' in tag for tag in inputs)
    # The summary is focused first and links to the question.
    summary = re.search(r'<div class="alert" id="evaluation-errors"[^>]*>(.*?)</div>', html, re.S)
    assert summary and 'tabindex="-1"' in summary.group(0) and "autofocus" in summary.group(0)
    assert f'href="#id_q{pk}' in summary.group(1)
    assert not Evaluation.objects.exists() and not Answer.objects.exists()
    assert not Certificate.objects.filter(registration=registration).exists()


def test_an_answer_to_a_question_of_another_form_saves_nothing(client, asked):
    form, registration = asked
    client.force_login(registration.person)
    page = client.post(_url(registration), _post(form, {"q999999": "4"}))
    assert page.status_code == 400
    assert "not on this form" in _text(page)
    assert not Evaluation.objects.exists()


def test_someone_elses_registration_is_not_found(client, asked):
    _, registration = asked
    client.force_login(educator())
    assert client.get(_url(registration)).status_code == 404
    assert client.post(_url(registration), {}).status_code == 404


def test_a_registration_not_asked_shows_the_not_open_page(client):
    registration = RegistrationFactory()
    client.force_login(registration.person)
    page = client.get(_url(registration))
    assert page.status_code == 404 and "Nothing to evaluate yet" in _text(page)


# /me/ ------------------------------------------------------------------------------------------


def test_me_offers_evaluate_then_change_then_neither(client, asked):
    form, registration = asked
    client.force_login(registration.person)
    me = client.get("/me/")
    text = _text(me)
    assert f'href="{_url(registration)}"' in me.content.decode()
    assert "Evaluate" in text and "Your certificate is issued once you evaluate." in text

    client.post(_url(registration), _post(form))
    text = _text(client.get("/me/"))
    assert "Change your evaluation" in text
    assert "Your certificate is issued once you evaluate." not in text

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        text = _text(client.get("/me/"))
    assert "Change your evaluation" not in text and "Thank you for evaluating" in text


def test_me_costs_the_same_queries_with_evaluations_to_ask_and_change(client, asked):
    form, registration = asked
    person = registration.person
    client.force_login(person)
    client.get("/me/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/").status_code == 200
        return len(queries)

    small = count()
    client.post(_url(registration), _post(form))
    for _ in range(20):
        RegistrationFactory(person=person, session=SessionFactory(meetings=[]))
    assert count() == small


# Staff excuse ------------------------------------------------------------------------------------


def _staff_page(registration) -> str:
    return f"/staff/sessions/{registration.session_id}/registrations/{registration.pk}/"


def test_staff_see_the_state_never_the_answers_and_excuse_with_a_reason(client, asked):
    form, registration = asked
    staff = staff_of(registration.session.course.provider)
    client.force_login(staff)
    text = _text(client.get(_staff_page(registration)))
    assert "Asked on" in text and "The certificate waits for the evaluation." in text

    refused = client.post(_staff_page(registration) + "excuse-evaluation/", {"reason": " "})
    assert refused.status_code == 303
    assert "Give the reason" in _text(client.get(refused["Location"]))
    assert EvaluationRequest.objects.get(registration=registration).waived_at is None

    response = client.post(
        _staff_page(registration) + "excuse-evaluation/", {"reason": "Accessibility need"}
    )
    assert response.status_code == 303
    assert response["Location"] == _staff_page(registration) + "#evaluation"
    text = _text(client.get(response["Location"]))
    assert "Excused on" in text and "Accessibility need" in text
    assert Certificate.objects.get(registration=registration).is_valid
    assert Activity.objects.filter(registration=registration, verb="evaluation.waived").exists()


def test_staff_see_that_it_was_evaluated_but_not_what_was_answered(client, asked):
    form, registration = asked
    client.force_login(registration.person)
    client.post(_url(registration), _post(form, {"{q5}": "A very particular remark"}))
    client.force_login(staff_of(registration.session.course.provider))
    text = _text(client.get(_staff_page(registration)))
    assert "Evaluated on" in text
    assert "A very particular remark" not in text and "Strongly agree" not in text
    assert "Excuse from the evaluation" not in text


def test_only_the_providers_staff_excuse_others_get_not_found(client, asked):
    _, registration = asked
    url = _staff_page(registration) + "excuse-evaluation/"
    for person in (registration.person, educator(), staff_of(ProviderFactory())):
        client.force_login(person)
        assert client.post(url, {"reason": "Because"}).status_code == 404
    assert EvaluationRequest.objects.get(registration=registration).waived_at is None

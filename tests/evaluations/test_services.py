"""Evaluation forms and evaluations through their services (DESIGN.md, Evaluations)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from activity.models import Activity
from certificates.models import Certificate
from evaluations.models import Answer, Evaluation, EvaluationForm, EvaluationRequest
from evaluations.services import (
    QuestionSpec,
    ask_for_evaluations,
    save_evaluation_form,
    submit_evaluation,
    waive_evaluation,
)
from tests.certificates.helpers import confirmed, mark, past_session
from tests.factories import CourseFactory, ProgramFactory, educator, staff_of

pytestmark = pytest.mark.django_db
Kind = "agreement"

QUESTIONS = [
    QuestionSpec("agreement", "The session met its objectives", is_overall=True),
    QuestionSpec("prepost", "Confidence in recognizing signs of trauma"),
    QuestionSpec("single", "Which part helped most?", choices=("Talks", "Practice")),
    QuestionSpec("multiple", "What will you use?", choices=("A", "B", "C"), required=False),
    QuestionSpec("text", "What will you try first?", required=False),
]


@pytest.fixture
def program():
    return ProgramFactory()


def _form(program, questions=QUESTIONS):
    return save_evaluation_form(
        by=None, title="UPLIFT evaluation", questions=questions, program=program
    )


def _ended(program, **kwargs):
    course = CourseFactory(provider=program.provider, program=program)
    return past_session(course=course, **kwargs)


def _answers(form, override=None):
    q = {question.position: question for question in form.questions.all()}
    answers = {
        q[1].pk: 4,
        q[2].pk: {"before": 2, "now": 4},
        q[3].pk: 1,
        q[4].pk: [0, 2],
        q[5].pk: "Breathing breaks",
    }
    answers.update(override or {})
    return answers


def _asked(program, form=None):
    """A completer of an ended session with a form, asked to evaluate."""
    form = form or _form(program)
    session = _ended(program)
    registration = confirmed(session)
    mark(session, registration)
    ask_for_evaluations()
    registration.refresh_from_db()
    return form, session, registration


def test_a_required_evaluation_holds_the_certificate_and_submitting_issues_it(program):
    form, _, registration = _asked(program)
    assert registration.completed
    assert not Certificate.objects.filter(registration=registration).exists()
    assert EvaluationRequest.objects.get(registration=registration).form == form

    submit_evaluation(registration=registration, by=registration.person, answers=_answers(form))

    assert Certificate.objects.get(registration=registration).is_valid
    evaluation = Evaluation.objects.get(registration=registration)
    assert evaluation.answers.count() == 5
    assert Answer.objects.get(evaluation=evaluation, question__position=4).chosen == 0b101
    verbs = list(Activity.objects.filter(registration=registration).values_list("verb", flat=True))
    assert "evaluation.submitted" in verbs and "certificate.issued" in verbs


def test_a_session_that_does_not_require_it_issues_at_once_and_still_asks(program):
    _form(program)
    session = _ended(program, evaluation_required=False)
    registration = confirmed(session)
    mark(session, registration)
    assert Certificate.objects.get(registration=registration).is_valid
    assert ask_for_evaluations()["asked"] == 1


def test_staff_waive_it_with_a_reason_and_the_certificate_follows(program):
    _, session, registration = _asked(program)
    staff = staff_of(program.provider)
    with pytest.raises(ValidationError):
        waive_evaluation(registration=registration, by=staff, reason=" ")
    with pytest.raises(PermissionDenied):
        waive_evaluation(registration=registration, by=educator(), reason="Asked by phone")

    waive_evaluation(registration=registration, by=staff, reason="Accessibility need")

    assert Certificate.objects.get(registration=registration).is_valid
    row = Activity.objects.get(registration=registration, verb="evaluation.waived")
    assert (row.actor, row.reason) == (staff, "Accessibility need")


@pytest.mark.parametrize(
    "override, field",
    [
        ({"q1": None}, "q1"),
        ({"q1": 6}, "q1"),
        ({"q1": "4.5"}, "q1"),
        ({"q2": {"before": 0, "now": 3}}, "q2"),
        ({"q3": 5}, "q3"),
        ({"q3": [0, 1]}, "q3"),
        ({"q5": "x" * 2001}, "q5"),
    ],
)
def test_bad_answers_are_refused_by_question_and_nothing_is_written(program, override, field):
    form, _, registration = _asked(program)
    q = {f"q{question.position}": question for question in form.questions.all()}
    answers = _answers(form, {q[key].pk: value for key, value in override.items()})
    if override.get("q1", "") is None:
        answers.pop(q["q1"].pk)

    with pytest.raises(ValidationError) as refused:
        submit_evaluation(registration=registration, by=registration.person, answers=answers)

    assert f"q{q[field].pk}" in refused.value.message_dict
    assert not Evaluation.objects.exists() and not Answer.objects.exists()
    assert not Certificate.objects.filter(registration=registration).exists()


def test_only_the_registrant_evaluates_and_only_once_asked(program):
    form, session, registration = _asked(program)
    with pytest.raises(PermissionDenied):
        submit_evaluation(registration=registration, by=educator(), answers=_answers(form))
    never_asked = confirmed(session)  # confirmed, never attended: not a completer
    with pytest.raises(ValidationError):
        submit_evaluation(registration=never_asked, by=never_asked.person, answers=_answers(form))


def test_it_can_be_changed_for_seven_days_then_not(program):
    form, _, registration = _asked(program)
    submit_evaluation(registration=registration, by=registration.person, answers=_answers(form))
    q1 = form.questions.get(position=1)
    submit_evaluation(
        registration=registration, by=registration.person, answers=_answers(form, {q1.pk: 5})
    )
    assert Answer.objects.get(question=q1).rating == 5

    with (
        time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)),
        pytest.raises(ValidationError, match="can no longer be changed"),
    ):
        submit_evaluation(
            registration=registration, by=registration.person, answers=_answers(form, {q1.pk: 1})
        )
    assert Answer.objects.get(question=q1).rating == 5


def test_a_form_in_use_gets_a_new_version_and_old_answers_keep_theirs(program):
    form, _, registration = _asked(program)
    submit_evaluation(registration=registration, by=registration.person, answers=_answers(form))

    changed = save_evaluation_form(
        by=None, title="UPLIFT evaluation", questions=QUESTIONS[:2], program=program
    )

    form.refresh_from_db()
    assert changed.pk != form.pk and changed.version == 2 and changed.previous == form
    assert not form.is_current and changed.is_current
    assert form.questions.count() == 5 and changed.questions.count() == 2
    assert Evaluation.objects.get(registration=registration).form == form


def test_an_unused_form_changes_in_place(program):
    form = _form(program)
    again = save_evaluation_form(by=None, title="Renamed", questions=QUESTIONS[:1], program=program)
    assert again.pk == form.pk and again.version == 1 and again.questions.count() == 1
    assert EvaluationForm.objects.count() == 1


@pytest.mark.parametrize(
    "questions",
    [
        [],
        [QuestionSpec("single", "Pick", choices=("Only one",))],
        [QuestionSpec("text", "Why?", is_overall=True)],
        [
            QuestionSpec("agreement", "A", is_overall=True),
            QuestionSpec("agreement", "B", is_overall=True),
        ],
        [QuestionSpec("riddle", "?")],
        [QuestionSpec("agreement", "Two\nlines")],
    ],
)
def test_a_broken_form_is_refused(program, questions):
    with pytest.raises(ValidationError):
        save_evaluation_form(by=None, title="Form", questions=questions, program=program)
    assert not EvaluationForm.objects.exists()


def test_other_providers_staff_cannot_edit_the_form(program):
    with pytest.raises(PermissionDenied):
        save_evaluation_form(
            by=staff_of(CourseFactory().provider), title="F", questions=QUESTIONS, program=program
        )


def test_reminders_go_once_each_after_two_and_seven_days(
    program, mailoutbox, django_capture_on_commit_callbacks
):
    start = dt.datetime.now(dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        _asked(program)
    assert len(mailoutbox) == 1 and mailoutbox[0].subject.startswith("Please evaluate")
    for days, expected in ((1, (0, 0)), (2.1, (1, 0)), (3, (0, 0)), (7.1, (0, 1)), (9, (0, 0))):
        with (
            time_machine.travel(start + dt.timedelta(days=days), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            counts = ask_for_evaluations()
        assert (counts["first_reminders"], counts["second_reminders"]) == expected, days
    assert [m.subject.split(":")[0] for m in mailoutbox] == [
        "Please evaluate",
        "Reminder",
        "Reminder",
    ]


def test_trainers_and_people_who_did_not_complete_are_not_asked(program):
    _form(program)
    trainer = educator()
    session = _ended(program, trainers=[trainer])
    as_trainer = confirmed(session, trainer)
    mark(session, as_trainer)
    absent = confirmed(session)
    mark(session, absent, "absent")
    assert ask_for_evaluations()["asked"] == 0

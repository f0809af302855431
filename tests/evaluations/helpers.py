"""Evaluation results data: a hand-computed case through the services, and many evaluations
written in bulk (for query counts)."""

import itertools
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from courses.models import Session
from evaluations.models import Answer, Evaluation, EvaluationForm, EvaluationRequest, Question
from evaluations.services import QuestionSpec, ask_for_evaluations, save_evaluation_form
from evaluations.services import submit_evaluation as submit
from registrations.models import Registration
from tests.certificates.helpers import confirmed, mark, past_session
from tests.factories import CourseFactory, ProgramFactory, educator

QUESTIONS = [
    QuestionSpec("agreement", "The session met its objectives", is_overall=True),
    QuestionSpec("prepost", "Confidence in recognizing signs of trauma"),
    QuestionSpec("single", "Which part helped most?", choices=("Talks", "Practice")),
    QuestionSpec("multiple", "What will you use?", choices=("A", "B", "C"), required=False),
    QuestionSpec("text", "What will you try first?", required=False),
]

# Four respondents' answers: (agreement, (before, now), single, multiple, text).
ANSWERS = [
    (5, (2, 4), 0, [0, 2], "Breathing breaks"),
    (4, (1, 3), 1, [1], "Calm corner"),
    (3, (3, 3), 1, [0], ""),
    (2, (2, 5), 1, [0, 1, 2], "Always check in"),
]
# What they come to, by hand. Five were asked; four answered.
EXPECTED = {
    "asked": 5,
    "responses": 4,
    "response_rate": "80.0",
    "agreement": {
        "distribution": [("1", 0), ("2", 1), ("3", 1), ("4", 1), ("5", 1)],
        "mean": "3.50",  # 14 / 4
        "agreement_percent": "50.0",  # 4 and 5: 2 of 4
    },
    "prepost": {
        "distribution": [("1", 0), ("2", 0), ("3", 2), ("4", 1), ("5", 1)],
        "mean": "3.75",  # now: 15 / 4
        "mean_before": "2.00",  # 8 / 4
        "mean_change": "1.75",  # (2 + 2 + 0 + 3) / 4
        "change_n": 4,
    },
    "single": [("Talks", 1), ("Practice", 3)],
    "multiple": [("A", 3), ("B", 2), ("C", 2)],
    "comments": ["Always check in", "Breathing breaks", "Calm corner"],
    "overall_agreement_percent": "50.0",
    "mean_confidence_change": "1.75",
}


@dataclass
class Case:
    form: EvaluationForm
    session: Session
    people: list[User]  # the five asked; the last did not answer
    registrations: list[Registration]


_numbers = itertools.count(1)


def respondent() -> User:
    number = next(_numbers)
    return educator(
        first_name=f"Quilla{number}",
        last_name=f"Respondent{number}",
        email=f"quilla.respondent{number}@example.org",
    )


def hand_computed_case(*, provider, trainers=(), answers=ANSWERS, asked: int = 5) -> Case:
    """A program's form, one ended session of `provider` with `asked` completers asked to
    evaluate, and the first len(answers) of them answering `answers` through the service."""
    program = ProgramFactory(provider=provider)
    form = save_evaluation_form(
        by=None, title="UPLIFT evaluation", questions=QUESTIONS, program=program
    )
    course = CourseFactory(provider=provider, program=program)
    session = past_session(course=course, trainers=trainers)
    people = [respondent() for _ in range(asked)]
    registrations = []
    for person in people:
        registration = confirmed(session, person)
        mark(session, registration)
        registrations.append(registration)
    ask_for_evaluations()
    questions = list(form.questions.order_by("position"))
    for registration, (agree, (before, now), single, multiple, text) in zip(
        registrations, answers, strict=False
    ):
        registration.refresh_from_db()
        submit(
            registration=registration,
            by=registration.person,
            answers={
                questions[0].pk: agree,
                questions[1].pk: {"before": before, "now": now},
                questions[2].pk: single,
                questions[3].pk: multiple,
                questions[4].pk: text,
            },
        )
    return Case(form, session, people, registrations)


def bulk_evaluations(case: Case, count: int) -> None:
    """`count` more evaluations of `case.session`, written directly (no services): people,
    registrations (not completed: no attendance), requests, evaluations and answers."""
    now = timezone.now()
    batch = next(_numbers)
    people = User.objects.bulk_create(
        User(email=f"bulk{batch}-{n}@example.org", first_name="Bulk", last_name=str(n))
        for n in range(count)
    )
    registrations = Registration.objects.bulk_create(
        Registration(session=case.session, person=person, status="confirmed") for person in people
    )
    EvaluationRequest.objects.bulk_create(
        EvaluationRequest(registration=r, session_id=r.session_id, form=case.form, asked_at=now)
        for r in registrations
    )
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(
            registration=r,
            session_id=r.session_id,
            form=case.form,
            submitted_at=now,
            updated_at=now,
        )
        for r in registrations
    )
    questions = list(case.form.questions.order_by("position"))
    rows = []
    for n, evaluation in enumerate(evaluations):
        for question in questions:
            answer = Answer(evaluation=evaluation, question=question)
            if question.kind == Question.Kind.AGREEMENT:
                answer.rating = n % 5 + 1
            elif question.kind == Question.Kind.PREPOST:
                answer.before, answer.rating = 1 + n % 3, 3 + n % 3
            elif question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                answer.chosen = 1 << (n % 2)
            else:
                answer.text = f"Comment {n}"
            rows.append(answer)
    Answer.objects.bulk_create(rows)

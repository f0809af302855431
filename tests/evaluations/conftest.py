"""An ended session with an evaluation form of every kind, and its completer asked to
evaluate it (their certificate waits for the evaluation)."""

import pytest

from evaluations.services import QuestionSpec, ask_for_evaluations, save_evaluation_form
from tests.certificates.helpers import confirmed, mark, past_session
from tests.factories import CourseFactory, ProgramFactory

QUESTIONS = [
    QuestionSpec("agreement", "The session met its objectives", is_overall=True),
    QuestionSpec("prepost", "Confidence in recognizing signs of trauma"),
    QuestionSpec("single", "Which part helped most?", choices=("Talks", "Practice")),
    QuestionSpec("multiple", "What will you use?", choices=("A", "B", "C"), required=False),
    QuestionSpec("text", "What will you try first?", required=False),
]


@pytest.fixture
def asked(db):
    """(form, registration): a completer asked to evaluate; questions by position q[1..5]."""
    program = ProgramFactory()
    form = save_evaluation_form(
        by=None, title="UPLIFT evaluation", questions=QUESTIONS, program=program
    )
    session = past_session(course=CourseFactory(provider=program.provider, program=program))
    registration = confirmed(session)
    mark(session, registration)
    ask_for_evaluations()
    registration.refresh_from_db()
    return form, registration


def questions(form) -> dict[int, object]:
    return {question.position: question for question in form.questions.all()}

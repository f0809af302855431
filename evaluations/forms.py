"""The evaluation page's form, built from a form version's questions, and how a saved
evaluation reads back (the read-only page after the change window)."""

import re
from dataclasses import dataclass, field

from django import forms

from .models import Answer, Question
from .services import MAX_TEXT

SCALE_LABELS = {
    1: "1 – Strongly disagree",
    2: "2 – Disagree",
    3: "3 – Neutral",
    4: "4 – Agree",
    5: "5 – Strongly agree",
}
LEVEL_LABELS = {
    1: "1 – Very low",
    2: "2 – Low",
    3: "3 – Moderate",
    4: "4 – High",
    5: "5 – Very high",
}
Kind = Question.Kind
QUESTION_FIELD = re.compile(r"^q(\d+)(?:_before|_now)?$")
ANSWER_THIS = "Please answer this question."
CHOOSE_AN_OPTION = "Choose one of the options."
CHOOSE_ON_SCALE = "Choose 1 to 5."


def field_names(question: Question) -> list[str]:
    if question.kind == Kind.PREPOST:
        return [f"q{question.pk}_before", f"q{question.pk}_now"]
    return [f"q{question.pk}"]


def _messages(required: str, invalid: str) -> dict[str, str]:
    return {"required": required, "invalid_choice": invalid, "invalid": invalid}


@dataclass
class QuestionBlock:
    """One question as the page shows it: its fields and its errors (announced once, under the
    legend, and tied to every input of the question)."""

    number: int
    question: Question
    fields: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def error_id(self) -> str:
        return f"question-{self.question.pk}-error"

    @property
    def anchor(self) -> str:
        """Where the error summary's link goes: the question's first input."""
        first = f"id_{field_names(self.question)[0]}"
        return first if self.question.kind == Kind.TEXT else f"{first}_0"


class EvaluationForm(forms.Form):
    """One field per question (two for before/now). Required-ness and ranges are also checked
    by evaluations.services.submit_evaluation, whose errors land on these fields."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            required = question.required
            if question.kind == Kind.AGREEMENT:
                self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                    label=question.text,
                    choices=list(SCALE_LABELS.items()),
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=required,
                    error_messages=_messages(ANSWER_THIS, CHOOSE_ON_SCALE),
                )
            elif question.kind == Kind.PREPOST:
                for part, label in (("before", "Before this session"), ("now", "Now")):
                    self.fields[f"q{question.pk}_{part}"] = forms.TypedChoiceField(
                        label=label,
                        choices=list(LEVEL_LABELS.items()),
                        coerce=int,
                        widget=forms.RadioSelect,
                        required=required,
                        error_messages=_messages(
                            f"Choose 1 to 5 for {label.lower()}.", CHOOSE_ON_SCALE
                        ),
                    )
            elif question.kind == Kind.SINGLE:
                self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                    label=question.text,
                    choices=list(enumerate(question.choices)),
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=required,
                    error_messages=_messages(ANSWER_THIS, CHOOSE_AN_OPTION),
                )
            elif question.kind == Kind.MULTIPLE:
                self.fields[f"q{question.pk}"] = forms.TypedMultipleChoiceField(
                    label=question.text,
                    choices=list(enumerate(question.choices)),
                    coerce=int,
                    widget=forms.CheckboxSelectMultiple,
                    required=required,
                    error_messages=_messages(ANSWER_THIS, CHOOSE_AN_OPTION)
                    | {"invalid_list": CHOOSE_AN_OPTION},
                )
            else:
                self.fields[f"q{question.pk}"] = forms.CharField(
                    label=question.text,
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
                    max_length=MAX_TEXT,
                    required=required,
                    error_messages={
                        "required": ANSWER_THIS,
                        "max_length": f"Keep it under {MAX_TEXT} characters.",
                    },
                )

    def clean(self):
        # A field named for a question of another form can only come from an edited page;
        # saving the rest would quietly drop it, so nothing is saved.
        known = {name for question in self.questions for name in field_names(question)}
        strangers = [name for name in self.data if QUESTION_FIELD.match(name) and name not in known]
        if strangers:
            raise forms.ValidationError(
                "Some answers are for questions that are not on this form. Reload the page and "
                "send your answers again.",
                code="unknown_question",
            )
        return super().clean()

    def answers(self) -> dict[int, object]:
        """The cleaned answers as submit_evaluation takes them."""
        data = self.cleaned_data
        answers: dict[int, object] = {}
        for question in self.questions:
            if question.kind == Kind.PREPOST:
                before, now = data.get(f"q{question.pk}_before"), data.get(f"q{question.pk}_now")
                if before not in (None, "") or now not in (None, ""):
                    answers[question.pk] = {"before": before, "now": now}
            else:
                value = data.get(f"q{question.pk}")
                if value not in (None, "", []):
                    answers[question.pk] = value
        return answers

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        by_key = {f"q{q.pk}": field_names(q)[0] for q in self.questions}
        for key, messages in message_dict.items():
            self.add_error(by_key.get(key), messages)

    def blocks(self) -> list[QuestionBlock]:
        """The questions in order, each with its bound fields and its errors. Inputs of a
        question with errors are marked invalid and described by the error (radio buttons and
        checkboxes are in a fieldset, where Django does not add aria-describedby itself)."""
        blocks = []
        for number, question in enumerate(self.questions, start=1):
            block = QuestionBlock(number=number, question=question)
            names = field_names(question)
            for name in names:
                block.errors.extend(self.errors.get(name, []))
            for name in names:
                if block.errors:
                    self.fields[name].widget.attrs.update(
                        {"aria-describedby": block.error_id, "aria-invalid": "true"}
                    )
                block.fields.append(self[name])
            blocks.append(block)
        return blocks

    @classmethod
    def initial_from(cls, answers) -> dict[str, object]:
        """A saved evaluation's answers as the form's initial values."""
        initial: dict[str, object] = {}
        for answer in answers:
            question = answer.question
            if question.kind == Kind.PREPOST:
                initial[f"q{question.pk}_before"] = answer.before
                initial[f"q{question.pk}_now"] = answer.rating
            elif question.kind == Kind.AGREEMENT:
                initial[f"q{question.pk}"] = answer.rating
            elif question.kind == Kind.SINGLE:
                initial[f"q{question.pk}"] = next(iter(_chosen(answer)), None)
            elif question.kind == Kind.MULTIPLE:
                initial[f"q{question.pk}"] = _chosen(answer)
            else:
                initial[f"q{question.pk}"] = answer.text
        return initial


def _chosen(answer: Answer) -> list[int]:
    return [i for i in range(len(answer.question.choices)) if answer.chosen >> i & 1]


def answer_text(question: Question, answer: Answer | None) -> str:
    """What the person answered, in words (the read-only page)."""
    if answer is None:
        return "No answer"
    if question.kind == Kind.AGREEMENT:
        return SCALE_LABELS.get(answer.rating, "No answer")
    if question.kind == Kind.PREPOST:
        before = LEVEL_LABELS.get(answer.before, "no answer")
        now = LEVEL_LABELS.get(answer.rating, "no answer")
        return f"Before this session: {before}. Now: {now}."
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        return ", ".join(question.choices[i] for i in _chosen(answer)) or "No answer"
    return answer.text or "No answer"

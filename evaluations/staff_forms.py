"""The staff form builder's forms: a title and a formset of question rows (no JavaScript: rows
are reordered by their order numbers, removed by a checkbox, added as blank rows).

These forms check shape only; the rules of a form (options for choice questions, one overall
agreement question ...) are evaluations.services.save_evaluation_form's, and its messages
("Question 3: ...") are put back on the row they are about (`attach_errors`).
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from .models import EvaluationForm, Question
from .services import QuestionSpec

MAX_QUESTIONS = 40
BLANK_ROWS = 2  # blank rows offered under the questions
ADD_ROWS = 3  # rows the "Add rows" button adds
_NUMBERED = re.compile(r"^Question (\d+): (.+)$", re.DOTALL)


class TitleForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="What participants see above the questions, e.g. “UPLIFT session evaluation”.",
    )


class QuestionRowForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "Choose a kind")] + Question.Kind.choices, required=False
    )
    text = forms.CharField(label="Question", required=False, strip=True)
    choices = forms.CharField(
        label="Options, one per line",
        help_text="For “One choice” and “Several choices” only.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label="Answer required", required=False, initial=True)
    is_overall = forms.BooleanField(
        label="Overall question",
        help_text="Agreement only; reach reports give its agreement percent.",
        required=False,
    )
    order = forms.IntegerField(label="Order", required=False, min_value=1, max_value=999)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_errors: list[str] = []  # the service's messages about this row
        self.number: int | None = None  # its number in the list that was saved

    def is_blank(self) -> bool:
        """An untouched blank row (skipped on save)."""
        data = self.cleaned_data
        return not data.get("text") and not data.get("choices", "").strip()

    def spec(self) -> QuestionSpec:
        data = self.cleaned_data
        return QuestionSpec(
            kind=data.get("kind") or "",
            text=data.get("text") or "",
            choices=tuple(
                line.strip() for line in data.get("choices", "").splitlines() if line.strip()
            ),
            required=bool(data.get("required")),
            is_overall=bool(data.get("is_overall")),
        )


class BaseQuestionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this question"

    def rows_in_order(self) -> list[QuestionRowForm]:
        """The rows to save, by their order numbers (rows without one keep their place after
        the numbered ones), removed and blank rows left out."""
        rows = [
            (index, form)
            for index, form in enumerate(self.forms)
            if not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]
        rows.sort(key=lambda pair: (pair[1].cleaned_data.get("order") or 1000, pair[0]))
        for number, (_, form) in enumerate(rows, start=1):
            form.number = number
        return [form for _, form in rows]

    def attach_errors(self, rows: list[QuestionRowForm], messages: list[str]) -> list[str]:
        """Put each "Question N: ..." on row N; return the messages about the whole form."""
        general = []
        for message in messages:
            match = _NUMBERED.match(message)
            number = int(match.group(1)) if match else 0
            if match and 1 <= number <= len(rows):
                rows[number - 1].question_errors.append(match.group(2))
            else:
                general.append(message)
        return general


def question_formset(extra: int):
    return forms.formset_factory(
        QuestionRowForm,
        formset=BaseQuestionFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_QUESTIONS,
        validate_max=True,
        absolute_max=MAX_QUESTIONS + ADD_ROWS,
    )


def initial_rows(form: EvaluationForm | None) -> list[dict]:
    if form is None:
        return []
    return [
        {
            "kind": question.kind,
            "text": question.text,
            "choices": "\n".join(question.choices),
            "required": question.required,
            "is_overall": question.is_overall,
            "order": question.position,
        }
        for question in form.questions.all()
    ]


def with_more_rows(data, prefix: str = "questions"):
    """The posted data with ADD_ROWS more blank rows (their "required" box ticked, as a new
    row's is), up to MAX_QUESTIONS rows; or ValidationError when the counts were tampered."""
    data = data.copy()
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError as error:
        raise ValidationError("The form was incomplete; open it again.") from error
    more = max(0, min(total + ADD_ROWS, MAX_QUESTIONS) - total)
    for index in range(total, total + more):
        data[f"{prefix}-{index}-required"] = "on"
    data[f"{prefix}-TOTAL_FORMS"] = str(total + more)
    return data

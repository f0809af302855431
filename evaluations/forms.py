"""The evaluation page's form, built from a form version's questions."""

from django import forms

from .models import Question

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


def field_names(question: Question) -> list[str]:
    if question.kind == Kind.PREPOST:
        return [f"q{question.pk}_before", f"q{question.pk}_now"]
    return [f"q{question.pk}"]


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
                )
            elif question.kind == Kind.PREPOST:
                for part, label in (("before", "Before this session"), ("now", "Now")):
                    self.fields[f"q{question.pk}_{part}"] = forms.TypedChoiceField(
                        label=label,
                        choices=list(LEVEL_LABELS.items()),
                        coerce=int,
                        widget=forms.RadioSelect,
                        required=required,
                    )
            elif question.kind == Kind.SINGLE:
                self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                    label=question.text,
                    choices=list(enumerate(question.choices)),
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=required,
                )
            elif question.kind == Kind.MULTIPLE:
                self.fields[f"q{question.pk}"] = forms.TypedMultipleChoiceField(
                    label=question.text,
                    choices=list(enumerate(question.choices)),
                    coerce=int,
                    widget=forms.CheckboxSelectMultiple,
                    required=required,
                )
            else:
                self.fields[f"q{question.pk}"] = forms.CharField(
                    label=question.text,
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
                    max_length=2000,
                    required=required,
                )

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
                initial[f"q{question.pk}"] = next(
                    (i for i in range(len(question.choices)) if answer.chosen >> i & 1), None
                )
            elif question.kind == Kind.MULTIPLE:
                initial[f"q{question.pk}"] = [
                    i for i in range(len(question.choices)) if answer.chosen >> i & 1
                ]
            else:
                initial[f"q{question.pk}"] = answer.text
        return initial

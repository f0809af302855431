"""Reads of evaluation forms, who still owes an evaluation, and results (DESIGN.md,
Evaluations). Results are aggregates computed in the database, never rows that say who
answered what; below MIN_RESPONSES only the counts are given."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from courses.models import Course, Program, Session
from registrations.models import Registration

from .models import (
    AGREE,
    MAX_CHOICES,
    SCALE,
    Answer,
    Evaluation,
    EvaluationForm,
    EvaluationRequest,
    Question,
)

MIN_RESPONSES = 3  # fewer responses than this show counts only (nobody can be singled out)


def form_for_session(session: Session) -> EvaluationForm | None:
    """The current form a session's participants answer: its course's, else its program's."""
    forms = EvaluationForm.objects.filter(is_current=True).prefetch_related("questions")
    course = session.course
    return forms.filter(course_id=course.pk).first() or (
        forms.filter(program_id=course.program_id).first() if course.program_id else None
    )


def _has_form(session_ref: str) -> Exists:
    """Whether the session at OuterRef(`session_ref`) has a current form (course or program)."""
    return Exists(
        EvaluationForm.objects.filter(is_current=True).filter(
            Q(course_id=OuterRef(f"{session_ref}__course_id"))
            | Q(program_id=OuterRef(f"{session_ref}__course__program_id"))
        )
    )


def awaiting_evaluation() -> Q:
    """Registrations whose certificate waits for their evaluation: the session requires one,
    it has a form, and the person has neither evaluated nor been excused."""
    return (
        Q(session__evaluation_required=True)
        & Q(Exists(_form_exists_for_registration()))
        & ~Q(Exists(Evaluation.objects.filter(registration=OuterRef("pk"))))
        & ~Q(
            Exists(
                EvaluationRequest.objects.filter(
                    registration=OuterRef("pk"), waived_at__isnull=False
                )
            )
        )
    )


def _form_exists_for_registration() -> QuerySet[EvaluationForm]:
    return EvaluationForm.objects.filter(is_current=True).filter(
        Q(course_id=OuterRef("session__course_id"))
        | Q(program_id=OuterRef("session__course__program_id"))
    )


def awaiting_evaluation_ids(registration_ids: Iterable[int]) -> set[int]:
    """Of `registration_ids`, those whose certificate waits for an evaluation (one query)."""
    return set(
        Registration.objects.filter(pk__in=list(registration_ids))
        .filter(awaiting_evaluation())
        .values_list("pk", flat=True)
    )


def due_requests() -> QuerySet[Registration]:
    """Completed registrations of sessions with a form that have not been asked yet."""
    return (
        Registration.objects.filter(completed=True)
        .filter(Exists(_form_exists_for_registration()))
        .exclude(Exists(EvaluationRequest.objects.filter(registration=OuterRef("pk"))))
    )


@dataclass(frozen=True)
class EvaluationState:
    """Where a registration stands with its evaluation, as staff see it: dates and who excused
    it, never the answers."""

    asked_at: dt.datetime | None = None
    reminded_at: dt.datetime | None = None
    evaluated_at: dt.datetime | None = None
    waived_at: dt.datetime | None = None
    waived_by: User | None = None
    waive_reason: str = ""
    has_form: bool = False

    @property
    def can_excuse(self) -> bool:
        return self.has_form and self.evaluated_at is None and self.waived_at is None


def evaluation_state(registration: Registration) -> EvaluationState:
    """Asked (and reminded), evaluated, excused, or none of these; at most three queries."""
    request = (
        EvaluationRequest.objects.filter(registration=registration)
        .select_related("waived_by")
        .first()
    )
    evaluated_at = (
        Evaluation.objects.filter(registration=registration)
        .values_list("submitted_at", flat=True)
        .first()
    )
    if request is None:
        has_form = form_for_session(registration.session) is not None
        return EvaluationState(evaluated_at=evaluated_at, has_form=has_form)
    return EvaluationState(
        asked_at=request.asked_at,
        reminded_at=request.second_reminder_at or request.first_reminder_at,
        evaluated_at=evaluated_at,
        waived_at=request.waived_at,
        waived_by=request.waived_by,
        waive_reason=request.waive_reason,
        has_form=True,
    )


# --- results ------------------------------------------------------------------------------------


def _rounded(value, places: str = "0.01") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class QuestionResult:
    question: Question
    answered: int
    # agreement and pre/post ("now"): how many chose 1..5; choice questions: per option.
    distribution: list[tuple[str, int]] = field(default_factory=list)
    mean: Decimal | None = None
    agreement_percent: Decimal | None = None
    mean_before: Decimal | None = None
    mean_change: Decimal | None = None
    comments: list[str] = field(default_factory=list)


@dataclass
class Results:
    asked: int
    responses: int
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> Decimal | None:
        if not self.asked:
            return None
        return _rounded(Decimal(self.responses) * 100 / self.asked, "0.1")

    @property
    def counts_only(self) -> bool:
        return self.responses < MIN_RESPONSES


def _answer_aggregates() -> dict:
    aggregates = {
        "answered": Count("pk"),
        "mean": Avg("rating"),
        "mean_before": Avg("before"),
        "mean_change": Avg(
            ExpressionWrapper(F("rating") - F("before"), output_field=IntegerField()),
            filter=Q(before__isnull=False, rating__isnull=False),
        ),
        "agree": Count("pk", filter=Q(rating__gte=AGREE)),
        "rated": Count("pk", filter=Q(rating__isnull=False)),
    }
    for value in SCALE:
        aggregates[f"r{value}"] = Count("pk", filter=Q(rating=value))
    for bit in range(MAX_CHOICES):
        aggregates[f"c{bit}"] = Count("pk", filter=Q(**{f"bit{bit}__gt": 0}))
    return aggregates


def _with_bits(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    return answers.annotate(
        **{
            f"bit{bit}": ExpressionWrapper(
                F("chosen").bitand(1 << bit), output_field=IntegerField()
            )
            for bit in range(MAX_CHOICES)
        }
    )


def results(sessions: QuerySet[Session]) -> Results:
    """The results of the evaluations of `sessions`, in four queries whatever their number."""
    evaluations = Evaluation.objects.filter(registration__session__in=sessions)
    asked = EvaluationRequest.objects.filter(
        registration__session__in=sessions, waived_at__isnull=True
    ).count()
    responses = evaluations.count()
    rows = {
        row["question"]: row
        for row in _with_bits(Answer.objects.filter(evaluation__in=evaluations))
        .values("question")
        .annotate(**_answer_aggregates())
        .order_by()
    }
    questions = list(
        Question.objects.filter(pk__in=rows)
        .select_related("form")
        .order_by("form__title", "form__version", "position")
    )
    comments: dict[int, list[str]] = {}
    if responses >= MIN_RESPONSES:
        texts = (
            Answer.objects.filter(evaluation__in=evaluations, question__kind=Question.Kind.TEXT)
            .exclude(text="")
            .order_by("question_id", "text")  # never in the order people answered
            .values_list("question_id", "text")
        )
        for question_id, text in texts:
            comments.setdefault(question_id, []).append(text)
    return Results(
        asked=max(asked, responses),
        responses=responses,
        questions=[_question_result(q, rows[q.pk], comments.get(q.pk, [])) for q in questions],
    )


def _question_result(question: Question, row: dict, comments: list[str]) -> QuestionResult:
    result = QuestionResult(question=question, answered=row["answered"], comments=comments)
    Kind = Question.Kind
    if question.kind in (Kind.AGREEMENT, Kind.PREPOST):
        result.distribution = [(str(value), row[f"r{value}"]) for value in SCALE]
        result.mean = _rounded(row["mean"])
    if question.kind == Kind.AGREEMENT and row["rated"]:
        result.agreement_percent = _rounded(Decimal(row["agree"]) * 100 / row["rated"], "0.1")
    if question.kind == Kind.PREPOST:
        result.mean_before = _rounded(row["mean_before"])
        result.mean_change = _rounded(row["mean_change"])
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        result.distribution = [
            (option, row[f"c{bit}"]) for bit, option in enumerate(question.choices)
        ]
    return result


@dataclass(frozen=True)
class Summary:
    """What the reach report says of evaluations (DESIGN.md): one line for funders."""

    asked: int
    responses: int
    response_rate: Decimal | None
    overall_agreement_percent: Decimal | None
    mean_confidence_change: Decimal | None


def summary(sessions: QuerySet[Session]) -> Summary:
    """Responses, response rate, agreement on the forms' overall questions and the mean
    pre/post change, for `sessions`, in three queries."""
    evaluations = Evaluation.objects.filter(registration__session__in=sessions)
    asked = EvaluationRequest.objects.filter(
        registration__session__in=sessions, waived_at__isnull=True
    ).count()
    answers = Answer.objects.filter(evaluation__in=evaluations)
    figures = answers.aggregate(
        responses=Count("evaluation", distinct=True),
        overall=Count("pk", filter=Q(question__is_overall=True, rating__isnull=False)),
        overall_agree=Count("pk", filter=Q(question__is_overall=True, rating__gte=AGREE)),
        change=Avg(
            ExpressionWrapper(F("rating") - F("before"), output_field=IntegerField()),
            filter=Q(
                question__kind=Question.Kind.PREPOST, before__isnull=False, rating__isnull=False
            ),
        ),
    )
    responses = evaluations.count()
    asked = max(asked, responses)
    return Summary(
        asked=asked,
        responses=responses,
        response_rate=_rounded(Decimal(responses) * 100 / asked, "0.1") if asked else None,
        overall_agreement_percent=_rounded(
            Decimal(figures["overall_agree"]) * 100 / figures["overall"], "0.1"
        )
        if figures["overall"]
        else None,
        mean_confidence_change=_rounded(figures["change"]),
    )


# --- the staff form builder ---------------------------------------------------------------------


def with_usage(forms: QuerySet[EvaluationForm]) -> QuerySet[EvaluationForm]:
    """`forms` with `question_count`, `responses` (evaluations of that version) and `in_use`:
    someone answered it or was asked to, so a change makes a new version (the rule of
    evaluations.services.save_evaluation_form). Subqueries, so a list costs one query."""
    questions = (
        Question.objects.filter(form=OuterRef("pk"))
        .order_by()
        .values("form")
        .annotate(n=Count("pk"))
        .values("n")
    )
    responses = (
        Evaluation.objects.filter(form=OuterRef("pk"))
        .order_by()
        .values("form")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return forms.annotate(
        question_count=Coalesce(Subquery(questions, output_field=IntegerField()), 0),
        responses=Coalesce(Subquery(responses, output_field=IntegerField()), 0),
        in_use=Exists(Evaluation.objects.filter(form=OuterRef("pk")))
        | Exists(EvaluationRequest.objects.filter(form=OuterRef("pk"))),
    )


def _of_providers(queryset: QuerySet, provider_ids: Iterable[int] | None, field_name: str):
    return queryset if provider_ids is None else queryset.filter(**{field_name: provider_ids})


def current_forms(provider_ids: Iterable[int] | None) -> QuerySet[EvaluationForm]:
    """The forms asked now, of these providers (None: every provider's), program forms first,
    with their owner, creator and usage: one query."""
    forms = EvaluationForm.objects.filter(is_current=True).select_related(
        "provider", "program", "course", "created_by"
    )
    forms = _of_providers(forms, provider_ids, "provider_id__in")
    owner_name = Coalesce("course__title", "program__name")
    return with_usage(forms).order_by("provider__short_name", owner_name, "pk")


def programs_without_form(provider_ids: Iterable[int] | None) -> QuerySet[Program]:
    programs = Program.objects.select_related("provider").exclude(
        Exists(EvaluationForm.objects.filter(is_current=True, program=OuterRef("pk")))
    )
    return _of_providers(programs, provider_ids, "provider_id__in").order_by(
        "provider__short_name", "name"
    )


def courses_without_form(provider_ids: Iterable[int] | None) -> QuerySet[Course]:
    """Courses (not archived) without a form of their own; `program_form` says whether their
    program's form is asked instead."""
    courses = (
        Course.objects.exclude(status=Course.Status.ARCHIVED)
        .exclude(Exists(EvaluationForm.objects.filter(is_current=True, course=OuterRef("pk"))))
        .select_related("provider", "program")
        .annotate(
            program_form=Exists(
                EvaluationForm.objects.filter(is_current=True, program_id=OuterRef("program_id"))
            )
        )
    )
    return _of_providers(courses, provider_ids, "provider_id__in").order_by(
        "provider__short_name", "title"
    )


def form_versions(form: EvaluationForm) -> QuerySet[EvaluationForm]:
    """Every version of the form of `form`'s program or course, newest first, with usage."""
    versions = EvaluationForm.objects.filter(program_id=form.program_id, course_id=form.course_id)
    return with_usage(versions).select_related("created_by").order_by("-created_at", "-pk")

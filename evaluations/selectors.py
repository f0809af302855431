"""Reads of evaluation forms, who still owes an evaluation, and results (DESIGN.md,
Evaluations). Results are aggregates computed in the database, never rows that say who
answered what; below MIN_RESPONSES only the counts are given."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from courses.dates import local_day_range
from courses.models import Course, Meeting, Program, Session
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
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _ratio(part: int | None, whole: int | None, places: str = "0.01") -> Decimal | None:
    """part / whole exactly, rounded half up (the database's AVG of integers is a float on
    SQLite and a numeric on PostgreSQL: sums and counts are exact on both)."""
    if not whole:
        return None
    return _rounded(Decimal(part or 0) / Decimal(whole), places)


def _percent(part: int | None, whole: int | None) -> Decimal | None:
    return _ratio((part or 0) * 100, whole, "0.1")


def results_sessions(
    *,
    visible: Q | None,
    start: dt.date,
    end: dt.date,
    provider_ids: Iterable[int] | None = None,
    program_id: int | None = None,
    course_id: int | None = None,
    session_id: int | None = None,
    trainer_id: int | None = None,
    delivery: str = "",
) -> QuerySet[Session]:
    """The sessions whose evaluations are reported: not cancelled, within `visible` (None: all),
    narrowed by the filters; in the period when the first meeting's local date is in
    start..end (inclusive), as the reach report decides it."""
    begin, finish = local_day_range(start, end)
    meetings = Meeting.objects.filter(session=OuterRef("pk"))
    sessions = Session.objects.filter(status=Session.Status.SCHEDULED).filter(
        Exists(meetings.filter(starts_at__gte=begin, starts_at__lt=finish)),
        ~Exists(meetings.filter(starts_at__lt=begin)),
    )
    if visible is not None:
        sessions = sessions.filter(visible)
    if provider_ids is not None:
        sessions = sessions.filter(course__provider_id__in=list(provider_ids))
    if program_id is not None:
        sessions = sessions.filter(course__program_id=program_id)
    if course_id is not None:
        sessions = sessions.filter(course_id=course_id)
    if session_id is not None:
        sessions = sessions.filter(pk=session_id)
    if trainer_id is not None:
        sessions = sessions.filter(pk__in=_trained_by(trainer_id))
    if delivery:
        sessions = sessions.filter(delivery=delivery)
    return sessions


def _trained_by(user_id: int) -> QuerySet:
    return Session.trainers.through.objects.filter(user_id=user_id).values("session_id")


def visible_sessions(
    *, alliance_admin: bool, provider_ids: Iterable[int], user_id: int
) -> Q | None:
    """Whose results a person sees (DESIGN.md, Evaluations): Alliance admins all (None),
    provider staff their providers' sessions, trainers the sessions they train."""
    if alliance_admin:
        return None
    return Q(course__provider_id__in=list(provider_ids)) | Q(pk__in=_trained_by(user_id))


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
    change_n: int = 0  # pre/post pairs the change is the mean of
    comments: list[str] = field(default_factory=list)
    # Fewer than MIN_RESPONSES answers (or responses): only `answered` is given.
    counts_only: bool = False


@dataclass
class FormResults:
    form: EvaluationForm
    questions: list[QuestionResult]


@dataclass
class Results:
    asked: int
    responses: int
    forms: list[FormResults]

    @property
    def questions(self) -> list[QuestionResult]:
        return [question for form in self.forms for question in form.questions]

    @property
    def response_rate(self) -> Decimal | None:
        return _percent(self.responses, self.asked)

    @property
    def counts_only(self) -> bool:
        return self.responses < MIN_RESPONSES


def _answer_aggregates() -> dict:
    rated = Q(rating__isnull=False)
    pair = Q(before__isnull=False, rating__isnull=False)
    aggregates = {
        "answered": Count("pk"),
        "rated": Count("pk", filter=rated),
        "rating_sum": Sum("rating"),
        "agree": Count("pk", filter=Q(rating__gte=AGREE)),
        "pairs": Count("pk", filter=pair),
        "before_sum": Sum("before", filter=pair),
        "now_sum": Sum("rating", filter=pair),
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


def _response_counts(sessions: QuerySet[Session]) -> tuple[int, int]:
    """(asked, responses): the registrations asked to evaluate and not excused, plus the
    excused who answered anyway; and the evaluations. Counted on the session column of
    requests and evaluations (indexed), not through the registrations."""
    requests = EvaluationRequest.objects.filter(session__in=sessions)
    answered = Evaluation.objects.filter(registration_id=OuterRef("registration_id"))
    asked = requests.filter(Q(waived_at__isnull=True) | Q(Exists(answered))).count()
    responses = Evaluation.objects.filter(session__in=sessions).count()
    # An evaluation is only taken once asked; max() keeps the rate at most 100 % regardless.
    return max(asked, responses), responses


def results(sessions: QuerySet[Session]) -> Results:
    """The results of the evaluations of `sessions`, per form version and question, in four
    queries whatever their number. Below MIN_RESPONSES responses (or answers to a question)
    only counts are given: no distribution, means or comments."""
    asked, responses = _response_counts(sessions)
    evaluations = Evaluation.objects.filter(session__in=sessions)
    rows = {
        row["question"]: row
        for row in _with_bits(Answer.objects.filter(evaluation__in=evaluations))
        .values("question")
        .annotate(**_answer_aggregates())
        .order_by()
    }
    # Every question of the forms answered (one unanswered shows 0), found from the answered
    # questions: a few hundred rows, where the forms of the evaluations would scan them all.
    questions = list(
        Question.objects.filter(form__in=Question.objects.filter(pk__in=list(rows)).values("form"))
        .select_related("form")
        .order_by("form__title", "form__version", "form_id", "position")
    )
    comments: dict[int, list[str]] = {}
    text_ids = [q.pk for q in questions if q.kind == Question.Kind.TEXT and q.pk in rows]
    if responses >= MIN_RESPONSES and text_ids:
        texts = (
            Answer.objects.filter(evaluation__in=evaluations, question_id__in=text_ids)
            .exclude(text="")
            .order_by("question_id", "text", "pk")  # sorted: never in the order people answered
            .values_list("question_id", "text")
        )
        for question_id, text in texts:
            comments.setdefault(question_id, []).append(text)
    forms: list[FormResults] = []
    for question in questions:
        if not forms or forms[-1].form.pk != question.form_id:
            forms.append(FormResults(form=question.form, questions=[]))
        result = _question_result(
            question, rows.get(question.pk, {}), comments.get(question.pk, [])
        )
        if responses < MIN_RESPONSES or result.answered < MIN_RESPONSES:
            result = QuestionResult(question=question, answered=result.answered, counts_only=True)
        forms[-1].questions.append(result)
    return Results(asked=asked, responses=responses, forms=forms)


def _question_result(question: Question, row: dict, comments: list[str]) -> QuestionResult:
    result = QuestionResult(question=question, answered=row.get("answered", 0), comments=comments)
    Kind = Question.Kind
    if question.kind in (Kind.AGREEMENT, Kind.PREPOST):
        result.distribution = [(str(value), row.get(f"r{value}", 0)) for value in SCALE]
        result.mean = _ratio(row.get("rating_sum"), row.get("rated"))
    if question.kind == Kind.AGREEMENT:
        result.agreement_percent = _percent(row.get("agree"), row.get("rated"))
    if question.kind == Kind.PREPOST:
        pairs = row.get("pairs", 0)
        result.change_n = pairs
        result.mean_before = _ratio(row.get("before_sum"), pairs)
        if pairs:
            result.mean_change = _ratio(row["now_sum"] - row["before_sum"], pairs)
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        result.distribution = [
            (option, row.get(f"c{bit}", 0)) for bit, option in enumerate(question.choices)
        ]
    return result


@dataclass(frozen=True)
class Summary:
    """What the reach report says of evaluations (DESIGN.md): one line for funders. Below
    MIN_RESPONSES responses only the counts (agreement and change are None)."""

    asked: int
    responses: int
    response_rate: Decimal | None
    overall_agreement_percent: Decimal | None
    mean_confidence_change: Decimal | None


def summary(sessions: QuerySet[Session]) -> Summary:
    """Responses, response rate, agreement (4 or 5) on the forms' overall questions and the
    mean pre/post change over every pre/post answer, for `sessions`, in two queries."""
    asked, responses = _response_counts(sessions)
    if responses < MIN_RESPONSES:
        return Summary(asked, responses, _percent(responses, asked), None, None)
    overall_ids = Question.objects.filter(is_overall=True).values("pk")
    prepost_ids = Question.objects.filter(kind=Question.Kind.PREPOST).values("pk")
    overall = Q(question_id__in=overall_ids, rating__isnull=False)
    pair = Q(question_id__in=prepost_ids, before__isnull=False, rating__isnull=False)
    # Answers of the overall and pre/post questions only (by id, through their index).
    figures = (
        Answer.objects.filter(evaluation__session__in=sessions)
        .filter(Q(question_id__in=overall_ids) | Q(question_id__in=prepost_ids))
        .aggregate(
            overall=Count("pk", filter=overall),
            overall_agree=Count("pk", filter=overall & Q(rating__gte=AGREE)),
            pairs=Count("pk", filter=pair),
            before_sum=Sum("before", filter=pair),
            now_sum=Sum("rating", filter=pair),
        )
    )
    change = None
    if figures["pairs"]:
        change = _ratio(figures["now_sum"] - figures["before_sum"], figures["pairs"])
    return Summary(
        asked=asked,
        responses=responses,
        response_rate=_percent(responses, asked),
        overall_agreement_percent=_percent(figures["overall_agree"], figures["overall"]),
        mean_confidence_change=change,
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

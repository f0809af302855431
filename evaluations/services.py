"""Evaluation forms and evaluations: every change, one function each, in one transaction, with
its activity recorded (STYLE.md, Services; DESIGN.md, Evaluations)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.validators import validate_single_line
from activity.services import SYSTEM, record_activity
from attendance.completion import recompute_completion
from courses.models import Course, Program
from organizations.permissions import can_manage_provider
from registrations.locking import lock_session, seat_transaction
from registrations.models import Registration

from . import notifications
from .models import (
    CHANGE_DAYS,
    MAX_CHOICES,
    SCALE,
    Answer,
    Evaluation,
    EvaluationForm,
    EvaluationRequest,
    Question,
)
from .selectors import due_requests, form_for_session

Kind = Question.Kind
FIRST_REMINDER = dt.timedelta(days=2)
SECOND_REMINDER = dt.timedelta(days=7)
MAX_TEXT = 2000


def _actor(by: User | None) -> dict:
    return {"actor": by, "system": "" if by is not None else SYSTEM}


# --- forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    choices: Sequence[str] = ()
    required: bool = True
    is_overall: bool = False


def _check_questions(questions: Sequence[QuestionSpec]) -> None:
    errors: list[str] = []
    if not questions:
        errors.append("A form needs at least one question.")
    for number, spec in enumerate(questions, start=1):
        text = (spec.text or "").strip()
        if spec.kind not in Kind.values:
            errors.append(f"Question {number}: choose its kind.")
            continue
        if not text:
            errors.append(f"Question {number}: write the question.")
        elif len(text) > 300:
            errors.append(f"Question {number}: keep it under 300 characters.")
        else:
            try:
                validate_single_line(text)
            except ValidationError:
                errors.append(f"Question {number}: write it on one line.")
        choices = [c.strip() for c in spec.choices]
        if spec.kind in (Kind.SINGLE, Kind.MULTIPLE):
            if not 2 <= len(choices) <= MAX_CHOICES or not all(choices):
                errors.append(f"Question {number}: give 2 to {MAX_CHOICES} options, none empty.")
            elif len(set(choices)) != len(choices):
                errors.append(f"Question {number}: each option once.")
        elif choices:
            errors.append(f"Question {number}: only choice questions have options.")
        if spec.is_overall and spec.kind != Kind.AGREEMENT:
            errors.append(f"Question {number}: the overall question is an agreement question.")
    if sum(1 for spec in questions if spec.is_overall) > 1:
        errors.append("Mark one question at most as the overall question.")
    if errors:
        raise ValidationError({"questions": errors})


@transaction.atomic
def save_evaluation_form(
    *,
    by: User | None,
    title: str,
    questions: Sequence[QuestionSpec],
    program: Program | None = None,
    course: Course | None = None,
) -> EvaluationForm:
    """Set the evaluation form of a program or a course to these questions, in this order.
    A form nobody has been asked to answer yet changes in place; one in use gets a new version
    (the old one keeps its answers and stops being asked)."""
    if (program is None) == (course is None):
        raise TypeError("save_evaluation_form takes a program or a course.")
    owner = program or course
    if by is not None and not can_manage_provider(by, owner.provider_id):
        raise PermissionDenied("You can only manage your own provider's evaluation forms.")
    title = (title or "").strip()
    errors = {}
    if not title or len(title) > 200:
        errors["title"] = ["Give the form a title (under 200 characters)."]
    try:
        _check_questions(questions)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    owner_filter = {"program": program} if program is not None else {"course": course}
    current = (
        EvaluationForm.objects.select_for_update().filter(is_current=True, **owner_filter).first()
    )
    in_use = current is not None and (
        current.evaluations.exists() or EvaluationRequest.objects.filter(form=current).exists()
    )
    before = [current.title, current.questions.count()] if current is not None else [None, None]
    if current is None or in_use:
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        form = EvaluationForm.objects.create(
            provider_id=owner.provider_id,
            title=title,
            version=current.version + 1 if current else 1,
            previous=current,
            created_by=by,
            **owner_filter,
        )
        verb = "evaluation_form.versioned" if current else "evaluation_form.created"
    else:
        form = current
        form.title = title
        form.save(update_fields=["title"])
        form.questions.all().delete()
        verb = "evaluation_form.updated"
    Question.objects.bulk_create(
        Question(
            form=form,
            position=position,
            kind=spec.kind,
            text=spec.text.strip(),
            choices=[c.strip() for c in spec.choices],
            required=spec.required,
            is_overall=spec.is_overall,
        )
        for position, spec in enumerate(questions, start=1)
    )
    record_activity(
        verb=verb,
        target=form,
        changes={
            "title": [before[0], title],
            "questions": [before[1], len(questions)],
            "version": [current.version if current else None, form.version],
        },
        **_actor(by),
    )
    return form


@transaction.atomic
def retire_evaluation_form(*, form: EvaluationForm, by: User | None) -> EvaluationForm:
    """Stop asking this form (its answers stay in the results)."""
    if by is not None and not can_manage_provider(by, form.provider_id):
        raise PermissionDenied("You can only manage your own provider's evaluation forms.")
    if form.is_current:
        form.is_current = False
        form.save(update_fields=["is_current"])
        record_activity(verb="evaluation_form.retired", target=form, **_actor(by))
    return form


# --- evaluating --------------------------------------------------------------------------------


def _on_scale(value: object) -> int | None:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number in SCALE and str(number) == str(value).strip() else None


def _answer(question: Question, raw: object) -> tuple[Answer | None, str | None]:
    """The answer to `question` from `raw` (None or "" when left empty), or why it is wrong."""
    empty = raw is None or raw == "" or raw == [] or raw == {}
    if empty:
        return None, ("Please answer this question." if question.required else None)
    answer = Answer(question=question)
    if question.kind == Kind.AGREEMENT:
        answer.rating = _on_scale(raw)
        if answer.rating is None:
            return None, "Choose 1 to 5."
    elif question.kind == Kind.PREPOST:
        pair = raw if isinstance(raw, Mapping) else {}
        answer.before, answer.rating = _on_scale(pair.get("before")), _on_scale(pair.get("now"))
        if answer.before is None or answer.rating is None:
            return None, "Choose 1 to 5 for before and for now."
    elif question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        picked = raw if isinstance(raw, list | tuple) else [raw]
        indexes = {_index(value, len(question.choices)) for value in picked}
        if None in indexes or not indexes:
            return None, "Choose one of the options."
        if question.kind == Kind.SINGLE and len(indexes) != 1:
            return None, "Choose one option."
        answer.chosen = sum(1 << index for index in indexes)
    else:
        text = str(raw).strip() if isinstance(raw, str) else None
        if text is None:
            return None, "Write your answer as text."
        if len(text) > MAX_TEXT:
            return None, f"Keep it under {MAX_TEXT} characters."
        if not text:
            return None, ("Please answer this question." if question.required else None)
        answer.text = text
    return answer, None


def _index(value: object, count: int) -> int | None:
    index = _int_or_none(value)
    return index if index is not None and 0 <= index < count else None


@seat_transaction
def submit_evaluation(
    *,
    registration: Registration,
    by: User,
    answers: Mapping[int, object],
    now: dt.datetime | None = None,
) -> Evaluation:
    """The registrant's answers, keyed by question id: 1-5 for agreement, {"before", "now"}
    for pre/post, an option's index (or a list of them) for choices, text. Saved whole or not
    at all; can be changed for CHANGE_DAYS days. Where the certificate waits for the
    evaluation, it is issued in the same transaction."""
    lock_session(registration.session_id)
    now = now or timezone.now()
    registration = Registration.objects.select_related("session__course").get(pk=registration.pk)
    if by is None or by.pk != registration.person_id:
        raise PermissionDenied("Only the registrant evaluates their session.")
    request = EvaluationRequest.objects.filter(registration=registration).first()
    if not registration.completed or request is None:
        raise ValidationError(
            "This session is evaluated by the people who completed it, once it has ended.",
            code="not_asked",
        )
    existing = Evaluation.objects.select_for_update().filter(registration=registration).first()
    if existing is not None and now > existing.submitted_at + dt.timedelta(days=CHANGE_DAYS):
        raise ValidationError(
            f"An evaluation can be changed for {CHANGE_DAYS} days after it is sent; this one "
            "can no longer be changed.",
            code="closed",
        )
    form = existing.form if existing is not None else request.form
    questions = list(form.questions.all())
    known = {q.pk for q in questions}
    errors: dict[str, list[str]] = {}
    unknown = [key for key in answers if _int_or_none(key) not in known]
    if unknown:
        errors["answers"] = [
            "These are not questions of this form: " + ", ".join(map(str, unknown))
        ]
    rows = []
    by_id = {_int_or_none(key): value for key, value in answers.items()}
    for question in questions:
        answer, problem = _answer(question, by_id.get(question.pk))
        if problem:
            errors[f"q{question.pk}"] = [problem]
        elif answer is not None:
            rows.append(answer)
    if errors:
        raise ValidationError(errors)
    if existing is None:
        evaluation = Evaluation.objects.create(
            registration=registration,
            session_id=registration.session_id,
            form=form,
            submitted_at=now,
            updated_at=now,
        )
        verb = "evaluation.submitted"
    else:
        evaluation = existing
        evaluation.updated_at = now
        evaluation.save(update_fields=["updated_at"])
        evaluation.answers.all().delete()
        verb = "evaluation.changed"
    for row in rows:
        row.evaluation = evaluation
    Answer.objects.bulk_create(rows)
    # That they answered is recorded; what they answered never is.
    record_activity(verb=verb, target=registration, actor=by)
    recompute_completion(registration_ids=[registration.pk], now=now)
    return evaluation


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@seat_transaction
def waive_evaluation(
    *, registration: Registration, by: User, reason: str, now: dt.datetime | None = None
) -> EvaluationRequest:
    """Staff excuse a person from evaluating (an accessibility need, a form sent by mistake):
    their certificate no longer waits. Recorded with the reason."""
    session = lock_session(registration.session_id)
    now = now or timezone.now()
    if by is None or not can_manage_provider(by, session.course.provider_id):
        raise PermissionDenied("Only the provider's staff can excuse an evaluation.")
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationError({"reason": "Give the reason (under 300 characters); it is recorded."})
    registration = Registration.objects.select_related("session__course").get(pk=registration.pk)
    form = form_for_session(registration.session)
    request = EvaluationRequest.objects.filter(registration=registration).first()
    if request is None and form is None:
        raise ValidationError("This session has no evaluation form.", code="no_form")
    if request is None:
        request = EvaluationRequest(
            registration=registration, session_id=registration.session_id, form=form, asked_at=now
        )
    if request.waived_at is None:
        request.waived_at, request.waived_by, request.waive_reason = now, by, reason
        request.save()
        record_activity(verb="evaluation.waived", target=registration, actor=by, reason=reason)
        recompute_completion(registration_ids=[registration.pk], now=now)
    return request


def ask_for_evaluations(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Ask each completer of an ended session with a form to evaluate it (email and /me/), then
    remind those who have not answered after 2 and after 7 days, once each. Run by the
    settle_sessions command; each step claims its row, so two runs at once email nobody twice.
    Returns how many were asked and reminded."""
    now = now or timezone.now()
    counts = {"asked": 0, "first_reminders": 0, "second_reminders": 0}
    for registration in due_requests().select_related("session__course").iterator():
        form = form_for_session(registration.session)
        if form is None:
            continue
        try:
            with transaction.atomic():
                EvaluationRequest.objects.create(
                    registration=registration,
                    session_id=registration.session_id,
                    form=form,
                    asked_at=now,
                )
                record_activity(verb="evaluation.requested", target=registration, system=SYSTEM)
                notifications.after_commit(registration, "asked")
        except IntegrityError:
            continue  # another run asked first
        counts["asked"] += 1
    open_requests = EvaluationRequest.objects.filter(
        waived_at__isnull=True, registration__evaluation__isnull=True
    )
    for field_name, after, key in (
        ("first_reminder_at", FIRST_REMINDER, "first_reminders"),
        ("second_reminder_at", SECOND_REMINDER, "second_reminders"),
    ):
        due = open_requests.filter(**{f"{field_name}__isnull": True, "asked_at__lte": now - after})
        if field_name == "first_reminder_at":
            # Late runs never send two reminders at once: past 7 days only the second is due.
            due = due.filter(asked_at__gt=now - SECOND_REMINDER)
        for request in due.select_related("registration").iterator():
            with transaction.atomic():
                claimed = EvaluationRequest.objects.filter(
                    pk=request.pk, **{f"{field_name}__isnull": True}
                ).update(**{field_name: now})
                if claimed:
                    notifications.after_commit(request.registration, "reminder")
                    counts[key] += 1
    return counts

"""The registrant's evaluation page, and staff excusing a person from evaluating."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from certificates.models import Certificate
from registrations.models import Registration

from .forms import EvaluationForm, answer_text
from .models import CHANGE_DAYS, Evaluation, EvaluationRequest
from .services import submit_evaluation, waive_evaluation


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's registration is "not found", never "forbidden": it does not say it exists.
    registration = get_object_or_404(
        Registration.objects.select_related("session__course__provider"),
        pk=pk,
        person=request.user,
    )
    asked = (
        EvaluationRequest.objects.filter(registration=registration).select_related("form").first()
    )
    context = {"registration": registration, "session": registration.session}
    if asked is None or not registration.completed:
        return render(request, "evaluations/not_open.html", context, status=404)
    existing = Evaluation.objects.filter(registration=registration).select_related("form").first()
    questions = list((existing.form if existing else asked.form).questions.all())
    closes_at = existing.submitted_at + dt.timedelta(days=CHANGE_DAYS) if existing else None
    closed = closes_at is not None and timezone.now() > closes_at
    certificate = Certificate.objects.filter(
        registration=registration, revoked_at__isnull=True
    ).first()
    context |= {
        "existing": existing,
        "closes_at": closes_at,
        "closed": closed,
        "form_title": (existing.form if existing else asked.form).title,
        "change_days": CHANGE_DAYS,
        "certificate": certificate,
        "held": certificate is None
        and existing is None
        and asked.waived_at is None
        and registration.session.evaluation_required,
    }
    if closed:
        answers = {a.question_id: a for a in existing.answers.all()}
        context["read_only"] = [
            (question, answer_text(question, answers.get(question.pk))) for question in questions
        ]
        return render(request, "evaluations/evaluate.html", context)
    if request.method == "POST":
        form = EvaluationForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                submit_evaluation(
                    registration=registration, by=request.user, answers=form.answers()
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_service_errors(error.message_dict)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request,
                    "Thank you: your changes are saved."
                    if existing
                    else "Thank you: your evaluation is saved.",
                )
                url = reverse("evaluations:evaluate", kwargs={"pk": registration.pk})
                return _see_other(f"{url}#evaluation-saved")
    else:
        initial = EvaluationForm.initial_from(
            existing.answers.select_related("question") if existing else []
        )
        form = EvaluationForm(initial=initial, questions=questions)
    context |= {"form": form, "blocks": form.blocks()}
    return render(request, "evaluations/evaluate.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def excuse(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """Provider staff excuse a person from evaluating (the reason is recorded); the person's
    certificate no longer waits. Anyone else gets "not found"."""
    registration = get_object_or_404(
        Registration.objects.select_related("session__course"), pk=registration_pk, session_id=pk
    )
    try:
        waive_evaluation(
            registration=registration, by=request.user, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as error:
        raise Http404("No such registration.") from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Excused from the evaluation; the reason is recorded.")
    url = reverse(
        "activity:staff_registration", kwargs={"pk": pk, "registration_pk": registration.pk}
    )
    return _see_other(f"{url}#evaluation")


def _see_other(url: str) -> HttpResponse:
    # 303: the browser follows with GET, so reloading the page never repeats the action.
    return HttpResponseRedirect(url, status=303)

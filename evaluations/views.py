"""The registrant's evaluation page."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from registrations.models import Registration

from .forms import EvaluationForm, field_names
from .models import CHANGE_DAYS, Evaluation, EvaluationRequest
from .services import submit_evaluation


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
    existing = Evaluation.objects.filter(registration=registration).select_related("form").first()
    context = {"registration": registration, "session": registration.session}
    if asked is None or not registration.completed:
        return render(request, "evaluations/not_open.html", context, status=404)
    evaluation_form = existing.form if existing else asked.form
    questions = list(evaluation_form.questions.all())
    closes_at = existing.submitted_at + dt.timedelta(days=CHANGE_DAYS) if existing else None
    context |= {
        "existing": existing,
        "closes_at": closes_at,
        "closed": closes_at is not None and timezone.now() > closes_at,
        "form_title": evaluation_form.title,
    }
    if request.method == "POST" and not context["closed"]:
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
                    "Thank you: your evaluation is saved. "
                    + (
                        "Your certificate is ready below."
                        if registration.session.evaluation_required
                        else "You can change it for 7 days."
                    ),
                )
                return redirect("registrations:me")
    else:
        initial = EvaluationForm.initial_from(
            existing.answers.select_related("question") if existing else []
        )
        form = EvaluationForm(initial=initial, questions=questions)
    context["form"] = form
    context["questions"] = [
        (question, [form[name] for name in field_names(question)]) for question in questions
    ]
    return render(request, "evaluations/evaluate.html", context)

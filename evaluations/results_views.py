"""Evaluation results pages: the figures of evaluations.selectors.results for the filters,
and the same results as CSV or XLSX. Who sees which sessions is decided by
evaluations.permissions (through the filter form)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from pd_platform.downloads import csv_response

from .models import Question
from .results_charts import LEVEL_LABELS, SCALE_LABELS, distribution_svg
from .results_exports import results_csv, results_xlsx
from .results_forms import ResultsFilterForm
from .selectors import MIN_RESPONSES, QuestionResult, results

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCALED = (Question.Kind.AGREEMENT, Question.Kind.PREPOST)


@login_required
@require_GET
def results_page(request: HttpRequest) -> HttpResponse:
    form = ResultsFilterForm(request.GET, user=request.user)  # PermissionDenied: 403
    context = {"form": form, "min_responses": MIN_RESPONSES}
    if not form.is_valid():
        return render(request, "evaluations/results.html", context, status=400)
    found = results(form.sessions())
    query = form.query_string()
    context |= {
        "results": found,
        "filters": form.describe(),
        "forms": [
            (group.form, [_question(item) for item in group.questions]) for group in found.forms
        ],
        "exports": [
            (label, f"{reverse('evaluation_results:export', kwargs={'fmt': fmt})}?{query}")
            for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))
        ],
    }
    return render(request, "evaluations/results.html", context)


def _question(item: QuestionResult) -> dict:
    labels = LEVEL_LABELS if item.question.kind == Question.Kind.PREPOST else SCALE_LABELS
    scaled = item.question.kind in SCALED
    rows = [(labels[label] if scaled else label, count) for label, count in item.distribution]
    chart = ""
    if rows and not item.counts_only:
        title = f"Answers to “{item.question.text}”"
        if item.question.kind == Question.Kind.PREPOST:
            title += " (now)"
        chart = distribution_svg(rows, title, answered=item.answered)
    return {"result": item, "rows": rows, "chart": chart}


@login_required
@require_GET
def results_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Result exports are csv or xlsx.")
    form = ResultsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        lines = [f"{name}: {msg}" for name, msgs in form.errors.items() for msg in msgs]
        return HttpResponse(
            "The filters are not valid.\n" + "\n".join(lines) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return export_response(form, fmt)


def export_response(form: ResultsFilterForm, fmt: str) -> HttpResponse:
    """The results of the valid `form` as a CSV or XLSX download (the page and the API)."""
    found, filters = results(form.sessions()), form.describe()
    start, end = form.period()
    name = f"evaluation-results-{start.isoformat()}-to-{end.isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(results_csv(found, filters), name)
    response = HttpResponse(results_xlsx(found, filters), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Downloads of the reach report from its page: the summary as CSV, XLSX or PDF, and the
detail CSV (one row per completed registration). Same filters and permissions as the page
(reports.forms, reports.permissions); the API's `format=` answers with the same responses."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from organizations.models import Provider
from pd_platform.downloads import CSV_CONTENT_TYPE, csv_lines, csv_response

from .detail import detail_rows
from .exports import describe_scope, reach_csv, reach_pdf, reach_xlsx
from .forms import ReachFilterForm
from .selectors import ReachScope, reach_report

CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
RENDERERS = {"csv": reach_csv, "xlsx": reach_xlsx, "pdf": reach_pdf}


def filename(scope: ReachScope, suffix: str) -> str:
    """ "reach-learn-2024-07-01-to-2025-06-30.pdf": the provider when there is one, the period."""
    who = "alliance"
    if scope.provider_ids is not None and len(scope.provider_ids) == 1:
        who = Provider.objects.filter(pk=scope.provider_ids[0]).values_list("slug", flat=True)
        who = next(iter(who), "provider")
    elif scope.provider_ids is not None:
        who = "providers"
    return f"reach-{who}-{scope.start.isoformat()}-to-{scope.end.isoformat()}{suffix}"


def export_response(scope: ReachScope, fmt: str) -> HttpResponse:
    """The report of `scope` as a download in `fmt` (csv, xlsx or pdf)."""
    report = reach_report(scope)
    body = RENDERERS[fmt](report, describe_scope(scope))
    if fmt == "csv":
        return csv_response(body, filename(scope, ".csv"))
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(scope, "." + fmt)}"'
    return response


def bad_filters(form: ReachFilterForm) -> HttpResponse:
    """400 in plain text: a download link has no page to show the errors on."""
    lines = [
        f"{_label(form, name)}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]
    return HttpResponse(
        "The report filters are not valid.\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _label(form: ReachFilterForm, name: str) -> str:
    field = form.fields.get(name)
    if field is not None and field.label:
        return str(field.label)
    return "Filters" if name == "__all__" else name.replace("_", " ").capitalize()


@require_GET
@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in RENDERERS:
        raise Http404("Reach exports are csv, xlsx or pdf.")
    form = ReachFilterForm(request.GET, user=request.user)  # PermissionDenied: 403
    if not form.is_valid():
        return bad_filters(form)
    return export_response(form.scope(), fmt)


@require_GET
@login_required
def detail(request: HttpRequest) -> HttpResponse:
    """One row per completed registration in scope, streamed as it is read."""
    form = ReachFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return bad_filters(form)
    scope = form.scope()
    return csv_response(csv_lines(detail_rows(scope)), filename(scope, "-detail.csv"))

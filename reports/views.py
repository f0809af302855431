"""The reach report pages: figures, breakdowns and charts for a period, and fiscal years
side by side. Who sees what is decided by reports.permissions (through the filter form);
the numbers come from reports.selectors, the same as the API and the exports."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from organizations.permissions import roles_of

from . import tables
from .charts import bar_chart
from .coordinator import EXPECTED_HOURS, staff_hours
from .exports import FIGURES, evaluation_values  # one wording of the definitions everywhere
from .forms import ANY_DELIVERY, PERIOD_FIELDS, ReachCompareForm, ReachFilterForm, fiscal_year_label
from .selectors import ReachReport, ReachScope, reach_figures, reach_report

# Each figure with its definition in plain words (DESIGN.md, "Reach report").
CHART_ROWS = 30
# A breakdown table on the page shows at most this many rows, in the order asked for (an
# Alliance-wide year has about 10,000 sessions: megabytes of HTML). Exports have every row.
TABLE_ROWS = 250
EXPORT_FORMATS = [("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("pdf", "PDF summary for funders")]


@login_required
@require_GET
def reach(request: HttpRequest) -> HttpResponse:
    form = ReachFilterForm(request.GET, user=request.user)  # PermissionDenied: 403
    context = {
        "form": form,
        "tab": "reach",
        "compare_query": form.query_string(exclude=PERIOD_FIELDS),
    }
    if not form.is_valid():
        return render(request, "reports/reach.html", context, status=400)
    scope = form.scope()
    report = reach_report(scope)
    sort, query = tables.requested_sort(request.GET), form.query_string()
    is_coordinator_view = form.district_ids is not None
    sessions = [r for r in report.by_session if r.delivered or not is_coordinator_view]
    blocks = [
        _block(tables.BY_DISTRICT, report.by_district, "name", sort, query),
        _block(tables.BY_POSITION, report.by_position, "label", sort, query),
        _block(tables.BY_SESSION, sessions, "title", sort, query),
        _block(tables.BY_DELIVERY, report.by_delivery, "label", sort, query),
    ]
    context |= {
        "scope": scope,
        "period": _period_text(form, scope),
        "scope_text": _scope_text(form),
        "figures": [
            (label, tables.format_cell(getattr(report.figures, key)), text)
            for key, label, text in ((f.key, f.label, f.definition) for f in FIGURES)
        ],
        "blocks": blocks,
        "multiplier": tables.build_table(
            tables.MULTIPLIER, report.turnkey_multiplier, sort=sort, query=query
        ),
        "providers": _provider_table(report, sort, query),
        "staff_hours": _staff_hours_table(request, form, sort, query),
        "expected_hours": EXPECTED_HOURS,
        "coordinator_view": is_coordinator_view,
        "exports": _export_links(form),
        "evaluations": evaluation_values(report),
    }
    return render(request, "reports/reach.html", context)


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    form = ReachCompareForm(request.GET, user=request.user)  # PermissionDenied: 403
    context = {
        "form": form,
        "tab": "compare",
        "reach_query": form.query_string(exclude=PERIOD_FIELDS),
    }
    if not form.is_valid():
        return render(request, "reports/compare.html", context, status=400)
    years = [(year, reach_figures(scope)) for year, scope in form.scopes()]
    context |= {
        "years": [(year, fiscal_year_label(year)) for year, _ in years],
        "rows": [
            (label, text, [tables.format_cell(getattr(figures, key)) for _, figures in years])
            for key, label, text in ((f.key, f.label, f.definition) for f in FIGURES)
        ],
        "chart": bar_chart(
            [(f"FY{year}", figures.completions) for year, figures in years],
            "Completions by fiscal year",
            description="The table above lists every figure of each fiscal year.",
        ),
        "coordinator_view": form.district_ids is not None,
    }
    return render(request, "reports/compare.html", context)


# Parts of the reach page ----------------------------------------------------------------------


def _chart_label(row, label_attr: str) -> str:
    label = getattr(row, label_attr)
    first_date = getattr(row, "first_date", None)
    # Two sessions of one course would otherwise be two bars with the same name.
    return f"{label} ({first_date:%b %-d, %Y})" if first_date else label


def _block(spec: tables.TableSpec, rows: list, label_attr: str, sort, query: str) -> dict:
    """A breakdown table (its first TABLE_ROWS rows) and the chart of its completions, in the
    table's order (the first CHART_ROWS rows: a longer chart would be a wall of bars)."""
    table = tables.build_table(spec, rows, sort=sort, query=query, limit=TABLE_ROWS)
    shown = table.objects[:CHART_ROWS]
    description = "The table beside the chart lists the same figures."
    if len(table.objects) > CHART_ROWS:
        description = f"The first {CHART_ROWS} rows of the table beside the chart, in its order."
    chart = bar_chart(
        [(_chart_label(row, label_attr), row.completions) for row in shown],
        spec.caption,
        description=description,
    )
    return {
        "table": table,
        "chart": chart if table.rows else "",
        "truncated": len(table.objects) > CHART_ROWS,
    }


def _provider_table(report: ReachReport, sort, query) -> tables.Table | None:
    if not report.by_provider:
        return None
    return tables.build_table(tables.BY_PROVIDER, report.by_provider, sort=sort, query=query)


def _staff_hours_table(request, form: ReachFilterForm, sort, query) -> dict | None:
    district_ids = roles_of(request.user).district_ids
    if not district_ids:
        return None
    year = form.fiscal_year()
    rows = staff_hours(district_ids=district_ids, year=year)
    expected = [row for row in rows if row.expected]
    return {
        "table": tables.build_table(tables.STAFF_HOURS, rows, sort=sort, query=query),
        "year": fiscal_year_label(year),
        "expected_count": len(expected),
        "meeting_count": sum(1 for row in expected if row.meets_expectation),
    }


def _period_text(form: ReachFilterForm, scope: ReachScope) -> str:
    days = f"{date_format(scope.start, 'D, M j, Y')} to {date_format(scope.end, 'D, M j, Y')}"
    if form.uses_dates:
        return days
    return f"Fiscal year {form.fiscal_year()}: {days}"


def _scope_text(form: ReachFilterForm) -> str:
    data = form.cleaned_data
    provider = data.get("provider")
    parts = [provider.name if provider else form.fields["provider"].empty_label]
    if data.get("program"):
        parts.append(f"program: {data['program'].name}")
    if data.get("course"):
        parts.append(f"course: {data['course'].title}")
    delivery = dict(form.fields["delivery"].choices).get(data.get("delivery") or ANY_DELIVERY)
    parts.append(f"delivery: {delivery}")
    return " · ".join(parts)


def _export_links(form: ReachFilterForm) -> list[tuple[str, str]]:
    query = form.query_string()
    links = [
        (label, f"{reverse('reports:export', kwargs={'fmt': fmt})}?{query}")
        for fmt, label in EXPORT_FORMATS
    ]
    links.append(("Detail (CSV)", f"{reverse('reports:detail')}?{query}"))
    return links

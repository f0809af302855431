"""The reach report as CSV, XLSX and a PDF summary for funders.

Every export renders one ReachReport (reports.selectors.reach_report), the same object the page
and the API show, so the numbers agree everywhere. The renderers are pure functions of the report
and of `filters`, the scope described in words ({"Provider": "LEARN", "Period": "…"}, from
describe_scope); the PDF is byte-for-byte the same for the same input.
"""

import datetime as dt
import io
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from certificates.pdf import font_for
from courses.dates import fiscal_year_bounds, fiscal_year_of
from courses.models import Course, Program, Session
from organizations.models import District, Provider
from pd_platform.downloads import csv_lines

from .selectors import ReachFigures, ReachReport, ReachScope

TITLE = "Reach report"
ORGANIZATION = "RESC Alliance Professional Development"


@dataclass(frozen=True)
class Figure:
    key: str  # the DESIGN.md name, also the API's JSON key
    label: str
    definition: str


FIGURES = [
    Figure(
        "sessions_delivered",
        "Sessions delivered",
        "Sessions in scope with at least one attendance marked present or partial, or one "
        "headcount.",
    ),
    Figure(
        "staff_trained",
        "Staff trained",
        "Distinct people with at least one completed registration in scope.",
    ),
    Figure(
        "completions",
        "Completions",
        "Completed registrations in scope (a person who completes two sessions counts twice).",
    ),
    Figure(
        "districts_reached",
        "Districts reached",
        "Distinct districts among the completed registrations (the district at registration) "
        "and the districts named on headcounts in scope.",
    ),
    Figure("youth_reached", "Youth reached", "Sum of youth headcounts in scope."),
    Figure(
        "adults_uncounted",
        "Adults without accounts",
        "Sum of adult headcounts in scope (participants without accounts).",
    ),
    Figure(
        "pd_hours",
        "PD hours",
        "Sum of the hours of completed registrations in scope (credited minutes / 60), 2 decimals.",
    ),
    Figure(
        "free_districts",
        "Districts served free",
        "Districts reached that paid for nothing in scope: each of their completed "
        "registrations had price 0, and each session whose headcounts name them is free.",
    ),
]

EVALUATION_FIGURES = [
    Figure("responses", "Evaluation responses", "Evaluations submitted for sessions in scope."),
    Figure(
        "asked",
        "Asked to evaluate",
        "Completers asked to evaluate their session and not excused (or excused but answered).",
    ),
    Figure("response_rate", "Response rate (%)", "Responses as a percent of those asked."),
    Figure(
        "overall_agreement_percent",
        "Overall agreement (%)",
        "Answers 4 or 5 (agree, strongly agree) to the form's overall question, as a percent "
        "of its answers. Blank below 3 responses.",
    ),
    Figure(
        "mean_confidence_change",
        "Mean confidence change",
        "Mean of 'now' minus 'before' over the retrospective pre/post answers (1-5 scale). "
        "Blank below 3 responses.",
    ),
]


def evaluation_values(report: ReachReport) -> list[tuple[Figure, str]]:
    """The evaluations block as (figure, text): decimals as written, blank when none; empty
    when the report has no evaluations block (district coordinators)."""
    if report.evaluations is None:
        return []
    values = []
    for figure in EVALUATION_FIGURES:
        value = getattr(report.evaluations, figure.key)
        values.append((figure, "" if value is None else str(value)))
    return values


SCOPE_NOTE = (
    "A session is in the period when its first meeting's local date (America/New_York) is; "
    "cancelled sessions are never counted. A registration is completed when it is confirmed, "
    "its session's last meeting has ended and its credited minutes reach the session's "
    "completion threshold."
)


def figure_values(figures: ReachFigures) -> list[tuple[Figure, int | Decimal]]:
    return [(figure, getattr(figures, figure.key)) for figure in FIGURES]


# --- the breakdown tables, shared by the CSV and the XLSX ---------------------------------------

TEXT, INT, HOURS, DATE, YES_NO = "text", "int", "hours", "date", "yes/no"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]
    kind: str = INT


@dataclass(frozen=True)
class Breakdown:
    title: str  # also the XLSX sheet name (at most 31 characters)
    attribute: str  # of ReachReport
    columns: list[Column]
    # Left out of the CSV and XLSX when it has no rows (by provider: Alliance-wide only).
    optional: bool = False


def _attr(name: str) -> Callable[[object], object]:
    return operator.attrgetter(name)  # dotted names reach into a row's figures


BREAKDOWNS = [
    Breakdown(
        "By district",
        "by_district",
        [
            Column("District", _attr("name"), TEXT),
            Column("Staff trained", _attr("staff_trained")),
            Column("Completions", _attr("completions")),
            Column("PD hours", _attr("pd_hours"), HOURS),
            Column("Youth reached", _attr("youth_reached")),
            Column("Adults without accounts", _attr("adults_uncounted")),
            Column("Served free", _attr("free"), YES_NO),
        ],
    ),
    Breakdown(
        "By position",
        "by_position",
        [
            Column("Position", _attr("label"), TEXT),
            Column("Staff trained", _attr("staff_trained")),
            Column("Completions", _attr("completions")),
            Column("PD hours", _attr("pd_hours"), HOURS),
        ],
    ),
    Breakdown(
        "By session",
        "by_session",
        [
            Column("Session id", _attr("session_id")),
            Column("Session", _attr("title"), TEXT),
            Column("Provider", _attr("provider"), TEXT),
            Column("First meeting", _attr("first_date"), DATE),
            Column("Delivery", lambda row: _delivery_label(row.delivery), TEXT),
            Column("Free", _attr("is_free"), YES_NO),
            Column("Delivered", _attr("delivered"), YES_NO),
            Column("Staff trained", _attr("staff_trained")),
            Column("Completions", _attr("completions")),
            Column("PD hours", _attr("pd_hours"), HOURS),
            Column("Youth reached", _attr("youth_reached")),
            Column("Adults without accounts", _attr("adults_uncounted")),
        ],
    ),
    Breakdown(
        "By delivery",
        "by_delivery",
        [
            Column("Delivery", _attr("label"), TEXT),
            Column("Sessions delivered", _attr("sessions_delivered")),
            Column("Staff trained", _attr("staff_trained")),
            Column("Completions", _attr("completions")),
            Column("PD hours", _attr("pd_hours"), HOURS),
            Column("Youth reached", _attr("youth_reached")),
        ],
    ),
    Breakdown(
        "Turnkey multiplier",
        "turnkey_multiplier",
        [
            Column("Program", _attr("program"), TEXT),
            Column("Trainers certified", _attr("trainers_certified")),
            Column("Turnkey sessions", _attr("turnkey_sessions")),
            Column("Staff trained", _attr("staff_trained")),
            Column("Youth reached", _attr("youth_reached")),
        ],
    ),
    Breakdown(
        "By provider",
        "by_provider",
        [
            Column("Provider", _attr("name"), TEXT),
            Column("Sessions delivered", _attr("figures.sessions_delivered")),
            Column("Staff trained", _attr("figures.staff_trained")),
            Column("Completions", _attr("figures.completions")),
            Column("Districts reached", _attr("figures.districts_reached")),
            Column("Youth reached", _attr("figures.youth_reached")),
            Column("Adults without accounts", _attr("figures.adults_uncounted")),
            Column("PD hours", _attr("figures.pd_hours"), HOURS),
            Column("Free districts", _attr("figures.free_districts")),
        ],
        optional=True,
    ),
]


def _delivery_label(value: str) -> str:
    return dict(Session.Delivery.choices).get(value, value)


def _as_text(value: object, kind: str) -> str:
    """A cell as text: hours with two places, dates ISO, booleans yes/no."""
    if kind == HOURS:
        return f"{value:.2f}"
    if kind == DATE:
        return value.isoformat()
    if kind == YES_NO:
        return "yes" if value else "no"
    return str(value)


# --- describing the scope ----------------------------------------------------------------------


def period_text(start: dt.date, end: dt.date) -> str:
    """ "July 1, 2024 to June 30, 2025 (FY2025)"; the fiscal year only when the period is one."""
    text = f"{_long_date(start)} to {_long_date(end)}"
    year = fiscal_year_of(start)
    if fiscal_year_bounds(year) == (start, end):
        text += f" (FY{year})"
    return text


def _long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def describe_scope(scope: ReachScope) -> dict[str, str]:
    """The filters of `scope` in words, in a fixed order, for the top of every export.
    A few small queries (names of the providers, program, course and districts chosen)."""
    if scope.provider_ids is None:
        provider = "All providers"
    else:
        names = Provider.objects.filter(pk__in=scope.provider_ids).order_by("short_name")
        provider = ", ".join(p.name for p in names) or "None"
    filters = {"Provider": provider, "Period": period_text(scope.start, scope.end)}
    program = Program.objects.filter(pk=scope.program_id).first() if scope.program_id else None
    filters["Program"] = program.name if program else "All programs"
    course = Course.objects.filter(pk=scope.course_id).first() if scope.course_id else None
    filters["Course"] = course.title if course else "All courses"
    filters["Delivery"] = _delivery_label(scope.delivery) if scope.delivery else "All deliveries"
    if scope.district_ids is not None:
        names = District.objects.filter(pk__in=scope.district_ids).order_by("name")
        filters["Districts"] = ", ".join(d.name for d in names) or "None"
    return filters


# --- CSV ---------------------------------------------------------------------------------------


def reach_csv_rows(report: ReachReport, filters: dict[str, str]) -> Iterator[list[object]]:
    """The report as one CSV in sections: the filters, the figures with their definitions,
    then each breakdown under its title, separated by blank lines."""
    yield [TITLE]
    for label, value in filters.items():
        yield [label, value]
    yield []
    yield ["Figure", "Key", "Value", "Definition"]
    for figure, value in figure_values(report.figures):
        yield [figure.label, figure.key, _as_text(value, _kind(value)), figure.definition]
    evaluations = evaluation_values(report)
    if evaluations:
        yield []
        yield ["Evaluations"]
        yield ["Figure", "Key", "Value", "Definition"]
        for figure, text in evaluations:
            yield [figure.label, f"evaluations.{figure.key}", text, figure.definition]
    for breakdown in _breakdowns_of(report):
        yield []
        yield [breakdown.title]
        yield [column.header for column in breakdown.columns]
        for row in getattr(report, breakdown.attribute):
            yield [_as_text(column.value(row), column.kind) for column in breakdown.columns]


def _breakdowns_of(report: ReachReport) -> list[Breakdown]:
    return [b for b in BREAKDOWNS if not b.optional or getattr(report, b.attribute)]


def _kind(value: object) -> str:
    return HOURS if isinstance(value, Decimal) else INT


def reach_csv(report: ReachReport, filters: dict[str, str]) -> str:
    """The whole CSV; every cell goes through pd_platform.downloads.safe_cell."""
    return "".join(csv_lines(reach_csv_rows(report, filters)))


# --- XLSX --------------------------------------------------------------------------------------

HOURS_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
BOLD = Font(bold=True)


def reach_xlsx(report: ReachReport, filters: dict[str, str]) -> bytes:
    """A workbook: Summary (filters on top, then each figure with its definition) and a sheet
    per breakdown. Numbers are numbers; hours show two decimals."""
    workbook = Workbook()
    workbook.properties.creator = ORGANIZATION
    workbook.properties.title = TITLE
    summary = workbook.active
    summary.title = "Summary"
    _text(summary.cell(row=1, column=1), TITLE).font = Font(bold=True, size=14)
    row = 2
    for label, value in filters.items():
        _text(summary.cell(row=row, column=1), label).font = BOLD
        _text(summary.cell(row=row, column=2), value)
        row += 1
    row += 1
    for column, header in enumerate(["Figure", "Value", "Definition"], start=1):
        _text(summary.cell(row=row, column=column), header).font = BOLD
    for figure, value in figure_values(report.figures):
        row += 1
        _text(summary.cell(row=row, column=1), figure.label)
        _number(summary.cell(row=row, column=2), value, _kind(value))
        cell = _text(summary.cell(row=row, column=3), figure.definition)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    evaluations = evaluation_values(report)
    if evaluations:
        row += 2
        _text(summary.cell(row=row, column=1), "Evaluations").font = BOLD
        for figure, _shown in evaluations:
            row += 1
            _text(summary.cell(row=row, column=1), figure.label)
            value = getattr(report.evaluations, figure.key)
            if value is not None:
                _number(summary.cell(row=row, column=2), value, INT)
                if isinstance(value, Decimal):
                    summary.cell(row=row, column=2).number_format = (
                        "0.0" if value.as_tuple().exponent == -1 else "0.00"
                    )
            cell = _text(summary.cell(row=row, column=3), figure.definition)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    _text(summary.cell(row=row, column=1), SCOPE_NOTE)
    _widths(summary, [28, 44, 90])

    for breakdown in _breakdowns_of(report):
        sheet = workbook.create_sheet(breakdown.title)
        for column, spec in enumerate(breakdown.columns, start=1):
            _text(sheet.cell(row=1, column=column), spec.header).font = BOLD
        for row, item in enumerate(getattr(report, breakdown.attribute), start=2):
            for column, spec in enumerate(breakdown.columns, start=1):
                cell = sheet.cell(row=row, column=column)
                value = spec.value(item)
                if spec.kind == TEXT:
                    _text(cell, value)
                elif spec.kind == YES_NO:
                    _text(cell, "yes" if value else "no")
                else:
                    _number(cell, value, spec.kind)
        sheet.freeze_panes = "A2"
        _widths(sheet, [48 if spec.kind == TEXT else 16 for spec in breakdown.columns])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(cell, value: object):
    """Text stays text: openpyxl would store a value starting with "=" as a formula that the
    spreadsheet runs (formula injection); an explicit string type is shown as written."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"
    return cell


def _number(cell, value, kind: str):
    cell.value = value
    if kind == HOURS:
        cell.number_format = HOURS_FORMAT
    elif kind == DATE:
        cell.number_format = DATE_FORMAT
    return cell


def _widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


# --- PDF ---------------------------------------------------------------------------------------

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#4a4f55")
BRAND = colors.HexColor("#0b4f8a")
LIGHT = colors.HexColor("#e8eef5")
TOP_DISTRICTS = 10
CONTENT_WIDTH = letter[0] - 1.5 * inch


def _style(name: str, size: float, *, bold: bool = False, color=INK, **kwargs) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName="Helvetica-Bold" if bold else "Helvetica",
        fontSize=size,
        leading=size * 1.25,
        textColor=color,
        **kwargs,
    )


STYLES = {
    "org": _style("org", 10, color=MUTED),
    "title": _style("title", 22, bold=True, color=BRAND, spaceAfter=4),
    "filter": _style("filter", 10.5),
    "h2": _style("h2", 13, bold=True, color=BRAND, spaceBefore=10, spaceAfter=4),
    "number": _style("number", 22, bold=True, alignment=TA_CENTER),
    "label": _style("label", 9, color=MUTED, alignment=TA_CENTER),
    "term": _style("term", 9, bold=True),
    "definition": _style("definition", 9),
    "note": _style("note", 8, color=MUTED),
}


def _para(text: str, style: str, *, bold: bool | None = None) -> Paragraph:
    """A paragraph of plain `text`, in DejaVu when Helvetica cannot show it (as certificates)."""
    base = STYLES[style]
    font, text = font_for(text, bold=base.fontName.endswith("Bold") if bold is None else bold)
    if font != base.fontName:
        base = ParagraphStyle(f"{style}-{font}", parent=base, fontName=font)
    return Paragraph(escape(text), base)


def _filters_para(label: str, value: str) -> Paragraph:
    font, value = font_for(value, bold=False)
    style = STYLES["filter"]
    if font != style.fontName:
        style = ParagraphStyle(f"filter-{font}", parent=style, fontName=font)
    return Paragraph(f"<b>{escape(label)}:</b> {escape(value)}", style)


def display_number(value: int | Decimal) -> str:
    """How a figure is printed on the PDF: thousands separated, hours with two decimals."""
    return f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"


def reach_pdf(report: ReachReport, filters: dict[str, str]) -> bytes:
    """A one-to-two page summary for funders: who and when, the figures as large numbers, bar
    charts by delivery and of the top districts, and the definitions."""
    buffer = io.BytesIO()
    provider = filters.get("Provider", "")
    document = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title=f"{TITLE}: {provider}, {filters.get('Period', '')}",
        author=ORGANIZATION,
        subject=TITLE,
        creator=ORGANIZATION,
        invariant=1,
        pageCompression=1,
    )
    story: list = [
        _para(ORGANIZATION, "org"),
        _para(TITLE, "title"),
        *[_filters_para(label, value) for label, value in filters.items()],
        Spacer(1, 10),
        _figures_table(report.figures),
        *_evaluations_block(report),
        _para("By delivery", "h2"),
        _delivery_chart(report),
    ]
    districts = _top_districts(report)
    if districts:
        story += [
            KeepTogether(
                [
                    _para(f"Top districts by completions (up to {TOP_DISTRICTS})", "h2"),
                    _districts_chart(districts),
                ]
            )
        ]
    definitions = [_para("Definitions", "h2"), _definitions_table(report), Spacer(1, 6)]
    story.append(KeepTogether([*definitions, _para(SCOPE_NOTE, "note")]))
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _evaluations_block(report: ReachReport) -> list:
    evaluations = evaluation_values(report)
    if not evaluations:
        return []
    rows = [
        [_para(figure.label, "term"), _para(text or "–", "definition")]
        for figure, text in evaluations
    ]
    table = Table(rows, colWidths=[2.2 * inch, CONTENT_WIDTH - 2.2 * inch])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#d0d7de")),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [KeepTogether([_para("Evaluations", "h2"), table])]


def _footer(canvas, document) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(0.75 * inch, 0.45 * inch, f"{ORGANIZATION} · {TITLE}")
    canvas.drawRightString(letter[0] - 0.75 * inch, 0.45 * inch, f"Page {document.page}")
    canvas.restoreState()


def _figures_table(figures: ReachFigures) -> Table:
    cells = [
        [_para(display_number(value), "number"), _para(figure.label, "label")]
        for figure, value in figure_values(figures)
    ]
    per_row = 4
    rows = []
    for start in range(0, len(cells), per_row):
        chunk = cells[start : start + per_row]
        rows.append([cell[0] for cell in chunk])
        rows.append([cell[1] for cell in chunk])
    table = Table(rows, colWidths=[CONTENT_WIDTH / per_row] * per_row)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 10),
                ("BOTTOMPADDING", (0, 3), (-1, 3), 10),
                ("LINEBELOW", (0, 1), (-1, 1), 2, colors.white),
                ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
            ]
        )
    )
    return table


def _panel(
    drawing: Drawing,
    *,
    x: float,
    width: float,
    label_width: float,
    title: str,
    labels: list[str],
    values: list[int],
    color,
) -> None:
    """One horizontal bar chart with its own scale, its title above and each value printed,
    added to `drawing` at `x` (from the bottom of the drawing to 16 pt below its top)."""
    # One font for the axis: DejaVu (when installed) if any label needs more than Helvetica.
    fonts_and_labels = [font_for(label, bold=False) for label in labels]
    label_font = next((font for font, _ in fonts_and_labels if font != "Helvetica"), "Helvetica")
    chart = HorizontalBarChart()
    chart.x, chart.y = x + label_width, 14
    chart.width, chart.height = width - label_width - 36, drawing.height - 32
    chart.data = [values]
    chart.categoryAxis.categoryNames = [text for _, text in fonts_and_labels]
    chart.categoryAxis.reverseDirection = 1  # first label on top
    chart.categoryAxis.labels.fontName = label_font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.visibleLabels = bool(label_width)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([1, *values]) * 1.2
    chart.valueAxis.visibleLabels = 0  # each bar carries its value
    chart.valueAxis.visibleGrid = 0
    chart.barLabelFormat = _thousands
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.bars[0].fillColor = color
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(
        String(
            x + label_width,
            drawing.height - 12,
            title,
            fontName="Helvetica-Bold",
            fontSize=9,
            fillColor=INK,
        )
    )


def _thousands(value: float) -> str:
    return f"{round(value):,}"


def _delivery_chart(report: ReachReport) -> Drawing:
    """Sessions, completions and youth by delivery: three panels, as their scales differ."""
    rows = report.by_delivery
    labels = [row.label.split(" (")[0] for row in rows]  # "Direct", "Turnkey"
    drawing = Drawing(CONTENT_WIDTH, 22 * len(rows) + 40)
    panels = [
        ("Sessions delivered", [row.sessions_delivered for row in rows], BRAND),
        ("Completions", [row.completions for row in rows], colors.HexColor("#b5701a")),
        ("Youth reached", [row.youth_reached for row in rows], colors.HexColor("#2f7a4a")),
    ]
    label_width = 56
    width = (CONTENT_WIDTH - label_width) / len(panels)
    for index, (title, values, color) in enumerate(panels):
        first = index == 0
        _panel(
            drawing,
            x=0 if first else label_width + index * width,
            width=width + (label_width if first else 0),
            label_width=label_width if first else 0,
            title=title,
            labels=labels,
            values=values,
            color=color,
        )
    return drawing


def _top_districts(report: ReachReport) -> list:
    ranked = sorted(report.by_district, key=lambda row: (-row.completions, row.name))
    return [row for row in ranked if row.completions][:TOP_DISTRICTS]


def _districts_chart(rows: list) -> Drawing:
    drawing = Drawing(CONTENT_WIDTH, 17 * len(rows) + 36)
    _panel(
        drawing,
        x=0,
        width=CONTENT_WIDTH,
        label_width=200,
        title="Completions",
        labels=[_shorten(row.name, 40) for row in rows],
        values=[row.completions for row in rows],
        color=BRAND,
    )
    return drawing


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _definitions_table(report: ReachReport) -> Table:
    figures = [*FIGURES, *(EVALUATION_FIGURES if report.evaluations is not None else [])]
    rows = [[_para(f.label, "term"), _para(f.definition, "definition")] for f in figures]
    table = Table(rows, colWidths=[1.6 * inch, CONTENT_WIDTH - 1.6 * inch])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#d0d7de")),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table

"""Evaluation results as CSV and XLSX rows: the same Results object the page and the API show.

Anonymous by construction: rows are aggregates per question and option (never an answer with
who or when), open comments are left out (they are free text a person wrote), and below the
minimum number of responses a question gives only how many answered.
"""

import io
from collections.abc import Iterator
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from pd_platform.downloads import csv_lines

from .models import Question
from .selectors import Results

TITLE = "Evaluation results"
HEADER = [
    "Form",
    "Version",
    "Question",
    "Kind",
    "Option or scale value",
    "Count",
    "Answered",
    "Mean",
    "Agreement %",
    "Mean change",
    "Change n",
]


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def result_rows(results: Results, filters: dict[str, str]) -> Iterator[list[object]]:
    """The filters, then responses, asked and the response rate, then per question one row per
    option or scale value (count) and one summary row (answered, mean, agreement, change)."""
    yield [TITLE]
    for label, value in filters.items():
        yield [label, value]
    yield []
    yield ["Responses", "Asked", "Response rate %"]
    yield [results.responses, results.asked, results.response_rate]
    yield []
    yield HEADER
    kinds = dict(Question.Kind.choices)
    for form in results.forms:
        for item in form.questions:
            question = item.question
            base = [form.form.title, form.form.version, question.text, kinds[question.kind]]
            for option, count in item.distribution:
                yield [*base, option, count, "", "", "", "", ""]
            yield [
                *base,
                "(all)",
                "",
                item.answered,
                item.mean,
                item.agreement_percent,
                item.mean_change,
                item.change_n if item.mean_change is not None else "",
            ]


def results_csv(results: Results, filters: dict[str, str]) -> str:
    rows = (
        [_text(cell) if isinstance(cell, Decimal) or cell is None else cell for cell in row]
        for row in result_rows(results, filters)
    )
    return "".join(csv_lines(rows))


def results_xlsx(results: Results, filters: dict[str, str]) -> bytes:
    """One sheet; numbers are numbers (decimals as floats with their places), text is text
    (never a formula)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Results"
    for row_number, row in enumerate(result_rows(results, filters), start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, Decimal):
                cell.value = float(value)
                cell.number_format = "0.0" if value.as_tuple().exponent == -1 else "0.00"
            elif isinstance(value, int):
                cell.value = value
            elif value is not None:
                cell.value = str(value)
                cell.data_type = "s"
            if row_number == 1 or row in ([*HEADER],) or value in ("Responses", "Asked"):
                cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJK", [28, 8, 48, 18, 22, 8, 10, 8, 12, 12, 9], strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

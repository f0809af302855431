"""Reading the reach exports back the way a person's software would: a CSV parser, openpyxl,
and pypdf's text extraction."""

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from reports.exports import FIGURES, display_number


def csv_sections(text: str) -> dict[str, list[list[str]]]:
    """The CSV's sections by title: "Reach report" (the filters), "Figures", then each breakdown
    (its header row first)."""
    rows = list(csv.reader(io.StringIO(text)))
    sections: dict[str, list[list[str]]] = {}
    title, body = None, []
    for row in rows:
        if not row:
            sections[title], title, body = body, None, []
        elif title is None and row[0] == "Figure":
            title, body = "Figures", [row]
        elif title is None:
            title, body = row[0], []
        else:
            body.append(row)
    sections[title] = body
    return sections


def csv_figures(text: str) -> dict[str, str]:
    """{figure key: value as written}."""
    header, *rows = csv_sections(text)["Figures"]
    assert header == ["Figure", "Key", "Value", "Definition"]
    return {key: value for _, key, value, _ in rows}


def xlsx_workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def xlsx_summary(content: bytes) -> tuple[dict[str, str], dict[str, object]]:
    """({filter label: value}, {figure label: cell value}) of the Summary sheet (the reach
    figures; the evaluations block below them is read by xlsx_evaluations)."""
    sheet = xlsx_workbook(content)["Summary"]
    filters, figures, in_figures = {}, {}, False
    for label, value, *_ in sheet.iter_rows(min_row=2, values_only=True):
        if label == "Evaluations":
            break
        if label == "Figure":
            in_figures = True
        elif label is None:
            continue
        elif in_figures and value is not None:
            figures[label] = value
        elif not in_figures:
            filters[label] = value
    return filters, figures


def xlsx_evaluations(content: bytes) -> dict[str, object]:
    """{label: cell value} of the Summary sheet's Evaluations block (empty when none)."""
    sheet = xlsx_workbook(content)["Summary"]
    found, inside = {}, False
    for label, value, *_ in sheet.iter_rows(min_row=2, values_only=True):
        if label == "Evaluations":
            inside = True
        elif inside and label is None:
            break
        elif inside:
            found[label] = value
    return found


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_figures(content: bytes) -> dict[str, str]:
    """{figure key: the number printed above its label}, from the figures grid."""
    lines = [line.strip() for line in pdf_text(content).splitlines()]
    labels = [f.label for f in FIGURES]
    found = {}
    # The grid is printed row by row: four numbers, then their four labels.
    for start in range(len(lines) - 8):
        if lines[start + 4 : start + 8] == labels[:4]:
            found.update(zip([f.key for f in FIGURES[:4]], lines[start : start + 4], strict=True))
        if lines[start + 4 : start + 8] == labels[4:]:
            found.update(zip([f.key for f in FIGURES[4:]], lines[start : start + 4], strict=True))
    return found


__all__ = ["csv_figures", "csv_sections", "display_number", "pdf_figures", "pdf_text"]

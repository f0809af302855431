"""Download responses shared by every app: CSV that a spreadsheet opens with the right letters.

Excel reads a CSV file in the computer's legacy code page unless it starts with a UTF-8
byte-order mark, so "José Muñoz" shows as "JosÃ© MuÃ±oz". Every CSV we send is UTF-8, says
so in its Content-Type, and starts with the mark (Python reads it back with "utf-8-sig").
Every cell goes through `safe_cell`, so a spreadsheet shows it and never runs it as a formula."""

import csv
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _with_bom(lines: Iterable[str]) -> Iterator[str]:
    yield BOM
    yield from lines


def csv_response(body: str | Iterable[str], filename: str) -> HttpResponse:
    """An attachment named `filename`: `body` as one string, or lines to stream as read."""
    if isinstance(body, str):
        response = HttpResponse(BOM + body, content_type=CSV_CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(_with_bom(body), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def safe_cell(value: object) -> str:
    """`value` as CSV text that a spreadsheet shows rather than runs: a leading apostrophe
    goes before text that starts like a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Each row as one CSV line, every cell made safe."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])

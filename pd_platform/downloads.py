"""Download responses shared by every app: CSV that a spreadsheet opens with the right letters.

Excel reads a CSV file in the computer's legacy code page unless it starts with a UTF-8
byte-order mark, so "José Muñoz" shows as "JosÃ© MuÃ±oz". Every CSV we send is UTF-8, says
so in its Content-Type, and starts with the mark (Python reads it back with "utf-8-sig")."""

from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"


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

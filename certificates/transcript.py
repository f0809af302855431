"""A transcript of PD hours as CSV or PDF: pure functions of a selectors.Transcript."""

import csv
import datetime as dt
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus.tables import LongTable

from registrations.exports import safe_cell

from .pdf import font_for
from .selectors import Transcript, long_date

CSV_HEADER = [
    "fiscal year",
    "course",
    "provider",
    "first date",
    "last date",
    "hours",
    "certificate number",
]


def transcript_csv(transcript: Transcript) -> str:
    """One row per certificate, a "total" row after each fiscal year and a grand total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for year in transcript.years:
        for row in year.rows:
            writer.writerow(
                [
                    year.label,
                    safe_cell(row.course_title),
                    safe_cell(row.provider_name),
                    row.first_date.isoformat(),
                    row.last_date.isoformat(),
                    f"{row.hours:.2f}",
                    safe_cell(row.number),
                ]
            )
        writer.writerow([year.label, f"Total {year.label}", "", "", "", f"{year.hours:.2f}", ""])
    writer.writerow(["All years", "Grand total", "", "", "", f"{transcript.hours:.2f}", ""])
    return out.getvalue()


def transcript_pdf(transcript: Transcript, *, as_of: dt.date, scope: str = "") -> bytes:
    """A portrait letter PDF: a table per fiscal year with its total, then the grand total.
    `scope` says whose sessions are listed when it is not every provider's."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        invariant=1,
        title=f"Transcript of PD hours: {transcript.person_name}",
        author="RESC Alliance Professional Development",
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.75 * inch,
        bottomMargin=0.75 * inch,
    )
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=9, leading=11)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    story = [
        Paragraph("Transcript of PD hours", styles["Title"]),
        _text(transcript.person_name, styles["Heading2"]),
        Paragraph(
            f"Valid certificates of completion from RESC Alliance sessions as of "
            f"{long_date(as_of)}. Fiscal years run July 1 to June 30; a session counts in "
            "the fiscal year of its first meeting.",
            styles["BodyText"],
        ),
    ]
    if scope:
        story.append(_text(scope, styles["BodyText"]))
    if not transcript.years:
        story.append(Paragraph("No certificates yet.", styles["BodyText"]))
    widths = [2.4 * inch, 0.8 * inch, 1.7 * inch, 0.55 * inch, 1.55 * inch]
    for year in transcript.years:
        first, last = year.bounds
        story += [
            Spacer(1, 10),
            Paragraph(
                f"{year.label} ({first:%B} {first.day}, {first.year} to {last:%B} {last.day}, {last.year})",
                styles["Heading3"],
            ),
        ]
        data = [
            [Paragraph(h, head) for h in ("Course", "Provider", "Dates", "Hours", "Certificate")]
        ]
        for row in year.rows:
            data.append(
                [
                    _text(row.course_title, cell),
                    _text(row.provider_short_name, cell),
                    _text(row.dates_text, cell),
                    f"{row.hours:.2f}",
                    _text(row.number, cell),
                ]
            )
        data.append([Paragraph(f"Total {year.label}", head), "", "", f"{year.hours:.2f}", ""])
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(_TABLE_STYLE)
        story.append(table)
    story += [
        Spacer(1, 14),
        Paragraph(
            f"Grand total: {transcript.hours:.2f} PD hours from {transcript.count} "
            f"certificate{'' if transcript.count == 1 else 's'}.",
            styles["Heading3"],
        ),
    ]
    document.build(story)
    return buffer.getvalue()


_TABLE_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9),
        ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
        ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f5f8")]),
    ]
)


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (names, titles), in a font that has its letters."""
    font, text = font_for(text, bold="Bold" in style.fontName)
    if font != style.fontName:
        style = ParagraphStyle(f"{style.name}-{font}", parent=style, fontName=font)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, style)

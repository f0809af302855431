"""A transcript of PD hours as CSV or PDF: pure functions of a selectors.Transcript (and, for
the PDF, of the IssuedTranscript that its QR code verifies)."""

import csv
import io
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tables import LongTable

from courses.dates import local_date
from pd_platform.downloads import safe_cell

from .models import IssuedTranscript
from .pdf import BRAND, INK, MUTED, draw_qr, font_for
from .selectors import CT_ANNUAL_PD_HOURS, ISSUER, Transcript, long_date

CSV_HEADER = [
    "fiscal year",
    "course",
    "provider",
    "first date",
    "last date",
    "hours",
    "certificate number",
    "verify url",
    f"of {CT_ANNUAL_PD_HOURS:.0f} hours a year",
]


def transcript_csv(transcript: Transcript) -> str:
    """The PDF's lines as rows: one per certificate, a "total" row after each fiscal year (with
    the year against Connecticut's 18 hours) and a grand total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for year in transcript.years:
        for row in year.rows:
            writer.writerow(
                [
                    year.label,
                    safe_cell(row.title),
                    safe_cell(row.provider_short_name),
                    row.first_date.isoformat(),
                    row.last_date.isoformat(),
                    f"{row.hours:.2f}",
                    safe_cell(row.number),
                    row.verify_url,
                    "",
                ]
            )
        total = [year.label, f"Total {year.label}", "", "", "", f"{year.hours:.2f}", "", ""]
        writer.writerow([*total, year.target_text])
    writer.writerow(["All years", "Grand total", "", "", "", f"{transcript.hours:.2f}", "", "", ""])
    return out.getvalue()


# PDF --------------------------------------------------------------------------------------

PAGE = landscape(letter)
MARGIN = 0.6 * inch
FRAME_WIDTH = PAGE[0] - 2 * MARGIN - 12  # SimpleDocTemplate's frame pads 6 points a side
QR_SIZE = 92  # points: scans from a printout
PAD = 5  # cell padding, left and right
FONT_SIZE = 8.5

_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=9.5, leading=12, textColor=INK)
_TITLE = ParagraphStyle(
    "title", parent=_BASE, fontName="Helvetica-Bold", fontSize=18, leading=22, textColor=BRAND
)
_HEADING = ParagraphStyle(
    "heading", parent=_BASE, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=10
)
_MUTED = ParagraphStyle("muted", parent=_BASE, fontSize=8.5, leading=11, textColor=MUTED)
_LABEL = ParagraphStyle("label", parent=_MUTED, fontSize=9, leading=12)
_VALUE = ParagraphStyle("value", parent=_BASE, fontName="Helvetica-Bold")
_CELL = ParagraphStyle("cell", parent=_BASE, fontSize=FONT_SIZE, leading=10.5)
_CELL_BOLD = ParagraphStyle("cell-bold", parent=_CELL, fontName="Helvetica-Bold")
_CELL_RIGHT = ParagraphStyle("cell-right", parent=_CELL, alignment=2)
_CELL_RIGHT_BOLD = ParagraphStyle("cell-right-bold", parent=_CELL_BOLD, alignment=2)

HEADERS = ("Dates", "Course or session", "Provider", "Hours", "Certificate number", "Verify code")


def transcript_pdf(transcript: Transcript, *, issued: IssuedTranscript) -> bytes:
    """A landscape letter PDF: who the person is, a table per fiscal year with its total
    against Connecticut's 18 hours, the grand total, and a QR code of the transcript's own
    verify page. `issued.scope` says whose sessions are listed when not every provider's."""
    verify_url = settings.SITE_URL + issued.get_verify_path()
    issued_on = local_date(issued.issued_at)
    footer = (
        f"Transcript {issued.display_code}, issued {long_date(issued_on)} by {ISSUER}. "
        f"Verify at {verify_url}"
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        invariant=1,
        title=f"Transcript of PD hours: {transcript.person_name}",
        author=ISSUER,
        subject=f"{transcript.hours:.2f} PD hours, issued {issued_on.isoformat()}",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.55 * inch,
        bottomMargin=0.7 * inch,
    )
    story = [_header(transcript, issued, verify_url)]
    story.append(
        Paragraph(
            "Valid certificates of completion from sessions of the RESC Alliance providers. "
            "Fiscal years run July 1 to June 30; a session counts in the fiscal year of its "
            f"first meeting. Each year is shown against Connecticut's {CT_ANNUAL_PD_HOURS:.0f} "
            "hours of professional learning a year. Each certificate can be checked at "
            f"{escape(settings.SITE_URL)}/certificates/verify/ with its verify code (the code "
            "is a link).",
            _MUTED,
        )
    )
    if issued.scope:
        story.append(_text(issued.scope, _BASE))
    if not transcript.years:
        story += [Spacer(1, 10), Paragraph("No certificates yet.", _BASE)]
    widths = _column_widths(transcript)
    for year in transcript.years:
        story.append(
            Paragraph(
                f"{year.label} ({year.bounds_text}): {year.target_text}",
                _HEADING,
            )
        )
        story.append(_year_table(year, widths))
    if transcript.years:
        story.append(
            Paragraph(
                f"All years: {transcript.hours:.2f} PD hours from {transcript.count} "
                f"certificate{'' if transcript.count == 1 else 's'}.",
                _HEADING,
            )
        )

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 0.4 * inch, footer)
        canvas.drawRightString(PAGE[0] - MARGIN, 0.4 * inch, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _header(transcript: Transcript, issued: IssuedTranscript, verify_url: str) -> Table:
    """Title, the person and the issue on the left; the QR code of the verify page right."""
    facts = [
        ("Name", transcript.person_name),
        ("District", transcript.district_name),
        ("School", transcript.school_name),
        ("Position", transcript.position),
        ("CT certification number", transcript.certification_number),
        ("Issued", f"{long_date(local_date(issued.issued_at))} by {ISSUER}"),
    ]
    rows = [[_text(label, _LABEL), _text(value, _VALUE)] for label, value in facts if value]
    info_width = FRAME_WIDTH - QR_SIZE - 150
    info = Table(rows, colWidths=[1.55 * inch, info_width - 1.55 * inch])
    info.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    left = [Paragraph("Transcript of Professional Development Hours", _TITLE), Spacer(1, 6), info]
    right = [
        QrCode(verify_url, QR_SIZE),
        Paragraph("Scan to verify this transcript", _MUTED),
        Paragraph(
            f'<a href="{escape(verify_url)}" color="#0b4f8a">{issued.display_code}</a>', _MUTED
        ),
    ]
    header = Table([[left, right]], colWidths=[FRAME_WIDTH - QR_SIZE - 40, QR_SIZE + 40])
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, BRAND),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return header


def _column_widths(transcript: Transcript) -> list[float]:
    """Widths that fit the longest certificate number, provider and code on one line each
    (a Paragraph splits a word only when it is wider than its column); the course takes the
    rest and wraps between words."""

    def fit(values, minimum: float = 0) -> float:
        widest = max(
            (stringWidth(*reversed(font_for(v, bold=True)), FONT_SIZE) for v in values),
            default=0,
        )
        return max(widest, minimum) + 2 * PAD + 2

    rows = transcript.rows
    dates = fit(["Nov 30, 2025 to", HEADERS[0]])
    hours = fit(["Hours", "000.00"])
    provider = fit([r.provider_short_name for r in rows] + ["Provider"])
    number = fit([r.number for r in rows] + ["Certificate"])
    code = fit([r.display_code for r in rows] + ["Verify code"])
    course = FRAME_WIDTH - dates - hours - provider - number - code
    return [dates, course, provider, hours, number, code]


def _year_table(year, widths: list[float]) -> LongTable:
    data = [[Paragraph(h, _CELL_RIGHT_BOLD if h == "Hours" else _CELL_BOLD) for h in HEADERS]]
    for row in year.rows:
        data.append(
            [
                _text(row.short_dates_text, _CELL),
                _text(row.title, _CELL),
                _text(row.provider_short_name, _CELL),
                Paragraph(f"{row.hours:.2f}", _CELL_RIGHT),
                _text(row.number, _CELL),
                Paragraph(
                    f'<a href="{escape(row.verify_url)}" color="#0b4f8a">{row.display_code}</a>',
                    _CELL,
                ),
            ]
        )
    data.append(
        [
            Paragraph(f"Total {year.label}: {year.target_text}", _CELL_BOLD),
            "",
            "",
            Paragraph(f"{year.hours:.2f}", _CELL_RIGHT_BOLD),
            "",
            "",
        ]
    )
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, INK),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, INK),
                ("SPAN", (0, -1), (2, -1)),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f5f8")]),
            ]
        )
    )
    return table


class QrCode(Flowable):
    """A QR code of `value`, `size` points square (certificates.pdf.draw_qr)."""

    def __init__(self, value: str, size: float):
        super().__init__()
        self.value, self.size = value, size
        self.hAlign = "RIGHT"

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.value, 0, 0, self.size)


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (names, titles), in a font that has its letters."""
    font, text = font_for(text, bold="Bold" in style.fontName)
    if font != style.fontName:
        style = ParagraphStyle(f"{style.name}-{font}", parent=style, fontName=font)
    return Paragraph(escape(text), style)

"""The certificate of completion as a one-page PDF (landscape US letter), with a QR code of
its verify address. A pure function of the certificate: the same certificate gives the same
bytes every time (reportlab's invariant mode, no timestamps), so a download, a ZIP and a
re-download agree."""

import functools
import io
import itertools
import unicodedata
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .models import Certificate
from .selectors import CertificateFacts, facts_of

PAGE_WIDTH, PAGE_HEIGHT = landscape(letter)
INK = HexColor("#1a1a1a")
MUTED = HexColor("#4a4f55")
BRAND = HexColor("#0b4f8a")
SIGNATORY_TITLE = "Director of Professional Learning"
QR_SIZE = 104  # points, 1.44 in: scans from a printout or a screen
# Any of the eight QR masks is valid and every reader tries all of them. reportlab's encoder
# picks one by scoring all eight in pure Python, which costs 9 ms a code (3/4 of rendering a
# certificate); a fixed mask keeps a session's ZIP of 1,000 certificates under 10 s.
QR_MASK = 0

# Helvetica covers Windows-1252 (most names in Connecticut schools). For text outside it
# (e.g. "Nguyễn", "Łukasz") we embed DejaVu Sans when the system has it (Debian:
# fonts-dejavu-core); else such letters lose their accents rather than print as boxes.
_UNICODE_FONT_FILES = {
    "PD-Sans": "DejaVuSans.ttf",
    "PD-Sans-Bold": "DejaVuSans-Bold.ttf",
}
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def render_certificate(certificate: Certificate) -> bytes:
    """The PDF of `certificate` (best read with certificates_with_details())."""
    return render_facts(facts_of(certificate))


def render_facts(facts: CertificateFacts) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    canvas.setTitle(f"Certificate of completion {facts.number}")
    canvas.setAuthor(facts.provider_name)
    canvas.setSubject(f"{facts.course_title}: {facts.hours:.2f} PD hours")
    canvas.setCreator("RESC Alliance Professional Development")
    _draw_frame(canvas)
    _draw_body(canvas, facts)
    _draw_footer(canvas, facts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# Layout -----------------------------------------------------------------------------------

CENTER = PAGE_WIDTH / 2
TEXT_WIDTH = PAGE_WIDTH - 160


def _draw_frame(canvas: Canvas) -> None:
    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, PAGE_WIDTH - 48, PAGE_HEIGHT - 48)
    canvas.setLineWidth(0.75)
    canvas.rect(32, 32, PAGE_WIDTH - 64, PAGE_HEIGHT - 64)


def _draw_body(canvas: Canvas, facts: CertificateFacts) -> None:
    y = PAGE_HEIGHT - 78
    y = _centered(canvas, "RESC Alliance Professional Development", y, 12, color=MUTED)
    y = _centered(canvas, facts.provider_name, y - 4, 14, bold=True, color=BRAND)
    y = _centered(canvas, "Certificate of Completion", y - 20, 34, bold=True, color=BRAND)
    y = _centered(canvas, "This certifies that", y - 14, 13, color=MUTED)
    y = _centered(canvas, facts.person_name, y - 10, 28, bold=True, min_size=16)
    if facts.district_name:
        y = _centered(canvas, facts.district_name, y, 13, color=MUTED)
    y = _centered(canvas, "has completed", y - 10, 13, color=MUTED)
    y = _wrapped(canvas, facts.course_title, y - 6, 20, bold=True, max_lines=2)
    y = _centered(canvas, f"offered by {facts.provider_name}", y, 13)
    y = _centered(canvas, facts.dates_text, y, 13)
    if facts.trainer_names:
        label = "Trainer" if len(facts.trainer_names) == 1 else "Trainers"
        y = _centered(canvas, f"{label}: {', '.join(facts.trainer_names)}", y, 12, color=MUTED)
    _centered(canvas, f"PD hours: {facts.hours:.2f}", y - 8, 16, bold=True)


def _draw_footer(canvas: Canvas, facts: CertificateFacts) -> None:
    # Signatory, bottom left.
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.75)
    canvas.line(64, 104, 320, 104)
    _left(canvas, f"{SIGNATORY_TITLE}, {facts.provider_short_name}", 64, 90, 10)
    _left(canvas, facts.provider_name, 64, 77, 9, color=MUTED, max_width=256)
    # Number and code, bottom middle; QR code, bottom right.
    x = 360
    _left(canvas, f"Certificate number: {facts.number}", x, 104, 10)
    _left(canvas, f"Verification code: {facts.display_code}", x, 90, 10)
    _left(
        canvas,
        f"Issued {facts.issued_on:%B} {facts.issued_on.day}, {facts.issued_on.year}",
        x,
        76,
        9,
        color=MUTED,
    )
    _left(canvas, "Check it at", x, 62, 8, color=MUTED)
    _left(
        canvas, facts.verify_url, x, 52, 8, color=MUTED, max_width=PAGE_WIDTH - 64 - QR_SIZE - x - 8
    )
    draw_qr(canvas, facts.verify_url, PAGE_WIDTH - 48 - QR_SIZE, 44, QR_SIZE)


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """The QR code of `value` with its four-module quiet zone, as one filled path."""
    widget = QrCodeWidget(value, barLevel="M", barWidth=size, barHeight=size)
    code = widget.qr
    code.version = code.calculate_version()
    code.makeImpl(False, QR_MASK)
    border = widget.barBorder
    box = size / (code.getModuleCount() + 2 * border)
    canvas.saveState()
    # One unit = one module, y downwards: whole-number coordinates keep the path short.
    canvas.transform(box, 0, 0, -box, x + border * box, y + size - border * box)
    path = canvas.beginPath()
    for row_number, row in enumerate(code.modules):
        column = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(column, row_number, length, 1)
            column += length
    canvas.setFillColor(INK)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


# Text -------------------------------------------------------------------------------------


@functools.cache
def _unicode_fonts_registered() -> bool:
    for directory in _FONT_DIRS:
        paths = {name: directory / file for name, file in _UNICODE_FONT_FILES.items()}
        if all(path.is_file() for path in paths.values()):
            for name, path in paths.items():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            return True
    return False


def font_for(text: str, *, bold: bool) -> tuple[str, str]:
    """(font name, text to draw): Helvetica when the text fits its encoding, else DejaVu."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        if _unicode_fonts_registered():
            return ("PD-Sans-Bold" if bold else "PD-Sans"), text
        stripped = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
        text = stripped.encode("cp1252", errors="replace").decode("cp1252")
    return ("Helvetica-Bold" if bold else "Helvetica"), text


def _fitted_size(text: str, font: str, size: float, min_size: float, width: float) -> float:
    while size > min_size and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _centered(
    canvas: Canvas,
    text: str,
    y: float,
    size: float,
    *,
    bold: bool = False,
    color=INK,
    min_size: float = 9,
) -> float:
    """Draw one centered line whose top is at `y`, shrunk to fit; returns the next top."""
    font, text = font_for(text, bold=bold)
    size = _fitted_size(text, font, size, min_size, TEXT_WIDTH)
    baseline = y - size
    canvas.setFillColor(color)
    canvas.setFont(font, size)
    canvas.drawCentredString(CENTER, baseline, text)
    return baseline - size * 0.45


def _wrapped(
    canvas: Canvas, text: str, y: float, size: float, *, bold: bool, max_lines: int
) -> float:
    """Centered lines of at most `max_lines`, shrinking the size until the text fits."""
    font, text = font_for(text, bold=bold)
    lines = simpleSplit(text, font, size, TEXT_WIDTH)
    while len(lines) > max_lines and size > 11:
        size -= 1
        lines = simpleSplit(text, font, size, TEXT_WIDTH)
    canvas.setFillColor(INK)
    canvas.setFont(font, size)
    for line in lines[:max_lines]:
        y -= size * 1.2
        canvas.drawCentredString(CENTER, y, line)
    return y - size * 0.6


def _left(
    canvas: Canvas,
    text: str,
    x: float,
    baseline: float,
    size: float,
    *,
    color=INK,
    max_width: float | None = None,
) -> None:
    font, text = font_for(text, bold=False)
    if max_width is not None:
        size = _fitted_size(text, font, size, 6, max_width)
    canvas.setFillColor(color)
    canvas.setFont(font, size)
    canvas.drawString(x, baseline, text)

"""QR codes as inline SVG, drawn with reportlab (already a dependency for certificates)."""

import re

from django.utils.html import escape
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing


def qr_drawing(data: str, *, size: int = 240) -> Drawing:
    """A `size` x `size` point drawing of the QR code for `data`, quiet zone included."""
    widget = QrCodeWidget(data, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def qr_svg(data: str, *, label: str, size: int = 240) -> str:
    """Inline `<svg>` markup (no XML prolog) of the QR code for `data`, announced to screen
    readers as an image named `label`. Safe to mark safe: reportlab writes only numbers and
    fixed names, and `label` is escaped."""
    svg = renderSVG.drawToString(qr_drawing(data, size=size))
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<desc>.*?</desc>\s*", "", svg, count=1, flags=re.S)
    svg = re.sub(r"<title>.*?</title>", f"<title>{escape(label)}</title>", svg, count=1, flags=re.S)
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(label)}" class="qr" focusable="false" ', 1
    ).strip()

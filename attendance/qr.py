"""QR codes as inline SVG for pages, drawn with segno.

The markup carries presentation attributes only (`stroke`, `d`, `transform`): our CSP
(`style-src 'self'`) blocks `style="…"` attributes, which made reportlab's renderSVG output
render as a black square. Certificates (PDF) keep reportlab's own QR widget (certificates.pdf).
"""

import io

import segno
from django.utils.html import escape

SCALE = 8  # pixels per module; the page scales the SVG down to fit (viewBox)


def qr_svg(data: str, *, label: str) -> str:
    """Inline `<svg>` markup (no XML prolog) of the QR code for `data`, with its four-module
    quiet zone, announced to screen readers as an image named `label`. Safe to mark safe:
    segno writes only numbers and fixed names, and escapes the title; `label` is escaped."""
    code = segno.make(data, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(
        buffer, kind="svg", scale=SCALE, xmldecl=False, svgclass=None, lineclass=None, title=label
    )
    svg = buffer.getvalue().decode()
    size = code.symbol_size(scale=SCALE)[0]
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label)}" class="qr" focusable="false" '
        f'viewBox="0 0 {size} {size}" ',
        1,
    ).strip()

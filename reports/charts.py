"""Server-rendered SVG bar charts: pure functions of their rows, no JavaScript.

Each chart is an image with an accessible name (its <title>, via aria-labelledby) and sits
beside the table of the same rows, which is its text alternative. Labels are escaped; long
ones are shortened in the picture only (the table has them whole).
"""

import hashlib
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

Number = int | float | Decimal

WIDTH = 360  # viewBox units; the chart scales to its box, labels stay readable at 360 px
ROW = 42  # one row: a label line, then the bar with its value
BAR = 14
VALUE_ROOM = 72  # room right of the longest bar for its value
LABEL_CHARS = 48
# Presentation attributes, so the markup also draws right outside the site's stylesheet (the
# CSS may override them). The bars reach 3:1 and the text 4.5:1 against white.
BAR_COLOR = "#0b4f8a"
TEXT = 'font-size="14" fill="#1a1a1a"'


def format_number(value: Number) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{Decimal(value):,.2f}"


def _shorten(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def chart_id_for(title: str) -> str:
    """A stable id from the title, unique enough for the charts of one page."""
    digest = hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:6]
    return f"chart-{slugify(title)[:40]}-{digest}"


def bar_chart(
    rows: list[tuple[str, Number]],
    title: str,
    *,
    description: str = "",
    chart_id: str = "",
) -> SafeString:
    """A horizontal bar chart of (label, value) rows, in their order, as safe SVG markup."""
    chart_id = chart_id or chart_id_for(title)
    description = description or "The table beside the chart lists the same figures."
    largest = max((value for _, value in rows), default=0) or 1
    span = WIDTH - VALUE_ROOM
    height = max(len(rows), 1) * ROW + 8
    parts = [
        f'<svg class="bar-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'id="{chart_id}" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if not rows:
        parts.append(f'<text class="chart-label" x="0" y="24" {TEXT}>Nothing to show.</text>')
    for index, (label, value) in enumerate(rows):
        top = index * ROW + 4
        length = round(span * float(value) / float(largest), 1) if value > 0 else 0
        parts += [
            f'<text class="chart-label" x="0" y="{top + 14}" {TEXT}>'
            f"{escape(_shorten(str(label)))}</text>",
            f'<rect class="chart-bar" x="0" y="{top + 20}" width="{length}" height="{BAR}" '
            f'fill="{BAR_COLOR}"/>',
            f'<text class="chart-value" x="{length + 6}" y="{top + 32}" {TEXT}>'
            f"{escape(format_number(value))}</text>",
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above

"""A question's distribution as server-rendered SVG: one bar per option or scale value, no
JavaScript and no inline style (CSP). Each chart is an image named by its <title> and described
by its <desc>; the table beside it lists the same counts (its text alternative)."""

import hashlib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 380
ROW = 26
BAR = 16
LABEL_ROOM = 160
VALUE_ROOM = 76
LABEL_CHARS = 21
BAR_COLOR = "#0b4f8a"
TEXT = 'font-size="13" fill="#1a1a1a"'

SCALE_LABELS = {
    "1": "1 Strongly disagree",
    "2": "2 Disagree",
    "3": "3 Neutral",
    "4": "4 Agree",
    "5": "5 Strongly agree",
}
# Before/now questions ask for a level (of confidence, say), not agreement.
LEVEL_LABELS = {
    "1": "1 Very low",
    "2": "2 Low",
    "3": "3 Moderate",
    "4": "4 High",
    "5": "5 Very high",
}


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def distribution_svg(rows: list[tuple[str, int]], title: str, *, answered: int) -> SafeString:
    """Bars of (label, count) rows in their order, each with its count and percent of
    `answered`, as safe SVG markup."""
    chart_id = (
        "dist-" + hashlib.sha1(f"{title}|{rows}".encode(), usedforsecurity=False).hexdigest()[:10]
    )
    largest = max((count for _, count in rows), default=0) or 1
    span = WIDTH - LABEL_ROOM - VALUE_ROOM
    height = max(len(rows), 1) * ROW + 4
    description = "; ".join(f"{label}: {count}" for label, count in rows) or "No answers."
    parts = [
        f'<svg class="bar-chart distribution-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title" '
        f'aria-describedby="{chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, count) in enumerate(rows):
        top = index * ROW + 2
        length = round(span * count / largest, 1) if count > 0 else 0
        percent = f"{round(100 * count / answered)}%" if answered else "0%"
        parts += [
            f'<text x="0" y="{top + 15}" {TEXT}>{escape(_short(label))}</text>',
            f'<rect class="chart-bar" x="{LABEL_ROOM}" y="{top + 3}" width="{length}" height="{BAR}" '
            f'fill="{BAR_COLOR}"/>',
            f'<text x="{LABEL_ROOM + length + 4}" y="{top + 15}" {TEXT}>{count} ({percent})</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above

"""The report page's tables: columns, sorting by query parameters, and cell formatting.

Sorting works without JavaScript: each sortable column header is a link to the same page with
`sort=<table>.<column>&dir=asc|desc` and the filters kept. Only the columns listed here can be
sorted; an unknown `sort` or `dir` falls back to the table's default order.
"""

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format

from courses.models import Session

from .charts import format_number

ASC, DESC = "asc", "desc"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    attr: str = ""  # dotted attribute of a row; the key when blank
    # Shown instead of the value (e.g. "n/a"), when the value is None.
    none_text: str = ""
    # Labels of stored values (choices); rows sort by the stored value.
    choices: tuple[tuple[str, str], ...] = ()

    def value(self, row: Any) -> Any:
        return operator.attrgetter(self.attr or self.key)(row)


@dataclass(frozen=True)
class TableSpec:
    key: str
    caption: str
    columns: tuple[Column, ...]
    default_sort: str
    default_dir: str = ASC

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True)
class Header:
    label: str
    numeric: bool
    url: str
    aria_sort: str  # "", "ascending" or "descending"
    next_dir: str


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    headers: list[Header]
    rows: list[list[Cell]]
    objects: list[Any] = field(default_factory=list)  # the rows shown, sorted, for charts
    total: int = 0  # rows before `limit`: more than shown when the table was cut

    @property
    def is_cut(self) -> bool:
        return self.total > len(self.rows)

    @property
    def dom_id(self) -> str:
        return f"table-{self.key}"


def requested_sort(params: Mapping[str, str]) -> tuple[str, str, str]:
    """(table, column, direction) asked for in `params`; blanks when none or malformed."""
    table, _, column = str(params.get("sort") or "").partition(".")
    direction = params.get("dir") if params.get("dir") in (ASC, DESC) else ""
    return table, column, direction


def build_table(
    spec: TableSpec,
    rows: Iterable[Any],
    *,
    sort: tuple[str, str, str],
    query: str,
    limit: int | None = None,
) -> Table:
    """`rows` sorted as asked (when the column is sortable in `spec`) or by default, with
    header links that keep `query` (the filters, URL-encoded); the first `limit` rows only
    when given (sorting still orders all of them first)."""
    table, column_key, direction = sort
    column = spec.column(column_key) if table == spec.key else None
    if column is None:
        column, direction = spec.column(spec.default_sort), spec.default_dir
    direction = direction or (DESC if column.numeric else ASC)
    rows = sorted(rows, key=_sort_key(column), reverse=direction == DESC)
    total = len(rows)
    if limit is not None:
        rows = rows[:limit]
    headers = []
    for col in spec.columns:
        current = col is column
        next_dir = (ASC if direction == DESC else DESC) if current else _first_dir(col)
        params = f"sort={spec.key}.{col.key}&dir={next_dir}"
        headers.append(
            Header(
                label=col.label,
                numeric=col.numeric,
                url=f"?{query}&{params}#table-{spec.key}"
                if query
                else f"?{params}#table-{spec.key}",
                aria_sort=("ascending" if direction == ASC else "descending") if current else "",
                next_dir=next_dir,
            )
        )
    cells = [
        [Cell(_text(col, col.value(row)), col.numeric) for col in spec.columns] for row in rows
    ]
    return Table(spec.key, spec.caption, headers, cells, rows, total)


def _first_dir(column: Column) -> str:
    """Numbers first sort largest first; text A to Z."""
    return DESC if column.numeric else ASC


def _sort_key(column: Column) -> Callable[[Any], tuple]:
    def key(row: Any) -> tuple:
        value = column.value(row)
        if value is None:
            return (0, 0)
        if isinstance(value, str):
            return (1, value.casefold())
        return (1, value)

    return key


def _text(column: Column, value: Any) -> str:
    if column.choices:
        return dict(column.choices).get(value, str(value))
    return format_cell(value, column.none_text)


def format_cell(value: Any, none_text: str = "") -> str:
    if value is None:
        return none_text
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | Decimal | float):
        return format_number(value)
    if isinstance(value, dt.date):
        return date_format(value, "D, M j, Y")
    return str(value)


# The report's tables ------------------------------------------------------------------------

BY_DISTRICT = TableSpec(
    "district",
    "Completions by district",
    (
        Column("name", "District"),
        Column("completions", "Completions", True),
        Column("staff_trained", "Staff trained", True),
        Column("pd_hours", "PD hours", True),
        Column("youth_reached", "Youth reached", True),
        Column("adults_uncounted", "Adults without accounts", True),
        Column("free", "Paid nothing"),
    ),
    default_sort="name",
)
BY_POSITION = TableSpec(
    "position",
    "Completions by position",
    (
        Column("label", "Position"),
        Column("completions", "Completions", True),
        Column("staff_trained", "Staff trained", True),
        Column("pd_hours", "PD hours", True),
    ),
    default_sort="label",
)
BY_SESSION = TableSpec(
    "session",
    "Completions by session",
    (
        Column("title", "Session"),
        Column("completions", "Completions", True),
        Column("provider", "Provider"),
        Column("first_date", "First meeting"),
        Column("delivery", "Delivery", choices=tuple(Session.Delivery.choices)),
        Column("is_free", "Free"),
        Column("delivered", "Delivered"),
        Column("staff_trained", "Staff trained", True),
        Column("pd_hours", "PD hours", True),
        Column("youth_reached", "Youth reached", True),
        Column("adults_uncounted", "Adults without accounts", True),
    ),
    default_sort="first_date",
)
BY_DELIVERY = TableSpec(
    "delivery",
    "Completions by delivery",
    (
        Column("label", "Delivery"),
        Column("completions", "Completions", True),
        Column("sessions_delivered", "Sessions delivered", True),
        Column("staff_trained", "Staff trained", True),
        Column("pd_hours", "PD hours", True),
        Column("youth_reached", "Youth reached", True),
    ),
    default_sort="label",
)
MULTIPLIER = TableSpec(
    "multiplier",
    "Train-the-trainer multiplier by program",
    (
        Column("program", "Program"),
        Column("trainers_certified", "Trainers certified", True),
        Column("turnkey_sessions", "Turnkey sessions they led", True),
        Column("staff_trained", "Staff trained through them", True),
        Column("youth_reached", "Youth reached through them", True),
    ),
    default_sort="program",
)
BY_PROVIDER = TableSpec(
    "provider",
    "Figures by provider",
    (
        Column("name", "Provider"),
        Column("sessions_delivered", "Sessions delivered", True, attr="figures.sessions_delivered"),
        Column("staff_trained", "Staff trained", True, attr="figures.staff_trained"),
        Column("completions", "Completions", True, attr="figures.completions"),
        Column("districts_reached", "Districts reached", True, attr="figures.districts_reached"),
        Column("youth_reached", "Youth reached", True, attr="figures.youth_reached"),
        Column(
            "adults_uncounted", "Adults without accounts", True, attr="figures.adults_uncounted"
        ),
        Column("pd_hours", "PD hours", True, attr="figures.pd_hours"),
        Column("free_districts", "Free districts", True, attr="figures.free_districts"),
    ),
    default_sort="name",
)
STAFF_HOURS = TableSpec(
    "hours",
    "Your staff's PD hours against the 18 hours expected",
    (
        Column("name", "Name"),
        Column("school", "School"),
        Column("position_label", "Position"),
        Column("pd_hours", "PD hours", True),
        Column("meets_expectation", "Meets 18 h", none_text="n/a"),
    ),
    default_sort="pd_hours",
    default_dir=ASC,
)

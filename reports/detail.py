"""The reach report's detail export: one row per completed registration in scope.

Built on the very `completed` common table expression the figures use
(reports.selectors.reach_cte), so its rows add up to `completions` and its hours to `pd_hours`.
The rows are read in chunks through a server-side cursor on PostgreSQL, so a year of the
whole Alliance streams in constant memory, with one query.
"""

from collections.abc import Iterator

from django.db import connection

from accounts.models import User
from courses.dates import local_date
from organizations.models import Position

from .selectors import ReachScope, T, aware_datetime, hours, reach_cte

CHUNK = 2000

HEADER = [
    "name",
    "email",
    "district",
    "position",
    "provider",
    "session id",
    "session",
    "first meeting",
    "hours",
]


def _sql(scope: ReachScope) -> tuple[str, list]:
    cte, params = reach_cte(scope)
    # Table names come from model metadata; every value is a parameter.
    sql = (
        cte
        + f"""
SELECT u.first_name, u.last_name, u.email, d.name, x.position, p.short_name,
       s.id, co.title, s.title, ss.first_start, x.minutes
FROM completed x
JOIN {User._meta.db_table} u ON u.id = x.person_id
LEFT JOIN {T["district"]} d ON d.id = x.district_id
JOIN scope_sessions ss ON ss.id = x.session_id
JOIN {T["session"]} s ON s.id = x.session_id
JOIN {T["course"]} co ON co.id = s.course_id
JOIN {T["provider"]} p ON p.id = co.provider_id
ORDER BY ss.first_start, s.id, u.last_name, u.first_name, u.email, x.id
"""  # noqa: S608
    )
    return sql, params


def detail_rows(scope: ReachScope) -> Iterator[list[object]]:
    """The header, then a row per completed registration, earliest session first."""
    sql, params = _sql(scope)
    labels = dict(Position.choices)
    yield HEADER
    # Server-side (named) cursor on PostgreSQL unless the deployment turned them off for a
    # transaction-pooling proxy; SQLite steps through the result as it goes either way.
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        cursor = connection.cursor()
    else:
        cursor = connection.chunked_cursor()
    with cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            for row in chunk:
                first, last, email, district, position, provider, pk, course, title = row[:9]
                start, minutes = row[9:]
                name = f"{first} {last}".strip() or email
                yield [
                    name,
                    email,
                    district or "",
                    labels.get(position, "Not given"),
                    provider,
                    pk,
                    f"{course} — {title}" if title else course,
                    local_date(aware_datetime(start)).isoformat(),
                    f"{hours(minutes):.2f}",
                ]

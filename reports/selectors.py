"""Reach figures for grant funders, exactly as DESIGN.md ("Reach report") defines them.

A fixed number of statements whatever the data size: named blocks select the sessions in
scope, keep the completed registrations (Registration.completed, stored by attendance.completion
with the credited minutes: the completion rule of DESIGN.md is computed there only), group them
per person, and every figure and breakdown is an aggregate over those. Python only turns minutes
into hours. The same SQL runs on SQLite and PostgreSQL (plain CASE, no LEAST; local-date bounds
are computed in Python and passed as UTC instants).

Definitions, in short: a session is in scope when its first meeting's local date is in the
period and it is not cancelled. Districts come from the registration's snapshot.
"""

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from attendance.models import Attendance, Headcount
from courses.dates import fiscal_year_bounds, local_day_range
from courses.models import CertifiedTrainer, Course, Meeting, Program, Session
from evaluations.selectors import Summary as EvaluationSummary
from evaluations.selectors import results_sessions, summary
from organizations.models import District, Position, Provider
from registrations.models import Registration


@dataclass(frozen=True)
class ReachScope:
    start: dt.date
    end: dt.date
    provider_ids: tuple[int, ...] | None = None  # None: every provider (Alliance-wide)
    program_id: int | None = None
    course_id: int | None = None
    delivery: str = ""  # "", "direct" or "turnkey"
    # District coordinators see only their districts' staff and headcounts naming them.
    district_ids: tuple[int, ...] | None = None

    @property
    def is_alliance_wide(self) -> bool:
        """Every provider, not narrowed to districts: an Alliance admin's whole view, the one
        that also shows each provider's figures."""
        return self.provider_ids is None and self.district_ids is None

    @classmethod
    def fiscal_year(cls, year: int, **kwargs) -> "ReachScope":
        start, end = fiscal_year_bounds(year)
        return cls(start=start, end=end, **kwargs)


@dataclass(frozen=True)
class ReachFigures:
    sessions_delivered: int = 0
    staff_trained: int = 0
    completions: int = 0
    districts_reached: int = 0
    youth_reached: int = 0
    adults_uncounted: int = 0
    pd_hours: Decimal = Decimal("0.00")
    free_districts: int = 0


@dataclass(frozen=True)
class DistrictRow:
    district_id: int
    name: str
    staff_trained: int
    completions: int
    pd_hours: Decimal
    youth_reached: int
    adults_uncounted: int
    free: bool


@dataclass(frozen=True)
class PositionRow:
    position: str
    label: str
    staff_trained: int
    completions: int
    pd_hours: Decimal


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    title: str
    provider: str
    first_date: dt.date
    delivery: str
    is_free: bool
    delivered: bool
    staff_trained: int
    completions: int
    pd_hours: Decimal
    youth_reached: int
    adults_uncounted: int


@dataclass(frozen=True)
class DeliveryRow:
    delivery: str
    label: str
    sessions_delivered: int
    staff_trained: int
    completions: int
    pd_hours: Decimal
    youth_reached: int


@dataclass(frozen=True)
class MultiplierRow:
    """Train-the-trainer chain of one program: trainers certified in the period, the turnkey
    sessions certified trainers led in scope, and who those sessions reached."""

    program_id: int
    program: str
    trainers_certified: int
    turnkey_sessions: int
    staff_trained: int
    youth_reached: int


@dataclass(frozen=True)
class ProviderRow:
    """A provider's own figures within the scope (for Alliance admins' per-provider table)."""

    provider_id: int
    name: str
    figures: ReachFigures


@dataclass(frozen=True)
class ReachReport:
    scope: ReachScope
    figures: ReachFigures
    by_district: list[DistrictRow] = field(default_factory=list)
    by_position: list[PositionRow] = field(default_factory=list)
    by_session: list[SessionRow] = field(default_factory=list)
    by_delivery: list[DeliveryRow] = field(default_factory=list)
    turnkey_multiplier: list[MultiplierRow] = field(default_factory=list)
    by_provider: list[ProviderRow] = field(default_factory=list)
    # The evaluations of the sessions in scope (evaluations.selectors.summary); None for
    # district coordinators, who see no evaluation results (DESIGN.md, Evaluations).
    evaluations: EvaluationSummary | None = None


def hours(minutes: int | None) -> Decimal:
    """Minutes as hours to the cent, rounded half up, as every figure and export shows them."""
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


T = {
    "session": Session._meta.db_table,
    "course": Course._meta.db_table,
    "meeting": Meeting._meta.db_table,
    "registration": Registration._meta.db_table,
    "attendance": Attendance._meta.db_table,
    "headcount": Headcount._meta.db_table,
    "trainers": Session.trainers.through._meta.db_table,
    "certified": CertifiedTrainer._meta.db_table,
    "district": District._meta.db_table,
    "program": Program._meta.db_table,
    "provider": Provider._meta.db_table,
}


def _instants(first: dt.date, last: dt.date) -> list:
    """UTC bounds of local dates first..last as the database compares them (SQLite keeps
    datetimes as UTC text, so raw SQL must pass them the same way)."""
    return [connection.ops.adapt_datetimefield_value(v) for v in local_day_range(first, last)]


def sql_in(column: str, values: tuple[int, ...], params: list) -> str:
    """A `column IN (...)` condition for raw reach SQL, appending `values` to `params`.

    An empty scope matches nothing (`1 = 0`), never everything.
    """
    if not values:
        return "1 = 0"
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _definitions(scope: ReachScope) -> list[tuple[str, str, list]]:
    """The named building blocks of every reach query, in dependency order: (name, SELECT,
    parameters). They run either as one WITH clause (`reach_cte`) or, for a whole report, as
    temporary tables built once (`_materialized`)."""
    session_params: list = [Session.Status.SCHEDULED]
    where = ["s.status = %s"]
    if scope.provider_ids is not None:
        where.append(sql_in("c.provider_id", scope.provider_ids, session_params))
    if scope.program_id is not None:
        where.append("c.program_id = %s")
        session_params.append(scope.program_id)
    if scope.course_id is not None:
        where.append("c.id = %s")
        session_params.append(scope.course_id)
    if scope.delivery:
        where.append("s.delivery = %s")
        session_params.append(scope.delivery)
    session_params.extend(_instants(scope.start, scope.end))
    reg_params: list = []
    head_params: list = []
    district_reg = district_head = "1 = 1"
    attended_join = ""  # registrations joined to attendance only to filter by district
    if scope.district_ids is not None:
        attended_join = f"JOIN {T['registration']} r ON r.id = a.registration_id"
        district_reg = sql_in("r.district_id", scope.district_ids, reg_params)
        district_head = sql_in("h.district_id", scope.district_ids, head_params)
    return [
        (
            "scope_sessions",
            f"""
    SELECT s.id AS id, s.delivery AS delivery, s.is_free AS is_free,
           s.completion_threshold AS threshold, c.provider_id AS provider_id,
           c.program_id AS program_id, fm.first_start AS first_start, fm.total AS total,
           fm.last_end AS last_end
    FROM {T["session"]} s
    JOIN {T["course"]} c ON c.id = s.course_id
    JOIN (SELECT m.session_id AS session_id, MIN(m.starts_at) AS first_start,
                 SUM(m.length_minutes) AS total, MAX(m.ends_at) AS last_end
          FROM {T["meeting"]} m GROUP BY m.session_id) fm ON fm.session_id = s.id
    WHERE {" AND ".join(where)} AND fm.first_start >= %s AND fm.first_start < %s""",
            session_params,
        ),
        (
            # Credited minutes are stored per registration by attendance.services (kept equal
            # to the sum over its attendance), so this reads registrations, not attendance.
            "completed",
            f"""
    SELECT r.id AS id, r.person_id AS person_id, r.district_id AS district_id,
           r.position AS position, r.price AS price, r.session_id AS session_id,
           ss.delivery AS delivery, ss.provider_id AS provider_id,
           r.credited_minutes AS minutes
    FROM {T["registration"]} r
    JOIN scope_sessions ss ON ss.id = r.session_id
    WHERE r.completed AND {district_reg}""",
            # The completion rule (DESIGN.md, Completed) is stored per registration by
            # attendance.completion, the one place it is computed; reports only read it.
            reg_params,
        ),
        (
            # Completed registrations grouped per person and the columns the breakdowns group
            # by: distinct people are counted over these few rows instead of every completion.
            "completed_people",
            """
    SELECT person_id, district_id, position, delivery, COUNT(*) AS done,
           SUM(minutes) AS minutes, MAX(CASE WHEN price > 0 THEN 1 ELSE 0 END) AS paid
    FROM completed GROUP BY person_id, district_id, position, delivery""",
            [],
        ),
        (
            "counted_headcounts",
            f"""
    SELECT h.id AS id, h.audience AS audience, h.district_id AS district_id, h.count AS count,
           m.session_id AS session_id
    FROM {T["headcount"]} h
    JOIN {T["meeting"]} m ON m.id = h.meeting_id
    JOIN scope_sessions ss ON ss.id = m.session_id
    WHERE {district_head}""",
            head_params,
        ),
        (
            "delivered",
            f"""
    SELECT ss.id AS id FROM scope_sessions ss
    WHERE EXISTS (SELECT 1 FROM counted_headcounts ch WHERE ch.session_id = ss.id)
       OR EXISTS (SELECT 1 FROM {T["meeting"]} m
                  JOIN {T["attendance"]} a ON a.meeting_id = m.id
                  {attended_join}
                  WHERE m.session_id = ss.id AND a.status IN ('present', 'partial')
                    AND {district_reg})""",
            list(reg_params),
        ),
        (
            "reached",
            """
    SELECT district_id FROM completed_people WHERE district_id IS NOT NULL
    UNION
    SELECT district_id FROM counted_headcounts WHERE district_id IS NOT NULL""",
            [],
        ),
        (
            "paying",
            """
    SELECT district_id FROM completed_people WHERE district_id IS NOT NULL AND paid = 1
    UNION
    SELECT ch.district_id FROM counted_headcounts ch JOIN scope_sessions ss ON ss.id = ch.session_id
    WHERE ch.district_id IS NOT NULL AND ss.is_free = %s""",
            [False],
        ),
        (
            # Delivered turnkey sessions led by a certified trainer of the session's program.
            "led",
            f"""
    SELECT DISTINCT ss.id AS id, ss.program_id AS program_id FROM scope_sessions ss
    JOIN {T["trainers"]} t ON t.session_id = ss.id
    JOIN {T["certified"]} ct ON ct.person_id = t.user_id AND ct.program_id = ss.program_id
    WHERE ss.delivery = 'turnkey' AND ct.revoked_at IS NULL
      AND ss.id IN (SELECT id FROM delivered)""",
            [],
        ),
    ]


def reach_cte(scope: ReachScope) -> tuple[str, list]:
    """Every building block as one WITH clause, for a single statement.

    Public so the coordinator's and the detail export's queries count exactly what the figures
    count: they select from the same `completed` block instead of restating the rule.
    """
    blocks = _definitions(scope)
    sql = "WITH " + ",\n".join(f"{name} AS ({body})" for name, body, _ in blocks) + "\n"
    return sql, [param for _, _, params in blocks for param in params]


# The largest blocks are only scanned and aggregated, never joined on: statistics would not
# change their plans, and ANALYZE costs about 0.05 s each at 20,000 sessions.
_ONLY_AGGREGATED = {"completed", "completed_people"}


@contextmanager
def _materialized(scope: ReachScope) -> Iterator[None]:
    """Build the blocks once as temporary tables (per connection, so concurrent requests never
    share them) for a report that reads them six times; dropped afterwards."""
    blocks = _definitions(scope)
    names = [name for name, _, _ in blocks]
    # On an error the transaction (or savepoint) rolls back, which removes the tables too.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JIT compiling these statements costs more than it saves (about 0.1 s each at
            # 20,000 sessions, measured in benchmarks/reach_scale.py).
            cursor.execute("SET LOCAL jit = off")
        for name, body, params in blocks:
            cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {body}", params)
            if connection.vendor == "postgresql" and name not in _ONLY_AGGREGATED:
                cursor.execute(f"ANALYZE {name}")
        yield
        for name in reversed(names):
            cursor.execute(f"DROP TABLE {name}")


_MATERIALIZED = threading.local()


def fetch_rows(sql: str, params: list) -> list[tuple]:
    """Run raw reach SQL (usually `reach_cte` plus a SELECT) and return every row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _run(scope: ReachScope, select: str, params: list | None = None) -> list[tuple]:
    """Run a final SELECT over the blocks: the temporary tables inside reach_report, else
    one WITH statement."""
    if getattr(_MATERIALIZED, "scope", None) == scope:
        return fetch_rows(select, params or [])
    cte, cte_params = reach_cte(scope)
    return fetch_rows(cte + select, [*cte_params, *(params or [])])


def reach_figures(scope: ReachScope) -> ReachFigures:
    row = _run(
        scope,
        """
SELECT
    (SELECT COUNT(*) FROM delivered),
    (SELECT COUNT(*) FROM (SELECT DISTINCT person_id FROM completed_people) p),
    (SELECT COALESCE(SUM(done), 0) FROM completed_people),
    (SELECT COUNT(*) FROM reached),
    (SELECT COALESCE(SUM(count), 0) FROM counted_headcounts WHERE audience = 'youth'),
    (SELECT COALESCE(SUM(count), 0) FROM counted_headcounts WHERE audience = 'adult'),
    (SELECT COALESCE(SUM(minutes), 0) FROM completed_people),
    (SELECT COUNT(*) FROM reached WHERE district_id NOT IN (SELECT district_id FROM paying))
""",
    )[0]
    delivered, staff, completions, districts, youth, adults, minutes, free = row
    return ReachFigures(
        sessions_delivered=delivered,
        staff_trained=staff,
        completions=int(completions),
        districts_reached=districts,
        youth_reached=int(youth),
        adults_uncounted=int(adults),
        pd_hours=hours(minutes),
        free_districts=free,
    )


def by_district(scope: ReachScope) -> list[DistrictRow]:
    rows = _run(
        scope,
        f"""
SELECT d.id, d.name, COALESCE(cs.staff, 0), COALESCE(cs.done, 0), COALESCE(cs.minutes, 0),
       COALESCE(hs.youth, 0), COALESCE(hs.adults, 0),
       CASE WHEN pd.district_id IS NULL THEN 1 ELSE 0 END
FROM reached rd
JOIN {T["district"]} d ON d.id = rd.district_id
LEFT JOIN (SELECT district_id, COUNT(DISTINCT person_id) AS staff, SUM(done) AS done,
                  SUM(minutes) AS minutes
           FROM completed_people GROUP BY district_id) cs ON cs.district_id = d.id
LEFT JOIN (SELECT district_id,
                  SUM(CASE WHEN audience = 'youth' THEN count ELSE 0 END) AS youth,
                  SUM(CASE WHEN audience = 'adult' THEN count ELSE 0 END) AS adults
           FROM counted_headcounts GROUP BY district_id) hs ON hs.district_id = d.id
LEFT JOIN paying pd ON pd.district_id = d.id
ORDER BY d.name, d.id
""",
    )
    return [
        DistrictRow(pk, name, staff, int(done), hours(minutes), int(youth), int(adults), bool(free))
        for pk, name, staff, done, minutes, youth, adults, free in rows
    ]


def by_position(scope: ReachScope) -> list[PositionRow]:
    rows = _run(
        scope,
        """
SELECT position, COUNT(DISTINCT person_id), SUM(done), COALESCE(SUM(minutes), 0)
FROM completed_people GROUP BY position ORDER BY position
""",
    )
    labels = dict(Position.choices)
    return [
        PositionRow(position, labels.get(position, "Not given"), staff, int(done), hours(minutes))
        for position, staff, done, minutes in rows
    ]


def by_session(scope: ReachScope) -> list[SessionRow]:
    rows = _run(
        scope,
        f"""
SELECT ss.id, c.title, s.title, p.short_name, ss.first_start, ss.delivery, ss.is_free,
       CASE WHEN dl.id IS NULL THEN 0 ELSE 1 END,
       COALESCE(cs.staff, 0), COALESCE(cs.done, 0), COALESCE(cs.minutes, 0),
       COALESCE(hs.youth, 0), COALESCE(hs.adults, 0)
FROM scope_sessions ss
JOIN {T["session"]} s ON s.id = ss.id
JOIN {T["course"]} c ON c.id = s.course_id
JOIN {T["provider"]} p ON p.id = c.provider_id
LEFT JOIN delivered dl ON dl.id = ss.id
-- A person has at most one confirmed registration per session (registrations'
-- registration_one_active_per_person constraint): completions there are distinct people.
LEFT JOIN (SELECT session_id, COUNT(*) AS staff, COUNT(*) AS done, SUM(minutes) AS minutes
           FROM completed GROUP BY session_id) cs ON cs.session_id = ss.id
LEFT JOIN (SELECT session_id,
                  SUM(CASE WHEN audience = 'youth' THEN count ELSE 0 END) AS youth,
                  SUM(CASE WHEN audience = 'adult' THEN count ELSE 0 END) AS adults
           FROM counted_headcounts GROUP BY session_id) hs ON hs.session_id = ss.id
ORDER BY ss.first_start, ss.id
""",
    )
    from courses.dates import local_date

    result = []
    for (
        pk,
        course,
        title,
        provider,
        first,
        delivery,
        free,
        delivered,
        staff,
        done,
        minutes,
        youth,
        adults,
    ) in rows:
        first = aware_datetime(first)
        result.append(
            SessionRow(
                session_id=pk,
                title=f"{course} — {title}" if title else course,
                provider=provider,
                first_date=local_date(first),
                delivery=delivery,
                is_free=bool(free),
                delivered=bool(delivered),
                staff_trained=staff,
                completions=done,
                pd_hours=hours(minutes),
                youth_reached=int(youth),
                adults_uncounted=int(adults),
            )
        )
    return result


def by_delivery(scope: ReachScope) -> list[DeliveryRow]:
    rows = dict.fromkeys(Session.Delivery.values)
    for delivery, sessions, staff, done, minutes, youth in _run(
        scope,
        """
SELECT ss.delivery, COUNT(dl.id), COALESCE(MAX(cs.staff), 0), COALESCE(MAX(cs.done), 0),
       COALESCE(MAX(cs.minutes), 0), COALESCE(MAX(hs.youth), 0)
FROM scope_sessions ss
LEFT JOIN delivered dl ON dl.id = ss.id
LEFT JOIN (SELECT delivery, COUNT(DISTINCT person_id) AS staff, SUM(done) AS done,
                  SUM(minutes) AS minutes
           FROM completed_people GROUP BY delivery) cs ON cs.delivery = ss.delivery
LEFT JOIN (SELECT y.delivery AS delivery, SUM(h.count) AS youth
           FROM counted_headcounts h JOIN scope_sessions y ON y.id = h.session_id
           WHERE h.audience = 'youth' GROUP BY y.delivery) hs ON hs.delivery = ss.delivery
GROUP BY ss.delivery
""",
    ):
        rows[delivery] = (sessions, staff, done, minutes, youth)
    labels = dict(Session.Delivery.choices)
    return [
        DeliveryRow(delivery, labels[delivery], *(_row_or_zero(values)))
        for delivery, values in rows.items()
    ]


def _row_or_zero(values) -> tuple:
    sessions, staff, done, minutes, youth = values or (0, 0, 0, 0, 0)
    return sessions, staff, int(done), hours(minutes), int(youth)


def turnkey_multiplier(scope: ReachScope) -> list[MultiplierRow]:
    """Per train-the-trainer program in scope: trainers certified in the period (not since
    revoked), the delivered turnkey sessions in scope led by a certified trainer of the
    program, and the staff trained and youth reached through them."""
    begin, end = _instants(scope.start, scope.end)
    program_filter = "1 = 1"
    program_params: list = []
    if scope.program_id is not None:
        program_filter = "pr.id = %s"
        program_params = [scope.program_id]
    if scope.provider_ids is not None:
        program_filter += " AND " + sql_in("pr.provider_id", scope.provider_ids, program_params)
    rows = _run(
        scope,
        f"""
SELECT pr.id, pr.name, COALESCE(ct.n, 0), COALESCE(l.n, 0), COALESCE(cs.staff, 0),
       COALESCE(hs.youth, 0)
FROM {T["program"]} pr
LEFT JOIN (SELECT program_id, COUNT(DISTINCT person_id) AS n FROM {T["certified"]}
           WHERE revoked_at IS NULL AND certified_at >= %s AND certified_at < %s
           GROUP BY program_id) ct ON ct.program_id = pr.id
LEFT JOIN (SELECT program_id, COUNT(*) AS n FROM led GROUP BY program_id) l
       ON l.program_id = pr.id
LEFT JOIN (SELECT led.program_id AS program_id, COUNT(DISTINCT x.person_id) AS staff
           FROM completed x JOIN led ON led.id = x.session_id
           GROUP BY led.program_id) cs ON cs.program_id = pr.id
LEFT JOIN (SELECT led.program_id AS program_id, SUM(h.count) AS youth
           FROM counted_headcounts h JOIN led ON led.id = h.session_id
           WHERE h.audience = 'youth' GROUP BY led.program_id) hs ON hs.program_id = pr.id
WHERE {program_filter}
  AND EXISTS (SELECT 1 FROM {T["course"]} c WHERE c.program_id = pr.id AND c.trains_trainers = %s)
ORDER BY pr.name, pr.id
""",
        [begin, end, *program_params, True],
    )
    return [
        MultiplierRow(pk, name, certified, led, staff, int(youth))
        for pk, name, certified, led, staff, youth in rows
    ]


def by_provider(scope: ReachScope) -> list[ProviderRow]:
    """Each provider's figures within `scope` (every provider, or those the scope names), as
    reach_figures would give for the same scope narrowed to that provider: the same blocks,
    grouped by the provider of each session."""
    params: list = [False]
    providers = "1 = 1"
    if scope.provider_ids is not None:
        providers = sql_in("p.id", scope.provider_ids, params)
    rows = _run(
        scope,
        f"""
SELECT p.id, p.short_name, COALESCE(dl.n, 0), COALESCE(cp.staff, 0), COALESCE(cp.done, 0),
       COALESCE(rd.reached, 0), COALESCE(hc.youth, 0), COALESCE(hc.adults, 0),
       COALESCE(cp.minutes, 0), COALESCE(rd.free, 0)
FROM {T["provider"]} p
LEFT JOIN (SELECT ss.provider_id AS provider_id, COUNT(*) AS n
           FROM delivered d JOIN scope_sessions ss ON ss.id = d.id
           GROUP BY ss.provider_id) dl ON dl.provider_id = p.id
LEFT JOIN (SELECT provider_id, COUNT(DISTINCT person_id) AS staff, COUNT(*) AS done,
                  SUM(minutes) AS minutes
           FROM completed GROUP BY provider_id) cp ON cp.provider_id = p.id
LEFT JOIN (SELECT ss.provider_id AS provider_id,
                  SUM(CASE WHEN ch.audience = 'youth' THEN ch.count ELSE 0 END) AS youth,
                  SUM(CASE WHEN ch.audience = 'adult' THEN ch.count ELSE 0 END) AS adults
           FROM counted_headcounts ch JOIN scope_sessions ss ON ss.id = ch.session_id
           GROUP BY ss.provider_id) hc ON hc.provider_id = p.id
-- Districts reached per provider, and whether they paid for anything of that provider's
-- (the `reached` and `paying` blocks, per provider).
LEFT JOIN (SELECT provider_id, COUNT(*) AS reached,
                  SUM(CASE WHEN paid = 0 THEN 1 ELSE 0 END) AS free
           FROM (SELECT provider_id, district_id, MAX(paid) AS paid FROM (
                     SELECT provider_id, district_id,
                            CASE WHEN price > 0 THEN 1 ELSE 0 END AS paid
                     FROM completed WHERE district_id IS NOT NULL
                     UNION ALL
                     SELECT ss.provider_id, ch.district_id,
                            CASE WHEN ss.is_free = %s THEN 1 ELSE 0 END
                     FROM counted_headcounts ch JOIN scope_sessions ss ON ss.id = ch.session_id
                     WHERE ch.district_id IS NOT NULL) x
                 GROUP BY provider_id, district_id) pd
           GROUP BY provider_id) rd ON rd.provider_id = p.id
WHERE {providers}
ORDER BY p.short_name, p.id
""",
        params,
    )
    return [
        ProviderRow(
            pk,
            name,
            ReachFigures(
                sessions_delivered=delivered,
                staff_trained=staff,
                completions=int(done),
                districts_reached=int(reached),
                youth_reached=int(youth),
                adults_uncounted=int(adults),
                pd_hours=hours(minutes),
                free_districts=int(free),
            ),
        )
        for pk, name, delivered, staff, done, reached, youth, adults, minutes, free in rows
    ]


def scope_sessions(scope: ReachScope):
    """The sessions in scope as a queryset: the `scope_sessions` block's rows (not cancelled,
    first meeting's local date in the period, provider, program, course and delivery)."""
    return results_sessions(
        visible=None,
        start=scope.start,
        end=scope.end,
        provider_ids=scope.provider_ids,
        program_id=scope.program_id,
        course_id=scope.course_id,
        delivery=scope.delivery,
    )


def evaluation_summary(scope: ReachScope) -> EvaluationSummary | None:
    """What the reach report says of evaluations: exactly evaluations.selectors.summary of the
    sessions in scope; None for a district coordinator's scope."""
    if scope.district_ids is not None:
        return None
    return summary(scope_sessions(scope))


def reach_report(scope: ReachScope, *, per_provider: bool | None = None) -> ReachReport:
    """Every figure and breakdown of `scope`, a fixed number of queries whatever the data
    size: the building blocks are computed once into temporary tables, then read six times,
    seven with each provider's figures (`per_provider`; by default when the scope is the
    Alliance admins' whole view)."""
    if per_provider is None:
        per_provider = scope.is_alliance_wide
    with _materialized(scope):
        _MATERIALIZED.scope = scope
        try:
            return ReachReport(
                scope=scope,
                figures=reach_figures(scope),
                by_district=by_district(scope),
                by_position=by_position(scope),
                by_session=by_session(scope),
                by_delivery=by_delivery(scope),
                turnkey_multiplier=turnkey_multiplier(scope),
                by_provider=by_provider(scope) if per_provider else [],
                evaluations=evaluation_summary(scope),
            )
        finally:
            _MATERIALIZED.scope = None


def aware_datetime(value: str | dt.datetime) -> dt.datetime:
    """SQLite returns raw SQL datetimes as strings; PostgreSQL as aware datetimes."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value

"""The district coordinator's 18-hour table.

Connecticut expects teachers and paraeducators to complete 18 hours of professional
development a year (CGS 10-148a, 10-148d). For each person whose profile district is one of
the coordinator's districts: their PD hours in a fiscal year from completed registrations of
Alliance sessions, any provider, any program. Completion and credited minutes are exactly the
reach report's (reports.selectors), so the hours here add up to the same figures.

One SQL statement, whatever the number of people.
"""

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import User
from organizations.models import Position, Profile, School

from .selectors import ReachScope, fetch_rows, hours, reach_cte, sql_in

EXPECTED_HOURS = Decimal(18)
# The positions the statutes' 18 hours apply to; everyone else shows "n/a".
EXPECTED_OF = frozenset({Position.TEACHER, Position.PARAEDUCATOR})


@dataclass(frozen=True)
class StaffHoursRow:
    person_id: int
    name: str
    school: str
    position: str
    position_label: str
    pd_hours: Decimal

    @property
    def expected(self) -> bool:
        return self.position in EXPECTED_OF

    @property
    def meets_expectation(self) -> bool | None:
        """True or False for teachers and paraeducators; None (not applicable) for others."""
        return self.pd_hours >= EXPECTED_HOURS if self.expected else None


def staff_hours(
    *, district_ids: frozenset[int] | tuple[int, ...], year: int
) -> list[StaffHoursRow]:
    """Everyone active whose profile district is in `district_ids`, with their PD hours in
    fiscal year `year`, fewest hours first (then by name)."""
    cte, params = reach_cte(ReachScope.fiscal_year(year))
    district_params: list = []
    in_districts = sql_in("p.district_id", tuple(sorted(district_ids)), district_params)
    rows = fetch_rows(
        cte
        + f"""
SELECT u.id, u.first_name, u.last_name, u.email, COALESCE(sc.name, ''), p.position,
       COALESCE(SUM(c.minutes), 0) AS minutes
FROM {Profile._meta.db_table} p
JOIN {User._meta.db_table} u ON u.id = p.user_id
LEFT JOIN {School._meta.db_table} sc ON sc.id = p.school_id
LEFT JOIN completed c ON c.person_id = p.user_id
WHERE {in_districts} AND u.is_active = %s
GROUP BY u.id, u.first_name, u.last_name, u.email, sc.name, p.position
ORDER BY minutes, u.last_name, u.first_name, u.id
""",  # noqa: S608 - table names and placeholders only; values go as parameters
        [*params, *district_params, True],
    )
    labels = dict(Position.choices)
    return [
        StaffHoursRow(
            person_id=pk,
            name=f"{first} {last}".strip() or email,
            school=school,
            position=position,
            position_label=labels.get(position, "Not given"),
            pd_hours=hours(minutes),
        )
        for pk, first, last, email, school, position, minutes in rows
    ]

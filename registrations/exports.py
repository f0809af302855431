"""CSV exports for provider staff: a session's roster and a period's billing.

Pure functions of their inputs: they take registrations already read (with the related rows
and annotations the caller selected) and yield CSV text, so a view can stream them.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from courses.dates import local_date

from .models import Registration

ROSTER_HEADER = [
    "status",
    "waitlist position",
    "name",
    "email",
    "district",
    "school",
    "position",
    "price",
    "payer",
    "purchase order",
]

BILLING_HEADER = [
    "session id",
    "course",
    "session first date",
    "name",
    "email",
    "district",
    "payer",
    "purchase order",
    "price",
]


def money(amount: Decimal) -> str:
    """A plain decimal with two places, e.g. "125.00"."""
    return f"{amount:.2f}"


def _name(registration: Registration) -> str:
    return registration.person.get_full_name()


def roster_rows(registrations: Iterable[Registration]) -> Iterator[list[object]]:
    """Header, then a row per registration in the order given. Waitlisted rows are numbered
    1..n in that order, so pass them earliest first."""
    yield ROSTER_HEADER
    position = 0
    for registration in registrations:
        waitlisted = registration.status == Registration.Status.WAITLISTED
        position += waitlisted
        yield [
            registration.status,
            position if waitlisted else "",
            _name(registration),
            registration.person.email,
            registration.district.name if registration.district else "",
            registration.school.name if registration.school else "",
            registration.get_position_display(),
            money(registration.price),
            registration.get_payer_display(),
            registration.purchase_order,
        ]


def billing_rows(
    registrations: Iterable[Registration], *, with_provider: bool
) -> Iterator[list[object]]:
    """Header, a row per confirmed registration, and a closing TOTAL row with the count and
    the sum of prices (free registrations count, at 0.00, so totals reconcile).

    Each registration carries `session_first_starts_at` (an annotation) and has its session's
    course (and provider) selected.
    """
    yield (["provider"] if with_provider else []) + BILLING_HEADER
    total, count = Decimal("0"), 0
    for registration in registrations:
        session = registration.session
        first: dt.datetime | None = registration.session_first_starts_at
        provider = [session.course.provider.short_name] if with_provider else []
        yield provider + [
            session.pk,
            str(session),
            local_date(first).isoformat() if first else "",
            _name(registration),
            registration.person.email,
            registration.district.name if registration.district else "",
            registration.get_payer_display(),
            registration.purchase_order,
            money(registration.price),
        ]
        total += registration.price
        count += 1
    width = len(BILLING_HEADER) + with_provider
    registrations_label = f"{count} registration{'' if count == 1 else 's'}"
    yield ["TOTAL", *[""] * (width - 3), registrations_label, money(total)]

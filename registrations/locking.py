"""Row locks for seat decisions (after pretix's `lock_objects`).

Every seat decision locks the session row first. PostgreSQL waits at most LOCK_TIMEOUT for the
lock; SQLite takes its write lock at BEGIN (IMMEDIATE mode) and waits its busy timeout. A wait
that runs out becomes SessionBusy, which pages and the API answer with 409 and Retry-After.
"""

import functools
from collections.abc import Callable

from django.db import OperationalError, connection, transaction

from courses.models import Session

LOCK_TIMEOUT = "5s"
RETRY_AFTER_SECONDS = 2


class SessionBusy(Exception):
    """The session stayed locked by other requests for too long; the caller may retry."""

    message = "Many people are registering for this session right now. Please try again."


def _is_lock_wait(error: OperationalError) -> bool:
    text = str(error).lower()
    return "lock timeout" in text or "database is locked" in text


def seat_transaction[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` in one transaction; a lock wait that runs out raises SessionBusy."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except OperationalError as error:
            if _is_lock_wait(error):
                raise SessionBusy() from error
            raise

    return wrapper


def lock_sessions(*session_ids: int) -> dict[int, Session]:
    """Lock sessions (in id order, so two movers never deadlock) and return them by id."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    return {
        s.pk: s
        for s in Session.objects.select_for_update(of=("self",))
        .select_related("course__provider")
        .filter(pk__in=sorted(set(session_ids)))
        .order_by("pk")
    }


def lock_session(session_id: int) -> Session:
    return lock_sessions(session_id)[session_id]

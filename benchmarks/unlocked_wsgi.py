"""The app with the session lock switched off, for `registration_rush.py --control-no-lock` only.

A control run shows the benchmark can fail: without the row lock, concurrent registrations
count the same free seats and the session is oversold. Never serve this module for real.
"""

from pd_platform.wsgi import application  # noqa: F401  (sets Django up before the patch)
from registrations import services


def _unlocked_session(session_id: int):
    from courses.models import Session

    return Session.objects.select_related("course__provider").get(pk=session_id)


services.lock_session = _unlocked_session

"""Seats never oversell under simultaneous requests (PostgreSQL; skipped on SQLite).

Threads each hold their own database connection and start together at a barrier. The control
test removes the lock and shows the same load oversells, so these tests can fail.
"""

import contextlib
import threading
import time

import pytest
from django.db import close_old_connections, connection

from registrations import services
from registrations.models import Registration
from registrations.services import cancel_registration, register
from tests.factories import SessionFactory, educator

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency tests need PostgreSQL row locks: set DATABASE_URL to run them",
    ),
]
Status = Registration.Status


@contextlib.contextmanager
def _row_locked_elsewhere(session):
    """Another connection holds the session row (FOR UPDATE) until the block ends."""
    import psycopg
    from django.conf import settings as django_settings

    db = django_settings.DATABASES["default"]
    holder = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        autocommit=False,
    )
    try:
        holder.execute("SELECT id FROM courses_session WHERE id = %s FOR UPDATE", [session.pk])
        yield
    finally:
        holder.rollback()
        holder.close()


def _run_together(work, items):
    """Run work(item) for every item in its own thread, all released at once."""
    barrier = threading.Barrier(len(items))
    results, errors = [None] * len(items), []

    def run(index, item):
        try:
            barrier.wait()
            results[index] = work(item)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_fifty_people_for_ten_seats_give_ten_confirmed_and_forty_waitlisted_in_order():
    session = SessionFactory(capacity=10)
    people = [educator() for _ in range(50)]
    results, errors = _run_together(lambda p: register(person=p, session=session), people)
    assert errors == []
    rows = list(Registration.objects.filter(session=session).order_by("queued_at", "pk"))
    assert len(rows) == 50
    assert [r.status for r in rows] == [Status.CONFIRMED] * 10 + [Status.WAITLISTED] * 40


def test_twenty_simultaneous_cancellations_promote_exactly_twenty():
    session = SessionFactory(capacity=20)
    confirmed = [register(person=educator(), session=session).registration for _ in range(20)]
    waiting = [register(person=educator(), session=session).registration for _ in range(30)]
    _, errors = _run_together(lambda r: cancel_registration(registration=r, by=r.person), confirmed)
    assert errors == []
    statuses = dict(
        Registration.objects.filter(pk__in=[r.pk for r in waiting]).values_list("pk", "status")
    )
    promoted = [r.pk for r in waiting if statuses[r.pk] == Status.CONFIRMED]
    assert promoted == [r.pk for r in waiting[:20]]
    assert Registration.objects.filter(session=session, status=Status.CONFIRMED).count() == 20


def test_the_same_person_registering_from_ten_threads_gets_one_registration():
    session, person = SessionFactory(capacity=5), educator()
    results, errors = _run_together(lambda _: register(person=person, session=session), range(10))
    assert errors == []
    assert Registration.objects.filter(session=session, person=person).count() == 1
    assert sum(1 for r in results if r.created) == 1


def test_control_without_the_lock_the_same_load_oversells(monkeypatch):
    """Proves the tests above can fail: with the lock replaced by a plain read and a small
    delay between counting and writing, concurrent registrations overbook."""
    from courses.models import Session

    monkeypatch.setattr(
        services,
        "lock_session",
        lambda pk: Session.objects.select_related("course__provider").get(pk=pk),
    )
    real_count = services._confirmed_count

    def slow_count(session):
        count = real_count(session)
        time.sleep(0.05)
        return count

    monkeypatch.setattr(services, "_confirmed_count", slow_count)
    session = SessionFactory(capacity=10)
    people = [educator() for _ in range(30)]
    _run_together(lambda p: register(person=p, session=session), people)
    confirmed = Registration.objects.filter(session=session, status=Status.CONFIRMED).count()
    assert confirmed > 10, "without the lock the race should oversell"


def test_a_lock_wait_that_runs_out_answers_409_with_retry_after(monkeypatch, api_client):
    """Another transaction holds the session row; the request gives up after lock_timeout and
    says so (409, Retry-After, JSON), writes nothing, and succeeds once the lock is gone."""
    from registrations import locking

    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "300ms")
    session, person = SessionFactory(capacity=5), educator()
    with _row_locked_elsewhere(session):
        api_client.force_authenticate(person)
        response = api_client.post(f"/api/v1/sessions/{session.pk}/register/")
        assert response.status_code == 409
        assert response["Retry-After"] == "2"
        assert "try again" in response.json()["detail"]
        assert not Registration.objects.filter(person=person).exists()
    assert api_client.post(f"/api/v1/sessions/{session.pk}/register/").status_code == 201


def test_a_cancel_that_waits_too_long_for_the_lock_answers_409_and_changes_nothing(
    monkeypatch, api_client
):
    """Cancelling goes through attendance.services (which also settles the certificate);
    a lock wait that runs out there is still a 409, not a 500, and nothing is cancelled."""
    from registrations import locking

    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "300ms")
    session, person = SessionFactory(capacity=5), educator()
    registration = register(person=person, session=session).registration
    with _row_locked_elsewhere(session):
        api_client.force_authenticate(person)
        response = api_client.post(f"/api/v1/registrations/{registration.pk}/cancel/")
        assert response.status_code == 409
        assert response["Retry-After"] == "2"
        registration.refresh_from_db()
        assert registration.status == Status.CONFIRMED
    answer = api_client.post(f"/api/v1/registrations/{registration.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"

"""Seats never oversell when people register at the same moment over HTTP (PostgreSQL only;
skipped with the reason on SQLite, whose writes never run at the same time).

After pretix's src/tests/concurrency_tests/: real simultaneous requests to a live server, not
service calls. pytest-django's live_server is Django's LiveServerThread, a ThreadedWSGIServer
in this process: each request runs in its own thread with its own database connection, as under
gunicorn's threads. Every client thread is signed in as its own person (a session cookie made
with Client.force_login, or an API token) and waits at a barrier, so the requests really
overlap. The control run switches the seat lock off and shows the same rush oversells: these
tests can fail. Checked by hand with the lock off (_switch_the_seat_lock_off): the page rush gave
20 confirmed of 5, the API rush 14, and the cancel rush promoted out of order.
"""

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
from django.conf import settings
from django.db import close_old_connections, connection
from django.test import Client
from rest_framework.authtoken.models import Token

from registrations import locking, services
from registrations.models import Registration
from tests.factories import SessionFactory, educator

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency tests over HTTP need PostgreSQL row locks: set DATABASE_URL to run them",
    ),
]

Status = Registration.Status
CAPACITY = 5
PEOPLE = 20
TIMEOUT = 60  # seconds, per request and for the barrier
CSRF_TOKEN = secrets.token_hex(16)  # any 32 characters; Django compares cookie and header


@dataclass
class Answer:
    status: int
    retry_after: str | None
    location: str


def _page_client(base_url: str, person) -> requests.Session:
    """An HTTP client signed in as `person`: Django's own session cookie, and a CSRF cookie
    with the same token in the header, as a browser's form post would send."""
    django_client = Client()
    django_client.force_login(person)
    session_key = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    http = requests.Session()
    http.headers.update(
        {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}",
            "X-CSRFToken": CSRF_TOKEN,
            "Referer": base_url + "/",
        }
    )
    return http


def _api_client(person) -> requests.Session:
    http = requests.Session()
    http.headers["Authorization"] = f"Token {Token.objects.create(user=person).key}"
    return http


def _all_at_once(calls: list[Callable[[], requests.Response]]) -> list[Answer]:
    """Make every call from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    answers: list[Answer | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], requests.Response]) -> None:
        try:
            barrier.wait()
            answers[index] = _answer(call())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    assert not errors, f"a request got no answer: {errors!r}"
    assert all(answer is not None for answer in answers)
    return answers


def _answer(response: requests.Response) -> Answer:
    return Answer(
        response.status_code,
        response.headers.get("Retry-After"),
        response.headers.get("Location", ""),
    )


def _is_busy(answer: Answer) -> bool:
    # Pages and the API both answer 409 with Retry-After (SessionBusyMiddleware, the handler).
    return answer.status == 409 and answer.retry_after is not None


def _retrying_the_busy(
    calls: list[Callable[[], requests.Response]], answers: list[Answer]
) -> list[Answer]:
    """A busy answer means the lock wait ran out (a loaded machine): it wrote nothing and asks
    the client to come back after Retry-After. Do so, one at a time, as a person would."""
    answers = list(answers)
    for index, call in enumerate(calls):
        for _ in range(5):
            if not _is_busy(answers[index]):
                break
            time.sleep(float(answers[index].retry_after))
            answers[index] = _answer(call())
    assert not any(_is_busy(a) for a in answers), "still busy after five retries"
    return answers


class _MostConfirmed:
    """Watch the session from another connection while the rush runs and keep the largest
    number of confirmed seats seen committed at any moment."""

    def __init__(self, session) -> None:
        self.session_id, self.most = session.pk, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        try:
            while not self._stop.is_set():
                self.most = max(self.most, _confirmed(self.session_id))
                time.sleep(0.005)
        finally:
            close_old_connections()
            connection.close()

    def __enter__(self) -> "_MostConfirmed":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=TIMEOUT)
        self.most = max(self.most, _confirmed(self.session_id))  # after the last commit


def _confirmed(session_id: int) -> int:
    return Registration.objects.filter(session_id=session_id, status=Status.CONFIRMED).count()


def _statuses(session) -> dict[int, str]:
    """person id -> status of their registration in `session`."""
    rows = Registration.objects.filter(session=session).values_list("person_id", "status")
    return dict(rows)


def _page_registrations(live_server, session, people) -> list[Callable[[], requests.Response]]:
    """For each person, a call that posts the session's register form as them."""
    url = f"{live_server.url}/sessions/{session.pk}/register/"
    clients = [_page_client(live_server.url, person) for person in people]
    return [
        lambda http=http: http.post(
            url, data={"payer": "self"}, allow_redirects=False, timeout=TIMEOUT
        )
        for http in clients
    ]


def _assert_page_answers(answers: list[Answer], session) -> None:
    """No 5xx: each answer sends the person back to the session page, and a busy answer (409)
    says when to retry."""
    assert [a.status for a in answers if a.status >= 500] == []
    for answer in answers:
        assert answer.status in {200, 302, 303, 409}, answer
        if answer.status == 409:
            assert answer.retry_after, answer
        if answer.status in {302, 303}:
            assert answer.location.endswith(session.get_absolute_url()), answer


def test_twenty_people_posting_the_register_page_at_once_fill_five_seats_and_wait_in_line(
    live_server,
):
    session = SessionFactory(capacity=CAPACITY)
    people = [educator() for _ in range(PEOPLE)]

    calls = _page_registrations(live_server, session, people)

    with _MostConfirmed(session) as watch:
        answers = _all_at_once(calls)
        _assert_page_answers(answers, session)
        busy = [
            person.pk for person, answer in zip(people, answers, strict=True) if _is_busy(answer)
        ]
        assert busy == [] or not Registration.objects.filter(person__in=busy).exists()
        _assert_page_answers(_retrying_the_busy(calls, answers), session)

    statuses = list(_statuses(session).values())
    assert len(statuses) == PEOPLE
    assert statuses.count(Status.CONFIRMED) == CAPACITY
    assert statuses.count(Status.WAITLISTED) == PEOPLE - CAPACITY
    assert watch.most == CAPACITY


def test_twenty_people_registering_through_the_api_at_once_get_five_201_confirmed(live_server):
    session = SessionFactory(capacity=CAPACITY)
    people = [educator() for _ in range(PEOPLE)]
    url = f"{live_server.url}/api/v1/sessions/{session.pk}/register/"
    clients = [_api_client(person) for person in people]
    bodies: list[dict] = []

    def post(http: requests.Session) -> requests.Response:
        response = http.post(url, json={"payer": "self"}, timeout=TIMEOUT)
        if response.status_code == 201:
            bodies.append(response.json())
        return response

    calls = [lambda http=http: post(http) for http in clients]
    with _MostConfirmed(session) as watch:
        answers = _all_at_once(calls)
        for answer in answers:
            assert answer.status in {201, 409}, answer  # 409: busy, with Retry-After
        answers = _retrying_the_busy(calls, answers)

    assert [a.status for a in answers] == [201] * PEOPLE
    given = [b["status"] for b in bodies]
    assert given.count("confirmed") == CAPACITY
    assert given.count("waitlisted") == len(bodies) - CAPACITY
    # Every answer matches its row.
    assert {b["id"]: b["status"] for b in bodies} == dict(
        Registration.objects.filter(session=session).values_list("pk", "status")
    )
    assert watch.most == CAPACITY


def test_cancelling_while_others_register_promotes_the_waitlist_in_order_and_never_oversells(
    live_server,
):
    session = SessionFactory(capacity=CAPACITY)
    holders = [services.register(person=educator(), session=session).registration for _ in "12345"]
    waiting = [services.register(person=educator(), session=session).registration for _ in range(8)]
    assert {r.status for r in holders} == {Status.CONFIRMED}
    assert {r.status for r in waiting} == {Status.WAITLISTED}
    newcomers = [educator() for _ in range(10)]
    cancellers = [_page_client(live_server.url, r.person) for r in holders]
    cancel_urls = [f"{live_server.url}/registrations/{r.pk}/cancel/" for r in holders]
    register_url = f"{live_server.url}/sessions/{session.pk}/register/"
    registrants = [_page_client(live_server.url, person) for person in newcomers]
    calls = [
        lambda http=http, url=url: http.post(url, allow_redirects=False, timeout=TIMEOUT)
        for http, url in zip(cancellers, cancel_urls, strict=True)
    ] + [
        lambda http=http: http.post(
            register_url, data={"payer": "self"}, allow_redirects=False, timeout=TIMEOUT
        )
        for http in registrants
    ]

    with _MostConfirmed(session) as watch:
        answers = _all_at_once(calls)
        _assert_page_answers(answers, session)
        _assert_page_answers(_retrying_the_busy(calls, answers), session)

    statuses = _statuses(session)
    assert [statuses[r.person_id] for r in holders] == [Status.CANCELLED] * 5
    # Each cancel hands its seat to the head of the line in the same transaction, so the five
    # seats go to the five who waited longest, and the newcomers queue behind the other three.
    assert [statuses[r.person_id] for r in waiting] == [Status.CONFIRMED] * 5 + [
        Status.WAITLISTED
    ] * 3
    assert [statuses[p.pk] for p in newcomers] == [Status.WAITLISTED] * 10
    line = Registration.objects.filter(session=session, status=Status.WAITLISTED).order_by(
        "queued_at", "pk"
    )
    assert [r.person_id for r in line][:3] == [r.person_id for r in waiting[5:]]
    assert watch.most == CAPACITY


def _switch_the_seat_lock_off(monkeypatch) -> None:
    """The control: sessions are read without FOR UPDATE, and a short pause between counting
    the confirmed seats and writing the registration lets the requests interleave."""
    from courses.models import Session

    def unlocked(*session_ids: int) -> dict[int, Session]:
        rows = Session.objects.select_related("course__provider").filter(pk__in=session_ids)
        return {s.pk: s for s in rows}

    monkeypatch.setattr(locking, "lock_sessions", unlocked)  # lock_session calls this
    for name, replacement in [
        ("lock_sessions", unlocked),
        ("lock_session", lambda session_id: unlocked(session_id)[session_id]),
    ]:
        if hasattr(services, name):  # imported by name into the services module
            monkeypatch.setattr(services, name, replacement)
    if hasattr(services, "_confirmed_count"):
        real_count = services._confirmed_count

        def slow_count(session) -> int:
            count = real_count(session)
            time.sleep(0.2)
            return count

        monkeypatch.setattr(services, "_confirmed_count", slow_count)


def test_control_without_the_seat_lock_the_same_page_rush_oversells(live_server, monkeypatch):
    """Proves the tests above can fail: same rush, same pages, lock off."""
    _switch_the_seat_lock_off(monkeypatch)
    oversold = []
    for _ in range(3):
        session = SessionFactory(capacity=CAPACITY)
        calls = _page_registrations(live_server, session, [educator() for _ in range(PEOPLE)])
        answers = _all_at_once(calls)
        assert [a.status for a in answers if a.status >= 500] == []
        oversold.append(_confirmed(session.pk))
        if oversold[-1] > CAPACITY:
            break
    assert max(oversold) > CAPACITY, f"without the lock the rush should oversell: {oversold}"

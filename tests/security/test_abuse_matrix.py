"""The abuse matrix: state-changing requests on SOMEONE ELSE's objects, and on registrations in
states the rules forbid changing, never succeed and never change the database.

Where the permission matrix (test_permission_matrix.py) asks "what status does each role get
for each URL, with an empty body", this suite sends requests that would do real harm if they
got through (a reason to decline, a colleague to transfer to, a capacity, an attendance row)
and checks the data afterwards: a snapshot of registrations, attendance, certificates,
sessions, courses, headcounts, check-in codes, tokens, calendar feeds and accounts is the same
before and after. Statuses: never 2xx, never 5xx. Pages answer a refusal with a redirect and a
message, so a 302/303 passes when nothing changed (the snapshot decides).

Attackers (ATTACKERS): anonymous; an educator of another district; another educator, a
colleague in the victim's own district; the trainer of another session of the same provider;
the coordinator of another district; staff of another provider.

Targets: the victim's registrations in each state (pending, confirmed, completed) before and
after the session started (VICTIMS; nothing is completed before it starts), the sessions of
the victim's provider (upcoming and past), its course, the victim's account.

Rules by state (test_rule_by_state): the registrant cannot cancel or transfer once the session
started; nobody approves or declines what is not pending; a promotion email's release link
does nothing once the session started; a trainer adds no walk-in outside the check-in window;
nobody registers for a session that started.

Re-run: `pytest tests/security/test_abuse_matrix.py` (add DATABASE_URL=... for PostgreSQL).
The world is built once per module and each case runs in a savepoint rolled back after it
(the permission matrix's pattern), so the cases are independent.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core import signing
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from attendance.models import Attendance, CheckInCode, Headcount
from attendance.services import check_in_code_for
from certificates.models import Certificate
from courses.models import Course, Session
from registrations.models import CalendarFeed, Registration
from registrations.notifications import RELEASE_SALT
from tests.certificates.helpers import completed, confirmed, mark, past_session
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    coordinator_of,
    educator,
    staff_of,
)

ATTACKERS = (
    "anonymous",
    "educator",
    "another_educator",
    "other_trainer",
    "other_coordinator",
    "other_staff",
)
# (state, when): the victim's registrations. "completed" exists only after the start.
VICTIMS = (
    ("pending", "before"),
    ("confirmed", "before"),
    ("pending", "after"),
    ("confirmed", "after"),
    ("completed", "after"),
)


# The world --------------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    own = ProviderFactory(short_name="ABUOWN")
    other = ProviderFactory(short_name="ABUOTHER")
    district = DistrictFactory(member_of=own)
    elsewhere = DistrictFactory(member_of=own)
    registrant = educator(district=district, email="vic.tim@example.org", last_name="Victimova")
    applicant = educator(district=district, email="app.licant@example.org")
    trainer = educator(district=elsewhere)
    users = {
        "registrant": registrant,
        "applicant": applicant,
        "trainer": trainer,
        "coordinator": coordinator_of(district),
        "staff": staff_of(own),
        "educator": educator(district=elsewhere),
        "another_educator": educator(district=district),
        "other_trainer": educator(district=elsewhere),
        "other_coordinator": coordinator_of(elsewhere),
        "other_staff": staff_of(other),
    }
    course = CourseFactory(provider=own)
    upcoming = SessionFactory(course=course, capacity=10)
    upcoming.trainers.set([trainer])
    moved_to = SessionFactory(course=course, capacity=10)
    moved_to.trainers.set([users["other_trainer"]])
    past = past_session(course=CourseFactory(provider=own), trainers=[trainer])
    not_completed = confirmed(past, educator(district=district))
    mark(past, not_completed, "absent")
    victims = {
        ("pending", "before"): RegistrationFactory(
            session=upcoming, person=applicant, status=Registration.Status.PENDING
        ),
        ("confirmed", "before"): RegistrationFactory(session=upcoming, person=registrant),
        ("pending", "after"): RegistrationFactory(
            session=past, person=applicant, status=Registration.Status.PENDING
        ),
        ("confirmed", "after"): not_completed,
        ("completed", "after"): completed(past, registrant).registration,
    }
    meeting = upcoming.meetings.get()
    headcount = Headcount.objects.create(
        meeting=meeting,
        audience=Headcount.Audience.YOUTH,
        count=3,
        recorded_by=trainer,
        recorded_at=timezone.now() - dt.timedelta(minutes=5),
    )
    check_in_code_for(meeting)
    CalendarFeed.objects.create(person=registrant)
    Token.objects.create(user=registrant)
    return SimpleNamespace(
        users=users,
        course=course,
        upcoming=upcoming,
        past=past,
        moved_to=moved_to,
        meeting=meeting,
        past_meeting=past.meetings.get(),
        headcount=headcount,
        victims=victims,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            built = build_world()
        yield built
        transaction.set_rollback(True)


def snapshot() -> dict[str, list]:
    """What an abusive request could change, as plain rows."""
    return {
        "registrations": list(
            Registration.objects.order_by("pk").values_list(
                "pk", "session_id", "person_id", "status", "payer", "decline_reason"
            )
        ),
        "attendance": list(
            Attendance.objects.order_by("pk").values_list(
                "pk", "registration_id", "meeting_id", "status", "minutes"
            )
        ),
        "certificates": list(
            Certificate.objects.order_by("pk").values_list("pk", "registration_id", "revoked_at")
        ),
        "sessions": list(
            Session.objects.order_by("pk").values_list("pk", "title", "capacity", "status")
        ),
        "courses": list(Course.objects.order_by("pk").values_list("pk", "title", "status")),
        "headcounts": list(Headcount.objects.order_by("pk").values_list("pk", "count")),
        "check_in_codes": list(CheckInCode.objects.order_by("pk").values_list("pk", "code")),
        "tokens": list(Token.objects.order_by("user_id").values_list("user_id", "key")),
        "feeds": list(CalendarFeed.objects.order_by("pk").values_list("person_id", "token")),
        "accounts": list(User.objects.order_by("pk").values_list("pk", "email", "is_active")),
    }


# The requests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    method: str
    path: str
    body: object = None
    api: bool = False


def send(client: Client, attempt: Attempt):
    call = getattr(client, attempt.method.lower())
    if attempt.api:
        return call(attempt.path, data=attempt.body or {}, content_type="application/json")
    return call(attempt.path, data=attempt.body or {})


def _staff_path(name: str, registration: Registration) -> str:
    return reverse(name, kwargs={"pk": registration.session_id, "registration_pk": registration.pk})


# Requests on a registration: (world, registration, attacker) -> Attempt.
ON_REGISTRATION: dict[str, Callable[[SimpleNamespace, Registration, User | None], Attempt]] = {
    "page cancel": lambda w, r, me: Attempt(
        "POST", reverse("registrations:cancel", kwargs={"pk": r.pk})
    ),
    "page transfer": lambda w, r, me: Attempt(
        "POST",
        reverse("registrations:transfer", kwargs={"pk": r.pk}),
        {"email": (me or w.users["another_educator"]).email},
    ),
    "page approve": lambda w, r, me: Attempt(
        "POST", reverse("registrations:decide", kwargs={"pk": r.pk}), {"decision": "approve"}
    ),
    "page decline": lambda w, r, me: Attempt(
        "POST",
        reverse("registrations:decide", kwargs={"pk": r.pk}),
        {"decision": "decline", "reason": "Abuse matrix"},
    ),
    "staff cancel": lambda w, r, me: Attempt(
        "POST", _staff_path("staff:cancel", r), {"reason": "Abuse matrix"}
    ),
    "staff promote": lambda w, r, me: Attempt("POST", _staff_path("staff:promote", r)),
    "staff move": lambda w, r, me: Attempt(
        "POST", _staff_path("staff:move", r), {"to_session": w.moved_to.pk, "reason": "Abuse"}
    ),
    "api approve": lambda w, r, me: Attempt(
        "POST", reverse("registration-approve", kwargs={"pk": r.pk}), api=True
    ),
    "api decline": lambda w, r, me: Attempt(
        "POST",
        reverse("registration-decline", kwargs={"pk": r.pk}),
        {"reason": "Abuse matrix"},
        api=True,
    ),
    "api cancel": lambda w, r, me: Attempt(
        "POST", reverse("registration-cancel", kwargs={"pk": r.pk}), {"reason": "Abuse"}, api=True
    ),
}


# Requests on the victim's provider's sessions, course and account: (world, session) -> Attempt.
def _session_requests(w: SimpleNamespace, s: Session) -> dict[str, Attempt]:
    meeting = s.meetings.order_by("starts_at").first()
    registration = w.victims[("confirmed", "after" if s.pk == w.past.pk else "before")]
    return {
        "capacity": Attempt(
            "POST", reverse("staff:capacity", kwargs={"pk": s.pk}), {"capacity": 1}
        ),
        "session PATCH": Attempt(
            "PATCH",
            reverse("api-session-detail", kwargs={"pk": s.pk}),
            {"title": "Abused", "capacity": 1},
            api=True,
        ),
        "session DELETE": Attempt(
            "DELETE", reverse("api-session-detail", kwargs={"pk": s.pk}), api=True
        ),
        "session cancel": Attempt(
            "POST", reverse("api-session-cancel", kwargs={"pk": s.pk}), api=True
        ),
        "course PATCH": Attempt(
            "PATCH",
            reverse("api-course-detail", kwargs={"slug": s.course.slug}),
            {"title": "Abused"},
            api=True,
        ),
        "attendance PUT": Attempt(
            "PUT",
            reverse("api-attendance", kwargs={"pk": s.pk}),
            [{"registration": registration.pk, "meeting": meeting.pk, "status": "present"}],
            api=True,
        ),
        "headcount POST (API)": Attempt(
            "POST",
            reverse("api-headcounts", kwargs={"pk": s.pk}),
            {"meeting": meeting.pk, "audience": "youth", "count": 99},
            api=True,
        ),
        "headcount POST (page)": Attempt(
            "POST",
            reverse("attendance:add_headcount", kwargs={"meeting_pk": meeting.pk}),
            {"audience": "youth", "count": 99},
        ),
        "headcount delete": Attempt(
            "POST", reverse("attendance:remove_headcount", kwargs={"pk": w.headcount.pk})
        ),
        "walk-in": Attempt(
            "POST",
            reverse("attendance:walk_in", kwargs={"meeting_pk": meeting.pk}),
            {"email": w.users["another_educator"].email},
        ),
        "check-in code rotate": Attempt(
            "POST", reverse("attendance:rotate_code", kwargs={"meeting_pk": meeting.pk})
        ),
        "mark all present": Attempt(
            "POST", reverse("attendance:mark_present", kwargs={"meeting_pk": meeting.pk})
        ),
        "roster POST": Attempt(
            "POST",
            reverse("attendance:roster", kwargs={"pk": s.pk}) + f"?meeting={meeting.pk}",
            {"meeting": meeting.pk, f"status_{registration.pk}": "absent"},
        ),
    }


SESSION_ACTIONS = (
    "capacity",
    "session PATCH",
    "session DELETE",
    "session cancel",
    "course PATCH",
    "attendance PUT",
    "headcount POST (API)",
    "headcount POST (page)",
    "headcount delete",
    "walk-in",
    "check-in code rotate",
    "mark all present",
    "roster POST",
)


def _sign_in(client: Client, world: SimpleNamespace, role: str) -> User | None:
    if role == "anonymous":
        return None
    user = world.users[role]
    client.force_login(user)
    return user


def _refused(response, before: dict, where: str) -> None:
    assert response.status_code < 500, f"{where}: a {response.status_code}"
    assert not 200 <= response.status_code < 300, (
        f"{where}: got {response.status_code}: {response.content[:300]!r}"
    )
    after = snapshot()
    changed = {table for table in before if before[table] != after[table]}
    assert not changed, f"{where}: answered {response.status_code} but changed {sorted(changed)}"


# Attackers on another person's or provider's objects -----------------------------------------


@pytest.mark.parametrize("role", ATTACKERS)
@pytest.mark.parametrize("victim", VICTIMS, ids=lambda v: "-".join(v))
@pytest.mark.parametrize("action", ON_REGISTRATION)
def test_an_outsider_cannot_change_anothers_registration(action, victim, role, world, db, client):
    me = _sign_in(client, world, role)
    attempt = ON_REGISTRATION[action](world, world.victims[victim], me)
    before = snapshot()

    response = send(client, attempt)

    _refused(response, before, f"{action} on the {'/'.join(victim)} registration as {role}")


@pytest.mark.parametrize("role", ATTACKERS)
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("action", SESSION_ACTIONS)
def test_an_outsider_cannot_change_anothers_session(action, when, role, world, db, client):
    _sign_in(client, world, role)
    session = world.upcoming if when == "before" else world.past
    attempt = _session_requests(world, session)[action]
    before = snapshot()

    response = send(client, attempt)

    _refused(response, before, f"{action} on the session {when} its start as {role}")


@pytest.mark.parametrize("role", ATTACKERS)
def test_the_token_endpoint_gives_nobody_the_victims_token(role, world, db, client):
    _sign_in(client, world, role)
    before = snapshot()

    response = client.post(
        reverse("api-token"),
        {"email": world.users["registrant"].email, "password": "a guess"},
        content_type="application/json",
    )

    _refused(response, before, f"token for the victim as {role}")
    assert world.users["registrant"].auth_token.key not in response.content.decode()


@pytest.mark.parametrize("role", [r for r in ATTACKERS if r != "anonymous"])
def test_own_account_actions_never_touch_the_victim(role, world, db, client):
    """Calendar reset, token revoke, data export and account deletion act on the caller only:
    the victim's feed, token and account stay, and the export holds nothing of theirs."""
    me = _sign_in(client, world, role)
    victim = world.users["registrant"]
    feed = CalendarFeed.objects.get(person=victim).token
    token = Token.objects.get(user=victim).key

    reset = client.post(reverse("registrations:reset_feed"))
    revoke = client.delete(reverse("api-token"))
    export = client.get(reverse("privacy:my_data_json"))
    delete = client.post(reverse("privacy:delete_account"), {"email": victim.email})

    assert max(r.status_code for r in (reset, revoke, export, delete)) < 500
    assert delete.status_code == 400
    assert CalendarFeed.objects.get(person=victim).token == feed
    assert Token.objects.get(user=victim).key == token
    assert User.objects.get(pk=victim.pk).is_active
    assert b"Victimova" not in export.content and victim.email.encode() not in export.content
    assert me.pk != victim.pk


def test_anonymous_own_account_actions_are_refused(world, db, client):
    before = snapshot()
    for attempt in (
        Attempt("POST", reverse("registrations:reset_feed")),
        Attempt("DELETE", reverse("api-token"), api=True),
        Attempt("POST", reverse("privacy:delete_account"), {"email": "vic.tim@example.org"}),
    ):
        response = send(client, attempt)
        assert response.status_code in (302, 401, 403), attempt
    assert snapshot() == before


# Rules by state: the people who may act on a registration, where the state forbids it --------

# (who, action, victims): `who` may act on the registration in general, not in these states.
RULES: list[tuple[str, str, tuple[tuple[str, str], ...]]] = [
    ("registrant", "page cancel", (("confirmed", "after"), ("completed", "after"))),
    ("registrant", "api cancel", (("confirmed", "after"), ("completed", "after"))),
    ("registrant", "page transfer", (("confirmed", "after"), ("completed", "after"))),
    ("applicant", "page cancel", (("pending", "after"),)),
    ("applicant", "api cancel", (("pending", "after"),)),
    *[
        (who, action, (("confirmed", "before"), ("confirmed", "after"), ("completed", "after")))
        for who in ("coordinator", "staff")
        for action in ("page approve", "page decline", "api approve", "api decline")
    ],
]
RULE_CASES = [
    pytest.param(who, action, victim, id=f"{who}-{action}-{'-'.join(victim)}")
    for who, action, victims in RULES
    for victim in victims
]


@pytest.mark.parametrize(("who", "action", "victim"), RULE_CASES)
def test_rule_by_state(who, action, victim, world, db, client):
    registration = world.victims[victim]
    if who in ("registrant", "applicant"):
        who_user = registration.person  # the registrant of that very registration
        client.force_login(who_user)
    else:
        who_user = _sign_in(client, world, who)
    attempt = ON_REGISTRATION[action](world, registration, world.users["another_educator"])
    before = snapshot()

    response = send(client, attempt)

    _refused(response, before, f"{action} on the {'/'.join(victim)} registration as {who}")


@pytest.mark.parametrize("victim", [v for v in VICTIMS if v[1] == "after"], ids="-".join)
def test_a_release_link_does_nothing_after_the_session_started(victim, world, db, client):
    registration = world.victims[victim]
    token = signing.dumps(registration.pk, salt=RELEASE_SALT)
    before = snapshot()

    response = client.post(reverse("registrations:release", kwargs={"token": token}))

    _refused(response, before, f"release link of the {'/'.join(victim)} registration")


@pytest.mark.parametrize("when", ["before", "after"])
def test_the_trainer_adds_no_walk_in_outside_the_check_in_window(when, world, db, client):
    client.force_login(world.users["trainer"])
    meeting = world.meeting if when == "before" else world.past_meeting
    before = snapshot()

    response = client.post(
        reverse("attendance:walk_in", kwargs={"meeting_pk": meeting.pk}),
        {"email": world.users["educator"].email},
    )

    _refused(response, before, f"walk-in {when} the check-in window")


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_nobody_registers_for_a_session_that_started(api, world, db, client):
    client.force_login(world.users["educator"])
    name = "api-register" if api else "registrations:register"
    attempt = Attempt("POST", reverse(name, kwargs={"pk": world.past.pk}), {"payer": "self"}, api)
    before = snapshot()

    response = send(client, attempt)

    _refused(response, before, "registering for a session that started")


# Controls: the same requests by whoever may send them do change the data, so a refusal above
# means something (a malformed request would be "refused" for everyone).

CONTROLS = [
    ("registrant", "page cancel", ("confirmed", "before")),
    ("registrant", "api cancel", ("confirmed", "before")),
    ("registrant", "page transfer", ("confirmed", "before")),
    ("coordinator", "page approve", ("pending", "before")),
    ("coordinator", "api decline", ("pending", "before")),
    ("staff", "page decline", ("pending", "before")),
    ("staff", "api approve", ("pending", "before")),
    ("staff", "staff cancel", ("confirmed", "before")),
    ("staff", "staff move", ("confirmed", "before")),
]
SESSION_CONTROLS = [
    ("staff", "capacity", "before"),
    ("staff", "session PATCH", "before"),
    ("staff", "session cancel", "before"),
    ("staff", "course PATCH", "before"),
    ("trainer", "attendance PUT", "after"),
    ("trainer", "headcount POST (API)", "after"),
    ("trainer", "headcount delete", "before"),
    ("trainer", "check-in code rotate", "before"),
]


@pytest.mark.parametrize(("who", "action", "victim"), CONTROLS, ids=lambda v: str(v))
def test_control_the_registration_requests_work_for_who_may_send_them(
    who, action, victim, world, db, client
):
    registration = world.victims[victim]
    client.force_login(registration.person if who == "registrant" else world.users[who])
    attempt = ON_REGISTRATION[action](world, registration, world.users["another_educator"])
    before = snapshot()

    response = send(client, attempt)

    assert response.status_code < 400, response.content[:300]
    assert snapshot() != before, f"{action} as {who} changed nothing: the request is malformed"


@pytest.mark.parametrize(("who", "action", "when"), SESSION_CONTROLS, ids=lambda v: str(v))
def test_control_the_session_requests_work_for_who_may_send_them(
    who, action, when, world, db, client
):
    client.force_login(world.users[who])
    session = world.upcoming if when == "before" else world.past
    before = snapshot()

    response = send(client, _session_requests(world, session)[action])

    assert response.status_code < 400, response.content[:300]
    assert snapshot() != before, f"{action} as {who} changed nothing: the request is malformed"

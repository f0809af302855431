"""Who acted, as each viewer may see it: names and emails for staff, roles for everyone else,
and no other person's name or address in a registrant's own history."""

import pytest

from activity.permissions import Audience, audience_of
from activity.presenters import present
from activity.selectors import history_of_registration, with_actor_roles
from activity.services import EMAILED_LINK, SETTLE_COMMAND
from tests.activity.conftest import record

pytestmark = pytest.mark.django_db


def _whos(world, viewer, audience):
    rows = with_actor_roles(history_of_registration(world.registration)).order_by("pk")
    return [entry.who for entry in present(rows, audience=audience, viewer=viewer)]


def _seed_every_kind_of_actor(world):
    for actor in (
        world.registrant,
        world.staff,
        world.trainer,
        world.coordinator,
        world.admin,
        world.colleague,
    ):
        record(verb="registration.approved", target=world.registration, actor=actor)
    record(verb="registration.cancelled", target=world.registration, system=SETTLE_COMMAND)
    record(verb="registration.cancelled", target=world.registration, system=EMAILED_LINK)


def test_the_registrant_sees_themself_as_you_and_everyone_else_by_role(world):
    _seed_every_kind_of_actor(world)
    assert _whos(world, world.registrant, Audience.REGISTRANT) == [
        "You",
        "LEARN staff",
        "Your trainer",
        "Your district coordinator",
        "An Alliance admin",
        "Another person",
        "The system (settle_sessions command)",
        "A link in an email",
    ]


def test_a_coordinator_sees_the_registrant_and_others_by_role(world):
    _seed_every_kind_of_actor(world)
    assert _whos(world, world.coordinator, Audience.COORDINATOR)[:4] == [
        "The registrant",
        "LEARN staff",
        "The session's trainer",
        "You",
    ]


def test_staff_see_names_and_emails(world):
    record(verb="registration.approved", target=world.registration, actor=world.coordinator)
    (entry,) = present(
        history_of_registration(world.registration), audience=Audience.STAFF, viewer=world.staff
    )
    assert (entry.who, entry.who_email, entry.subject) == (
        "Cora Ord",
        "cora.coordinator@example.org",
        "Marisol Registrant",
    )


def test_the_registrant_never_reads_another_persons_name_or_address(world):
    record(
        verb="registration.transfer_requested",
        target=world.colleague_registration,
        actor=world.colleague,
        registration=world.registration,
        person=world.registrant,
        changes={
            "to_person": "Tobias Colleague",
            "note": "asked by tobias.colleague@example.org, cc someone@else.example",
            "requested_by": world.colleague.pk,
            "status": ["confirmed", "confirmed"],
        },
        reason="Tobias Colleague takes the seat; mail marisol.registrant@example.org",
    )
    (entry,) = present(
        with_actor_roles(history_of_registration(world.registration)),
        audience=Audience.REGISTRANT,
        viewer=world.registrant,
    )
    shown = f"{entry.who} {entry.changes} {entry.reason} {entry.lines}"
    assert "Tobias" not in shown and "Colleague" not in shown and "else.example" not in shown
    assert entry.changes["to_person"] == "another person"
    assert entry.changes["requested_by"] == "another person"
    assert entry.reason == "another person takes the seat; mail marisol.registrant@example.org"


def test_who_sees_what_kind_of_history(world):
    registration = world.registration
    assert audience_of(world.registrant, registration) == Audience.REGISTRANT
    assert audience_of(world.coordinator, registration) == Audience.COORDINATOR
    assert audience_of(world.staff, registration) == Audience.STAFF
    assert audience_of(world.admin, registration) == Audience.STAFF

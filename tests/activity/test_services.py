"""record_activity's rules, and forgetting a person's name and address in the log."""

import pytest
from django.db import transaction

from activity.models import Activity
from activity.services import (
    EMAILED_LINK,
    SETTLE_COMMAND,
    forget_person_in_activities,
    record_activity,
)
from registrations.models import Invitation
from tests.activity.conftest import record

pytestmark = pytest.mark.django_db(transaction=False)


def test_recording_outside_a_transaction_is_refused(world, django_db_blocker):
    # pytest-django wraps each test in a transaction; leave it to see what a service would.
    connection = transaction.get_connection()
    atomic = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside the service's transaction"):
            record_activity(
                verb="registration.cancelled", target=world.registration, actor=world.registrant
            )
    finally:
        connection.in_atomic_block = atomic
    assert not Activity.objects.exists()


def test_an_activity_needs_an_actor_or_a_system_task(world):
    with pytest.raises(ValueError, match="the person acting or the system task"):
        record(verb="registration.cancelled", target=world.registration)


def test_a_person_acting_through_an_emailed_link_is_recorded_with_both(world):
    row = record(
        verb="registration.cancelled",
        target=world.registration,
        actor=world.registrant,
        system=EMAILED_LINK,
    )
    assert (row.actor, row.system) == (world.registrant, EMAILED_LINK)


def test_a_registration_names_itself_its_session_and_its_person(world):
    row = record(verb="registration.cancelled", target=world.registration, actor=world.staff)
    assert (row.registration_id, row.session_id, row.person_id) == (
        world.registration.pk,
        world.session.pk,
        world.registrant.pk,
    )
    assert row.actor == world.staff and row.system == ""


def test_a_session_names_itself_and_no_registration(world):
    row = record(verb="session.capacity_changed", target=world.session, system=SETTLE_COMMAND)
    assert (row.registration_id, row.session_id, row.person_id) == (None, world.session.pk, None)


def test_a_row_with_a_registration_names_its_session_and_person_from_it(world):
    """Attendance and certificates carry registration_id only; the registration says whose."""
    invitation = Invitation.objects.create(
        session=world.session,
        email=world.registrant.email,
        district=world.district,
        registration=world.registration,
    )
    row = record(verb="registration.invited", target=invitation, actor=world.coordinator)
    assert (row.registration_id, row.session_id, row.person_id) == (
        world.registration.pk,
        world.session.pk,
        world.registrant.pk,
    )
    assert row.target == invitation


def test_given_registration_session_and_person_win_over_the_targets(world):
    row = record(
        verb="registration.transfer_requested",
        target=world.colleague_registration,
        actor=world.registrant,
        registration=world.registration,
        person=world.registrant,
    )
    assert (row.registration_id, row.person_id) == (world.registration.pk, world.registrant.pk)


# Forgetting a deleted person ---------------------------------------------------------------


def test_forgetting_a_person_blanks_their_name_and_address_and_keeps_the_rows(world):
    about = record(
        verb="registration.transfer_requested",
        target=world.colleague_registration,
        actor=world.colleague,
        changes={"from_person": "Marisol Registrant <MARISOL.REGISTRANT@example.org>"},
        reason="Marisol Registrant cannot come.",
    )
    nested = record(
        verb="session.updated",
        target=world.session,
        actor=world.staff,
        changes={"notes": [["ask marisol.registrant@example.org"], "—"]},
    )
    unrelated = record(
        verb="registration.cancelled",
        target=world.colleague_registration,
        actor=world.colleague,
        reason="Tobias is ill.",
    )
    changed = forget_person_in_activities(
        person=world.registrant, email=world.registrant.email, name="Marisol Registrant"
    )
    assert changed == 2
    about.refresh_from_db()
    nested.refresh_from_db()
    unrelated.refresh_from_db()
    placeholder = f"deleted account {world.registrant.pk}"
    assert about.changes == {"from_person": f"{placeholder} <{placeholder}>"}
    assert about.reason == f"{placeholder} cannot come."
    assert nested.changes == {"notes": [[f"ask {placeholder}"], "—"]}
    assert unrelated.reason == "Tobias is ill."
    assert Activity.objects.count() == 3


def test_forgetting_finds_names_with_accents_in_json(world):
    row = record(
        verb="registration.transferred",
        target=world.registration,
        actor=world.staff,
        changes={"to_person": "Zoë Ångström"},
    )
    forget_person_in_activities(
        person=world.colleague, email="zoe@example.org", name="Zoë Ångström"
    )
    row.refresh_from_db()
    assert row.changes == {"to_person": f"deleted account {world.colleague.pk}"}


def test_forgetting_ignores_a_name_too_short_to_be_safe(world):
    row = record(
        verb="registration.cancelled", target=world.registration, actor=world.staff, reason="Also"
    )
    assert forget_person_in_activities(person=world.registrant, email="", name="Al") == 0
    row.refresh_from_db()
    assert row.reason == "Also"

"""The history selectors: what each holds, newest first, and one query whatever the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.selectors import (
    activities_of_person,
    history_of_registration,
    history_of_session,
    with_actor_roles,
)
from activity.services import SETTLE_COMMAND
from tests.activity.conftest import record
from tests.factories import RegistrationFactory, educator

pytestmark = pytest.mark.django_db


def _seed(world, count: int) -> None:
    for n in range(count):
        record(
            verb="registration.cancelled",
            target=world.registration,
            actor=world.staff,
            reason=f"r{n}",
        )
        record(verb="session.capacity_changed", target=world.session, system=SETTLE_COMMAND)
        record(
            verb="registration.approved",
            target=world.colleague_registration,
            actor=world.coordinator,
        )


def test_a_registrations_history_is_its_own_rows_newest_first(world):
    _seed(world, 2)
    reasons = [row.reason for row in history_of_registration(world.registration)]
    assert reasons == ["r1", "r0"]


def test_a_sessions_history_holds_its_own_changes_and_all_its_registrations(world):
    _seed(world, 1)
    elsewhere = RegistrationFactory(person=educator())
    record(verb="registration.cancelled", target=elsewhere, actor=world.staff)
    verbs = [row.verb for row in history_of_session(world.session)]
    assert verbs == ["registration.approved", "session.capacity_changed", "registration.cancelled"]


def test_a_persons_activities_are_those_about_them_and_those_they_did(world):
    _seed(world, 1)
    record(
        verb="registration.cancelled", target=world.colleague_registration, actor=world.registrant
    )
    mine = list(activities_of_person(world.registrant))
    assert [row.verb for row in mine] == ["registration.cancelled", "registration.cancelled"]
    assert {row.person_id for row in mine} == {world.registrant.pk, world.colleague.pk}


def _queries(queryset) -> int:
    with CaptureQueriesContext(connection) as captured:
        for row in queryset:
            # What the pages read: the actor, the record's type, the registration's person,
            # the session's provider.
            _ = (row.actor, row.target_type.model, row.person, row.session)
            if row.registration_id:
                _ = row.registration.person.email
            if row.session_id:
                _ = row.session.course.provider.short_name
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "selector",
    [
        lambda w: history_of_registration(w.registration),
        lambda w: history_of_session(w.session),
        lambda w: activities_of_person(w.registrant),
        lambda w: with_actor_roles(history_of_registration(w.registration)),
    ],
    ids=["registration", "session", "person", "with_actor_roles"],
)
def test_one_query_for_one_row_or_many(world, selector):
    _seed(world, 1)
    assert _queries(selector(world)) == 1
    _seed(world, 30)
    assert _queries(selector(world)) == 1


def test_actor_roles_say_what_the_actor_was_to_the_record(world):
    for actor in (world.staff, world.trainer, world.coordinator, world.admin, world.colleague):
        record(verb="registration.approved", target=world.registration, actor=actor)
    rows = {
        row.actor_id: (
            row.actor_is_provider_staff,
            row.actor_is_trainer,
            row.actor_is_coordinator,
            row.actor_is_alliance_admin,
        )
        for row in with_actor_roles(history_of_registration(world.registration))
    }
    assert rows == {
        world.staff.pk: (True, False, False, False),
        world.trainer.pk: (False, True, False, False),
        world.coordinator.pk: (False, False, True, False),
        world.admin.pk: (False, False, False, True),
        world.colleague.pk: (False, False, False, False),
    }

"""A small world for the activity log: one session of LEARN with a trainer and a registrant,
and every kind of viewer around them."""

from types import SimpleNamespace

import pytest
from django.db import transaction

from activity.services import record_activity
from tests.factories import (
    CourseFactory,
    DistrictFactory,
    ProviderFactory,
    RegistrationFactory,
    SessionFactory,
    alliance_admin,
    coordinator_of,
    educator,
    staff_of,
)


def record(**kwargs):
    """record_activity as a service calls it: inside a transaction."""
    with transaction.atomic():
        return record_activity(**kwargs)


@pytest.fixture
def world(db):
    learn = ProviderFactory(short_name="LEARN")
    ces = ProviderFactory(short_name="CES")
    district = DistrictFactory(member_of=learn)
    other_district = DistrictFactory(member_of=ces)
    registrant = educator(
        district=district,
        email="marisol.registrant@example.org",
        first_name="Marisol",
        last_name="Registrant",
    )
    colleague = educator(
        district=district,
        email="tobias.colleague@example.org",
        first_name="Tobias",
        last_name="Colleague",
    )
    trainer = educator(district=other_district, first_name="Tess", last_name="Trainer")
    session = SessionFactory(course=CourseFactory(provider=learn, title="Restorative Circles"))
    session.trainers.set([trainer])
    return SimpleNamespace(
        learn=learn,
        district=district,
        registrant=registrant,
        colleague=colleague,
        trainer=trainer,
        educator=educator(district=district),
        coordinator=coordinator_of(
            district,
            user__email="cora.coordinator@example.org",
            user__first_name="Cora",
            user__last_name="Ord",
        ),
        other_coordinator=coordinator_of(other_district),
        staff=staff_of(
            learn, email="sam.staff@learn.example.org", first_name="Sam", last_name="Staffer"
        ),
        other_staff=staff_of(ces),
        admin=alliance_admin(),
        session=session,
        registration=RegistrationFactory(session=session, person=registrant),
        colleague_registration=RegistrationFactory(session=session, person=colleague),
    )

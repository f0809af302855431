"""Group registration and seat transfers cannot be used to learn whether an address has an
account: an unknown address and an account of another district get the same answer (and the
same invitation, which only a person of the district can accept), and both pages are rate
limited."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from registrations.models import Invitation, Registration
from tests.factories import (
    DistrictFactory,
    RegistrationFactory,
    SessionFactory,
    coordinator_of,
    educator,
    in_days,
    staff_of,
)

pytestmark = pytest.mark.django_db
URL = "/approvals/group/"


def _outcomes(client, by, address: str, **form) -> str:
    """The 'What happened' section of the page after registering `address`, with the address
    itself taken out."""
    client.force_login(by)
    answer = client.post(URL, {"emails": address, "payer": "district", **form})
    assert answer.status_code == 200
    section = re.search(
        r'<section aria-labelledby="outcomes-h".*?</section>', answer.content.decode(), re.S
    )
    assert section, answer.content.decode()
    return section.group(0).replace(address, "ADDRESS")


@pytest.mark.parametrize("as_staff", [False, True], ids=["coordinator", "staff"])
def test_an_unknown_address_and_another_districts_account_get_the_same_answer(
    client, django_capture_on_commit_callbacks, as_staff
):
    district = DistrictFactory(name="Groton Public Schools")
    session = SessionFactory()
    by = staff_of(session.course.provider) if as_staff else coordinator_of(district)
    form = {"session": session.pk, **({"district": district.pk} if as_staff else {})}
    outsider = educator(district=DistrictFactory(), email="morgan.outside@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        unknown = _outcomes(client, by, "nobody.here@example.org", **form)
        foreign = _outcomes(client, by, outsider.email, **form)

    assert unknown == foreign
    assert "if this address belongs to someone who works in Groton Public Schools" in unknown
    assert "Not a member" not in unknown
    assert not Registration.objects.exists()
    # Both addresses got the same invitation, for that district.
    invited = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("You are invited"))
    assert invited == ["morgan.outside@example.org", "nobody.here@example.org"]
    assert all(i.district == district for i in Invitation.objects.all())


def test_an_invitation_cannot_be_accepted_by_a_person_of_another_district(
    client, django_capture_on_commit_callbacks
):
    district = DistrictFactory(name="Groton Public Schools")
    session = SessionFactory()
    outsider = educator(district=DistrictFactory(), email="morgan.outside@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _outcomes(client, coordinator_of(district), outsider.email, session=session.pk)
    invitation = Invitation.objects.get()
    email = next(m for m in mail.outbox if m.to == [outsider.email])
    assert "for people who work in Groton Public Schools" in email.body

    client.force_login(outsider)
    answer = client.post(f"/invitations/{invitation.token}/", follow=True)

    assert "This invitation is for people who work in Groton Public Schools" in (
        answer.content.decode()
    )
    assert not Registration.objects.exists()
    # A colleague of the district with that address would have been registered directly.
    colleague = educator(district=district, email="sam.inside@example.org")
    assert "Confirmed." in _outcomes(
        client, coordinator_of(district), colleague.email, session=session.pk
    )


@override_settings(
    RATE_LIMITS={"register": "20/m", "checkin": "15/m", "group": "3/m", "transfer": "3/m"}
)
def test_a_burst_of_group_registrations_gets_429(client):
    district = DistrictFactory()
    session = SessionFactory()
    client.force_login(coordinator_of(district))
    with time_machine.travel(in_days(0, 10).replace(second=5), tick=False):
        statuses = [
            client.post(
                URL, {"session": session.pk, "emails": f"probe{n}@example.org", "payer": "district"}
            ).status_code
            for n in range(4)
        ]
        assert client.get(URL).status_code == 200  # reading the page is not limited
    assert statuses == [200, 200, 200, 429]
    assert Invitation.objects.count() == 3


@override_settings(
    RATE_LIMITS={"register": "20/m", "checkin": "15/m", "group": "3/m", "transfer": "3/m"}
)
def test_a_burst_of_seat_transfers_gets_429(client):
    registration = RegistrationFactory(session=SessionFactory(starts_in_days=10))
    client.force_login(registration.person)
    with time_machine.travel(in_days(0, 10).replace(second=5), tick=False):
        statuses = [
            client.post(
                f"/registrations/{registration.pk}/transfer/", {"email": f"probe{n}@example.org"}
            ).status_code
            for n in range(4)
        ]
    assert statuses == [302, 302, 302, 429]
    registration.refresh_from_db()
    assert registration.status == "confirmed"

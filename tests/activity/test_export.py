"""/me/data.json holds the person's activities: about them and by them, without anyone
else's name or address."""

import json

import pytest

from tests.activity.conftest import record

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_persons_activities_without_other_peoples_data(client, world):
    record(
        verb="registration.promoted",
        target=world.registration,
        actor=world.staff,
        changes={"status": ["waitlisted", "confirmed"]},
        reason="Sam Staffer found a seat.",
    )
    record(
        verb="registration.transfer_requested",
        target=world.colleague_registration,
        actor=world.registrant,
        changes={"to_email": world.colleague.email},
        reason="For Tobias Colleague.",
    )
    record(verb="registration.cancelled", target=world.colleague_registration, actor=world.staff)
    client.force_login(world.registrant)
    response = client.get("/me/data.json")
    data = json.loads(response.content)
    rows = data["activities"]
    assert [row["verb"] for row in rows] == [
        "registration.promoted",
        "registration.transfer_requested",
    ]
    about, by = rows
    assert about["by"] == "LEARN staff"
    assert about["record"] == f"registration {world.registration.pk}"
    assert about["changes"] == {"status": ["waitlisted", "confirmed"]}
    assert about["reason"] == "another person found a seat."
    assert by["by"] == "You"
    assert by["changes"] == {"to_email": "another person"}
    assert by["reason"] == "For another person."
    text = response.content.decode()
    for other in ("Sam", "Staffer", "sam.staff", "Tobias", "tobias.colleague"):
        assert other not in text, other

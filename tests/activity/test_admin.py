"""The activity log in the admin: read-only; Alliance admins see every row, provider staff
their providers' sessions' rows."""

import pytest
from django.urls import reverse

from activity.models import Activity
from activity.services import SETTLE_COMMAND
from tests.activity.conftest import record
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:activity_activity_changelist")


def _rows(world):
    ours = record(
        verb="registration.cancelled",
        target=world.registration,
        actor=world.staff,
        reason="Ours.",
    )
    other_session = SessionFactory(
        course=CourseFactory(provider=world.other_staff.roles.get().provider)
    )
    theirs = record(verb="session.cancelled", target=other_session, system=SETTLE_COMMAND)
    Activity.objects.filter(pk=theirs.pk).update(request_id="req-1234")
    return ours, theirs


def test_alliance_admins_see_every_row_and_find_one_by_request_id(client, world):
    ours, theirs = _rows(world)
    client.force_login(world.admin)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    page = response.content.decode()
    assert "Cancelled (registration.cancelled)" in page
    assert "The system (settle_sessions command)" in page
    found = client.get(CHANGELIST, {"q": "req-1234"}).context["cl"].result_list
    assert list(found) == [theirs]


def test_provider_staff_see_only_their_providers_rows(client, world):
    ours, theirs = _rows(world)
    client.force_login(world.staff)
    assert list(client.get(CHANGELIST).context["cl"].result_list) == [ours]
    other = reverse("admin:activity_activity_change", args=[theirs.pk])
    assert client.get(other, follow=True).redirect_chain  # not theirs: sent away


def test_nobody_adds_changes_or_deletes_a_row(client, world):
    ours, _ = _rows(world)
    client.force_login(world.admin)
    assert client.get(reverse("admin:activity_activity_add")).status_code == 403
    change = reverse("admin:activity_activity_change", args=[ours.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    client.post(change, {"reason": "Edited."})
    delete = reverse("admin:activity_activity_delete", args=[ours.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    ours.refresh_from_db()
    assert ours.reason == "Ours."


def test_people_without_a_role_do_not_see_the_log(client, world):
    client.force_login(world.registrant)
    assert client.get(CHANGELIST).status_code == 302

"""The history pages: /me/registrations/<pk>/, the staff view of one registration, and a
session's history (at the bottom of its registrations page and on its own page)."""

import pytest
from django.urls import reverse

from activity.services import SETTLE_COMMAND
from activity.templatetags.activity_tags import LATEST
from tests.activity.conftest import record
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def _my_url(world) -> str:
    return reverse("activity:my_registration", kwargs={"pk": world.registration.pk})


def _staff_url(world) -> str:
    return reverse(
        "activity:staff_registration",
        kwargs={"pk": world.session.pk, "registration_pk": world.registration.pk},
    )


def _seed(world):
    record(
        verb="registration.registered",
        target=world.registration,
        actor=world.registrant,
        changes={"status": [None, "waitlisted"]},
    )
    record(
        verb="registration.promoted",
        target=world.registration,
        actor=world.staff,
        changes={"status": ["waitlisted", "confirmed"]},
        reason="A seat opened.",
    )


def test_the_registrant_sees_their_registration_and_its_history(client, world):
    _seed(world)
    client.force_login(world.registrant)
    response = client.get(_my_url(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Restorative Circles" in page
    assert '<h2 id="history-h">History</h2>' in page
    assert "Confirmed from the waitlist" in page and "Registered" in page
    assert 'Waitlisted <span aria-hidden="true">→</span>' in page
    assert "LEARN staff" in page and "You" in page
    assert "Reason: A seat opened." in page
    assert "Sam Staffer" not in page and "sam.staff@learn.example.org" not in page
    assert "<time datetime=" in page


def test_the_waitlist_position_is_shown(client, world):
    world.registration.status = "waitlisted"
    world.registration.save()
    client.force_login(world.registrant)
    assert "number 1 in line" in client.get(_my_url(world)).content.decode()


def test_me_links_each_registration_to_its_details(client, world):
    client.force_login(world.registrant)
    assert _my_url(world) in client.get(reverse("registrations:me")).content.decode()


@pytest.mark.parametrize("viewer", ["educator", "colleague", "coordinator", "staff", "admin"])
def test_someone_elses_registration_is_not_found_on_me(client, world, viewer):
    client.force_login(getattr(world, viewer))
    assert client.get(_my_url(world)).status_code == 404


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("registrant", 403),
        ("coordinator", 403),
        ("trainer", 403),
        ("other_staff", 404),
        ("staff", 200),
        ("admin", 200),
    ],
)
def test_the_staff_registration_page_is_for_the_providers_staff(client, world, viewer, status):
    client.force_login(getattr(world, viewer))
    assert client.get(_staff_url(world)).status_code == status


def test_a_registration_of_another_session_is_not_found(client, world):
    client.force_login(world.staff)
    other = SessionFactory(course=world.session.course)
    url = reverse(
        "activity:staff_registration",
        kwargs={"pk": other.pk, "registration_pk": world.registration.pk},
    )
    assert client.get(url).status_code == 404


def test_staff_see_the_registration_with_names_and_emails_in_its_history(client, world):
    _seed(world)
    client.force_login(world.staff)
    page = client.get(_staff_url(world)).content.decode()
    for shown in (
        "Marisol Registrant",
        "marisol.registrant",
        world.district.name,
        "Confirmed",
        "Confirmed from the waitlist",
        "Sam Staffer",
        "mailto:sam.staff@learn.example.org",
        "Reason: A seat opened.",
    ):
        assert shown in page, shown


def test_the_registrations_page_links_each_registration_and_ends_with_the_history(client, world):
    _seed(world)
    record(
        verb="session.capacity_changed",
        target=world.session,
        system=SETTLE_COMMAND,
        changes={"capacity": [20, 25]},
    )
    client.force_login(world.staff)
    url = reverse("staff:session_registrations", kwargs={"pk": world.session.pk})
    page = client.get(url).content.decode()
    assert _staff_url(world) in page
    history = page[page.index('<h2 id="history-h">') :]
    assert "Capacity changed" in history and "Capacity: 20" in history
    assert "The system (settle_sessions command)" in history
    assert "Marisol Registrant" in history
    assert reverse("activity:session_history", kwargs={"pk": world.session.pk}) not in page


def test_a_long_history_shows_the_latest_and_links_to_the_rest(client, world):
    for n in range(LATEST + 1):
        record(verb="session.updated", target=world.session, actor=world.staff, reason=f"n{n}")
    client.force_login(world.staff)
    page = client.get(
        reverse("staff:session_registrations", kwargs={"pk": world.session.pk})
    ).content.decode()
    history_url = reverse("activity:session_history", kwargs={"pk": world.session.pk})
    assert history_url in page
    assert f"Reason: n{LATEST}<" in page and "Reason: n0<" not in page
    full = client.get(history_url).content.decode()
    assert f"Reason: n{LATEST}<" in full and f"{LATEST + 1} in all" in full
    assert "Reason: n0<" in client.get(history_url + "?page=2").content.decode()


@pytest.mark.parametrize(
    ("viewer", "status"), [("registrant", 403), ("other_staff", 404), ("admin", 200)]
)
def test_the_session_history_page_is_for_the_providers_staff(client, world, viewer, status):
    client.force_login(getattr(world, viewer))
    url = reverse("activity:session_history", kwargs={"pk": world.session.pk})
    assert client.get(url).status_code == status


def test_the_pages_cost_the_same_queries_for_few_and_many_rows(
    client, world, django_assert_max_num_queries
):
    _seed(world)
    urls = [
        _my_url(world),
        _staff_url(world),
        reverse("activity:session_history", kwargs={"pk": world.session.pk}),
    ]
    counts = {}
    for url in urls:
        client.force_login(world.registrant if url == _my_url(world) else world.staff)
        with django_assert_max_num_queries(40) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    for _ in range(10):
        _seed(world)
        record(
            verb="registration.moved",
            target=world.registration,
            actor=world.staff,
            changes={"to_session": world.session.pk},
        )
    for url in urls:
        client.force_login(world.registrant if url == _my_url(world) else world.staff)
        # At most one more: the session titles named by the new `to_session` rows.
        with django_assert_max_num_queries(counts[url] + 1):
            assert client.get(url).status_code == 200

"""An online session's meeting link reaches confirmed registrants (emails, invites, their feed,
/me/) and nobody else (the public page and calendar, the API, waitlisted or pending people)."""

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from registrations.models import CalendarFeed, Registration
from registrations.services import send_due_reminders
from tests.courses.test_admin import _session_post, _split
from tests.factories import SessionFactory, VenueFactory, educator, in_days, staff_of

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.org/learn-uplift-7f3k"
NEW_LINK = "https://meet.example.org/learn-uplift-new-room"


def _online(**kwargs):
    return SessionFactory(format="online", online_url=LINK, **kwargs)


def _register(client, session, person, capture) -> Registration:
    client.force_login(person)
    with capture(execute=True):
        client.post(f"/sessions/{session.pk}/register/", {"payer": "self"})
    return Registration.objects.get(person=person, session=session)


def _mail_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def _invite(message):
    [(name, content, mimetype)] = message.attachments
    return Calendar.from_ical(content)


def test_the_confirmation_email_and_its_invite_carry_the_link(
    client, django_capture_on_commit_callbacks
):
    session, person = _online(), educator()

    assert _register(client, session, person, django_capture_on_commit_callbacks).status == (
        "confirmed"
    )

    [message] = _mail_to(person)
    assert f"Join online: {LINK}" in message.body
    event = _invite(message).events[0]
    assert str(event["LOCATION"]) == LINK
    assert str(event["URL"]) == LINK
    assert LINK in str(event["DESCRIPTION"])


def test_a_hybrid_invite_keeps_the_venue_as_location_and_carries_the_link(
    client, django_capture_on_commit_callbacks
):
    session = SessionFactory(format="hybrid", online_url=LINK)
    session.venue = VenueFactory(provider=session.course.provider, name="LEARN Annex")
    session.save()
    person = educator()
    _register(client, session, person, django_capture_on_commit_callbacks)

    event = _invite(_mail_to(person)[0]).events[0]

    assert str(event["LOCATION"]).startswith("LEARN Annex")
    assert str(event["URL"]) == LINK and LINK in str(event["DESCRIPTION"])


def test_waitlisted_and_pending_people_are_not_sent_the_link(
    client, django_capture_on_commit_callbacks
):
    full, waiting = _online(capacity=0), educator()
    approval, pending = _online(requires_approval=True), educator()

    assert _register(client, full, waiting, django_capture_on_commit_callbacks).status == (
        "waitlisted"
    )
    assert _register(client, approval, pending, django_capture_on_commit_callbacks).status == (
        "pending"
    )

    sent = _mail_to(waiting) + _mail_to(pending)
    assert sent
    for message in sent:
        assert LINK not in message.body
        assert all(LINK not in str(content) for _, content, _ in message.attachments)


def test_the_public_page_calendar_and_api_never_show_the_link(
    client, api_client, django_capture_on_commit_callbacks
):
    session, person = _online(), educator()
    _register(client, session, person, django_capture_on_commit_callbacks)

    # Even to the confirmed person: these addresses are public.
    page = client.get(session.get_absolute_url())
    public_ics = client.get(f"/sessions/{session.pk}/calendar.ics")
    anonymous_api = api_client.get(f"/api/v1/sessions/{session.pk}/")

    assert page.status_code == public_ics.status_code == anonymous_api.status_code == 200
    assert "link sent to registered participants" in page.text
    assert "Your meeting link is on" in page.text
    for body in (page.text, public_ics.content.decode(), anonymous_api.content.decode()):
        assert LINK not in body
    assert "LOCATION:Online" in public_ics.content.decode()


def test_me_shows_the_link_to_the_confirmed_person_only(client, django_capture_on_commit_callbacks):
    session = _online(capacity=1)
    confirmed, waiting = educator(), educator()
    _register(client, session, confirmed, django_capture_on_commit_callbacks)
    _register(client, session, waiting, django_capture_on_commit_callbacks)

    client.force_login(confirmed)
    mine = client.get("/me/").text
    client.force_login(waiting)
    theirs = client.get("/me/").text

    assert f'href="{LINK}"' in mine
    assert LINK not in theirs


def test_the_private_feed_carries_the_link(client, django_capture_on_commit_callbacks):
    session, person = _online(), educator()
    _register(client, session, person, django_capture_on_commit_callbacks)
    feed, _ = CalendarFeed.objects.get_or_create(person=person)

    body = client.get(f"/calendar/{feed.token}.ics").content.decode()

    assert f"LOCATION:{LINK}" in body


def test_the_reminder_carries_the_link(client, django_capture_on_commit_callbacks):
    session = _online(starts_in_days=2, meetings=[(in_days(1, 9), in_days(1, 15))])
    person = educator()
    _register(client, session, person, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 1

    [reminder] = mail.outbox
    assert reminder.subject.startswith("Reminder")
    assert f"Join online: {LINK}" in reminder.body
    assert str(_invite(reminder).events[0]["LOCATION"]) == LINK


def test_a_new_link_through_the_api_sends_confirmed_people_an_updated_invite(
    client, api_client, django_capture_on_commit_callbacks
):
    session = _online(capacity=1)
    confirmed, waiting = educator(), educator()
    _register(client, session, confirmed, django_capture_on_commit_callbacks)
    _register(client, session, waiting, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    api_client.force_authenticate(staff_of(session.course.provider))

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.patch(
            f"/api/v1/sessions/{session.pk}/", {"online_url": NEW_LINK}, format="json"
        )

    assert response.status_code == 200, response.json()
    [message] = mail.outbox
    assert message.to == [confirmed.email] and f"Join online: {NEW_LINK}" in message.body
    event = _invite(message).events[0]
    assert (str(event["LOCATION"]), int(event["SEQUENCE"])) == (NEW_LINK, 1)


def test_a_new_link_through_the_admin_sends_confirmed_people_an_updated_invite(
    client, django_capture_on_commit_callbacks
):
    session = _online()
    person = educator()
    _register(client, session, person, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    meeting = session.meetings.get()
    data = _session_post(
        course=session.course,
        meetings=[(meeting.starts_at, meeting.ends_at)],
        closes_at=session.registration_closes_at,
        capacity=session.capacity,
        existing=[meeting],
    )
    data |= _split(session.registration_opens_at, "registration_opens_at")
    data |= {"format": "online", "online_url": NEW_LINK, "title": session.title}
    client.force_login(staff_of(session.course.provider))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:courses_session_change", args=[session.pk]), data)

    assert response.status_code == 302, response.text[:3000]
    [message] = mail.outbox
    event = _invite(message).events[0]
    assert (str(event["LOCATION"]), int(event["SEQUENCE"])) == (NEW_LINK, 1)

"""Registration as a person does it in the browser: the session page, /me/, calendars."""

import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags
from icalendar import Calendar

from courses.services import MeetingTimes
from registrations.models import CalendarFeed, Registration
from registrations.notifications import build_email
from registrations.services import register, update_session
from tests.factories import RegistrationFactory, SessionFactory, educator, in_days

pytestmark = pytest.mark.django_db


def test_the_session_page_offers_register_then_shows_the_registration(client):
    session, person = SessionFactory(), educator()
    client.force_login(person)
    page = client.get(session.get_absolute_url())
    assert b">Register</button>" in page.content
    response = client.post(f"/sessions/{session.pk}/register/", {"payer": "self"}, follow=True)
    assert b"You are registered" in response.content
    assert Registration.objects.get(person=person).status == "confirmed"
    again = client.post(f"/sessions/{session.pk}/register/", {"payer": "self"}, follow=True)
    assert b"already registered" in again.content
    assert Registration.objects.filter(person=person).count() == 1


def test_a_full_session_offers_the_waitlist_with_the_number_ahead(client):
    session = SessionFactory(capacity=1)
    register(person=educator(), session=session)
    register(person=educator(), session=session)
    client.force_login(educator())
    assert b"Join the waitlist (1 ahead)" in client.get(session.get_absolute_url()).content


def test_an_approval_session_asks_for_approval(client):
    client.force_login(educator())
    page = client.get(SessionFactory(requires_approval=True).get_absolute_url())
    assert b"Request approval" in page.content


def test_anonymous_visitors_are_asked_to_sign_in(client):
    page = client.get(SessionFactory().get_absolute_url())
    assert b"Sign in to register" in page.content


def test_a_broken_rule_shows_its_message_on_the_page(client):
    session = SessionFactory()
    client.force_login(educator())
    response = client.post(
        f"/sessions/{session.pk}/register/",
        {"payer": "self", "purchase_order": "PO-1"},
        follow=True,
    )
    assert b"only when your district pays" in response.content
    assert not Registration.objects.exists()


def test_me_lists_upcoming_and_cancel_works(client):
    registration = RegistrationFactory()
    client.force_login(registration.person)
    page = client.get("/me/")
    assert str(registration.session).encode() in page.content
    client.post(f"/registrations/{registration.pk}/cancel/", {"next": "/me/"})
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def _text(response) -> str:
    """The page's words as a person reads them (tags dropped, entities decoded)."""
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def test_the_cancel_buttons_lead_to_a_page_that_asks_first(client):
    registration = RegistrationFactory()
    client.force_login(registration.person)
    url = f"/registrations/{registration.pk}/cancel/"
    me = client.get("/me/").content.decode()
    assert re.search(
        rf'<form method="get" action="{url}"[^>]*>\s*<input type="hidden" name="next" value="/me/">',
        me,
    )
    panel = client.get(registration.session.get_absolute_url()).content.decode()
    assert f'<form method="get" action="{url}">' in panel


def test_asking_to_cancel_says_the_seat_goes_to_the_waitlist_and_changes_nothing(client):
    session = SessionFactory(capacity=1, is_free=True)
    holder = register(person=educator(), session=session).registration
    waiting = register(person=educator(), session=session).registration
    client.force_login(holder.person)
    page = client.get(f"/registrations/{holder.pk}/cancel/?next=/me/")
    assert page.status_code == 200
    text = _text(page)
    assert "Cancel your registration?" in text
    assert "Your seat goes to the next person on the waitlist" in text
    assert "costs" not in text
    assert 'name="next" value="/me/"' in page.content.decode()
    assert 'href="/me/">Keep it</a>' in page.content.decode()
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == ("confirmed", "waitlisted")
    response = client.post(f"/registrations/{holder.pk}/cancel/", {"next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == ("cancelled", "confirmed")


def test_asking_to_cancel_a_paid_seat_gives_the_price_the_payer_and_the_refund_policy(client):
    registration = RegistrationFactory(
        price="150.00", payer="district", purchase_order="PO-7781", session__is_free=False
    )
    provider = registration.session.course.provider
    client.force_login(registration.person)
    page = client.get(f"/registrations/{registration.pk}/cancel/")
    text = _text(page)
    assert "Your seat is released for someone else to take." in text
    assert "This registration costs $150.00, paid by your district" in text
    assert "purchase order PO-7781" in text
    assert f"Refunds and cancellation fees follow {provider.name}'s cancellation policy" in text
    assert f'href="{registration.session.get_absolute_url()}">Keep it</a>' in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_someone_elses_registration_has_no_cancel_page(client):
    registration = RegistrationFactory()
    client.force_login(educator())
    assert client.get(f"/registrations/{registration.pk}/cancel/").status_code == 404
    assert client.post(f"/registrations/{registration.pk}/cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_a_started_session_cannot_be_cancelled_from_the_page_that_asks(client):
    registration = RegistrationFactory(
        session__registration_closes_at=in_days(-2),
        session__registration_opens_at=in_days(-30),
        session__meetings=[(in_days(-1, 9), in_days(1, 15))],
    )
    client.force_login(registration.person)
    page = client.get(f"/registrations/{registration.pk}/cancel/")
    assert page.status_code == 200
    assert "This session has already started" in _text(page)
    assert "Yes, cancel" not in _text(page)


def test_me_costs_the_same_queries_for_5_and_200_registrations(client):
    person = educator()
    client.force_login(person)
    for _ in range(5):
        RegistrationFactory(person=person)
    client.get("/me/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/").status_code == 200
        return len(queries)

    small = count()
    for _ in range(195):
        RegistrationFactory(person=person, session=SessionFactory(meetings=[]))
    assert count() == small


def _parse(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


def test_the_confirmation_email_carries_a_request_invite_with_stable_uid_and_timezone():
    registration = RegistrationFactory()
    message = build_email(registration, "confirmed")
    name, content, mimetype = message.attachments[0]
    calendar = _parse(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.events[0]
    meeting = registration.session.meetings.get()
    assert str(event["UID"]) == f"meeting-{meeting.pk}@pd.rescalliance.example.org"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert calendar.timezones and calendar.timezones[0]["TZID"] == "America/New_York"
    assert int(event["SEQUENCE"]) == 0


def test_a_time_change_raises_the_sequence_and_cancellation_sends_cancel():
    registration = RegistrationFactory(session=SessionFactory(starts_in_days=20))
    session = registration.session
    update_session(
        session=session, by=None, meetings=[MeetingTimes(in_days(21, 10), in_days(21, 14))]
    )
    event = _parse(build_email(registration, "session_changed").attachments[0][1]).events[0]
    assert int(event["SEQUENCE"]) == 1
    registration.status = "cancelled"
    cancel = _parse(build_email(registration, "cancelled").attachments[0][1])
    assert str(cancel["METHOD"]) == "CANCEL" and int(cancel.events[0]["SEQUENCE"]) == 2


def test_the_public_session_calendar_downloads(client):
    session = SessionFactory(
        meetings=[(in_days(9, 9), in_days(9, 12)), (in_days(10, 9), in_days(10, 12))]
    )
    response = client.get(f"/sessions/{session.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert len(_parse(response.content).events) == 2


def test_the_private_feed_lists_confirmed_sessions_and_refuses_a_reset_token(client):
    registration = RegistrationFactory()
    RegistrationFactory(person=registration.person, status="waitlisted")
    client.force_login(registration.person)
    client.get("/me/")
    token = CalendarFeed.objects.get(person=registration.person).token
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and len(_parse(feed.content).events) == 1
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    client.post("/me/calendar/reset/")
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_release_link_gives_the_seat_to_the_next_person(
    client, django_capture_on_commit_callbacks
):
    session = SessionFactory(capacity=1)
    holder = register(person=educator(), session=session).registration
    waiting = register(person=educator(), session=session).registration
    mail.outbox.clear()
    client.force_login(holder.person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registrations/{holder.pk}/cancel/")
    client.logout()
    promoted = next(m for m in mail.outbox if m.to == [waiting.person.email])
    link = next(line for line in promoted.body.splitlines() if "/registrations/release/" in line)
    path = link[link.index("/registrations/release/") :].strip()
    assert client.get(path).status_code == 200
    client.post(path)
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    assert client.get("/registrations/release/forged-token/").status_code == 404


def test_a_coordinator_approves_and_declines_from_the_queue(
    client, django_capture_on_commit_callbacks
):
    from tests.factories import DistrictFactory, coordinator_of

    district = DistrictFactory()
    session = SessionFactory(requires_approval=True, capacity=5)
    first = register(person=educator(district=district), session=session).registration
    second = register(person=educator(district=district), session=session).registration
    elsewhere = register(person=educator(), session=session).registration
    client.force_login(coordinator_of(district))
    page = client.get("/approvals/")
    assert first.person.get_full_name().encode() in page.content
    assert elsewhere.person.email.encode() not in page.content
    client.post(f"/approvals/{first.pk}/decide/", {"decision": "approve"})
    empty = client.post(
        f"/approvals/{second.pk}/decide/", {"decision": "decline", "reason": ""}, follow=True
    )
    assert b"Please give a reason" in empty.content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/approvals/{second.pk}/decide/", {"decision": "decline", "reason": "Not this year"}
        )
    assert (
        client.post(f"/approvals/{elsewhere.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[elsewhere.pk]) == (
        "confirmed",
        "declined",
        "pending",
    )
    assert "Not this year" in mail.outbox[0].body


def test_educators_cannot_open_the_approvals_page(client):
    client.force_login(educator())
    assert client.get("/approvals/").status_code == 403


def test_a_free_session_registers_from_its_page_without_a_payer(client):
    session = SessionFactory(is_free=True)
    client.force_login(educator())
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Who pays?" not in page  # nobody pays, so the page does not ask

    # The form as the page sends it: no payer, no purchase order.
    response = client.post(f"/sessions/{session.pk}/register/", {}, follow=True)

    content = response.content.decode()
    assert "This field is required" not in content
    assert "You are registered." in content
    registration = Registration.objects.get(session=session)
    assert (registration.status, registration.price, registration.payer) == ("confirmed", 0, "self")
    assert registration.purchase_order == ""


def test_a_paid_session_without_a_payer_asks_who_pays(client):
    session = SessionFactory()
    client.force_login(educator())
    response = client.post(f"/sessions/{session.pk}/register/", {}, follow=True)
    assert "Choose who pays: you or your district." in response.content.decode()
    assert not Registration.objects.exists()


def _release_path(registration) -> str:
    """The path of the link a promotion email carries."""
    from urllib.parse import urlsplit

    from registrations.notifications import release_url

    return urlsplit(release_url(registration)).path


def test_the_release_link_of_a_past_session_releases_nothing_and_keeps_the_certificate(client):
    """A link acts as the registrant, with their limits: after the start nothing is released
    and the certificate earned stays valid."""
    from tests.certificates.helpers import completed, past_session

    certificate = completed(past_session())
    path = _release_path(certificate.registration)

    page = client.get(path).content.decode()
    assert "can no longer be released" in page
    assert "Yes, release my seat" not in page
    assert 'method="post"' not in page.split("<main", 1)[1]

    response = client.post(path, follow=True)

    assert "already started" in response.content.decode()
    certificate.refresh_from_db()
    certificate.registration.refresh_from_db()
    assert certificate.registration.status == "confirmed"
    assert certificate.revoked_at is None
    assert "Valid" in client.get(certificate.get_verify_path()).content.decode()


def test_the_release_link_of_an_upcoming_session_releases_the_seat(client):
    registration = RegistrationFactory(session=SessionFactory(starts_in_days=5))
    path = _release_path(registration)

    assert "Yes, release my seat" in client.get(path).content.decode()
    response = client.post(path, follow=True)

    assert "your seat is released" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert registration.cancelled_by == registration.person  # the link acted as them

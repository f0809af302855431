"""Group registration by coordinators, invitations, seat transfers and reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from attendance.services import AttendanceEntry, record_attendance
from registrations.models import Invitation, Registration
from registrations.services import (
    accept_invitation,
    register,
    register_group,
    send_due_reminders,
    transfer_registration,
)
from tests.factories import (
    DistrictFactory,
    SessionFactory,
    coordinator_of,
    educator,
    in_days,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


def test_a_coordinator_registers_a_group_and_sees_each_outcome(django_capture_on_commit_callbacks):
    district = DistrictFactory()
    coordinator = coordinator_of(district)
    session = SessionFactory(capacity=1, requires_approval=True)
    first, second = educator(district=district), educator(district=district)
    outsider = educator()
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = register_group(
            session=session,
            by=coordinator,
            people=[first, second],
            emails=[outsider.email, "new.teacher@example.org", "not-an-email"],
            purchase_order="PO-7",
        )
    by_who = {o.who: o.result for o in outcomes}
    # The coordinator's own registration counts as approved: seats, then the waitlist.
    assert by_who[first.email] == "confirmed" and by_who[second.email] == "waitlisted"
    # An account of another district is answered as an unknown address: both invited.
    assert by_who[outsider.email] == "invited"
    assert by_who["new.teacher@example.org"] == "invited"
    assert by_who["not-an-email"] == "refused"
    assert Registration.objects.get(person=first).purchase_order == "PO-7"
    invite = next(m for m in mail.outbox if m.to == ["new.teacher@example.org"])
    assert "/invitations/" in invite.body


def test_a_coordinator_cannot_register_people_of_another_district():
    coordinator = coordinator_of(DistrictFactory())
    outcomes = register_group(session=SessionFactory(), by=coordinator, people=[educator()])
    assert outcomes[0].result == "refused" and "Not a member" in outcomes[0].message
    assert not Registration.objects.exists()


def test_educators_do_not_register_groups():
    with pytest.raises(PermissionDenied):
        register_group(session=SessionFactory(), by=educator(), people=[educator()])


def test_an_invited_person_signs_up_and_accepts():
    district = DistrictFactory()
    coordinator = coordinator_of(district)
    session = SessionFactory()
    register_group(session=session, by=coordinator, emails=["casey.new@example.org"])
    invitation = Invitation.objects.get()
    someone_else = educator(district=district)
    with pytest.raises(PermissionDenied):
        accept_invitation(invitation=invitation, person=someone_else)
    person = educator(district=district, email="casey.new@example.org")
    result = accept_invitation(invitation=invitation, person=person)
    assert result.registration.status == Status.CONFIRMED
    assert result.registration.payer == "district"
    invitation.refresh_from_db()
    assert invitation.registration == result.registration
    assert accept_invitation(invitation=invitation, person=person).created is False


def test_the_invitation_page_asks_to_sign_up_then_accepts(client):
    district = DistrictFactory()
    register_group(
        session=SessionFactory(), by=coordinator_of(district), emails=["dana@example.org"]
    )
    invitation = Invitation.objects.get()
    page = client.get(f"/invitations/{invitation.token}/")
    assert b"Create account" in page.content
    client.force_login(educator(district=district, email="dana@example.org"))
    client.post(f"/invitations/{invitation.token}/")
    assert Registration.objects.get(person__email="dana@example.org").status == Status.CONFIRMED
    assert client.get("/invitations/unknown-token/").status_code == 404


def test_the_group_page_reports_per_person(client):
    district = DistrictFactory()
    coordinator = coordinator_of(district)
    session = SessionFactory()
    person = educator(district=district)
    client.force_login(coordinator)
    page = client.get("/approvals/group/")
    assert person.email.encode() in page.content
    response = client.post(
        "/approvals/group/",
        {"session": session.pk, "people": [person.pk], "emails": "", "payer": "district"},
    )
    assert b"Confirmed" in response.content
    empty = client.post("/approvals/group/", {"session": session.pk, "payer": "district"})
    assert b"Choose at least one person" in empty.content
    client.force_login(educator())
    assert client.get("/approvals/group/").status_code == 403


def test_a_confirmed_seat_transfers_to_a_colleague_of_the_same_district(
    django_capture_on_commit_callbacks,
):
    district = DistrictFactory()
    session = SessionFactory(capacity=1)
    holder = register(person=educator(district=district), session=session).registration
    colleague = educator(district=district)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = transfer_registration(registration=holder, to_person=colleague, by=holder.person)
    assert new.status == Status.CONFIRMED and new.moved_from_id == holder.pk
    assert new.created_by == holder.person
    assert Registration.objects.get(pk=holder.pk).status == Status.CANCELLED
    assert {m.to[0] for m in mail.outbox} == {holder.person.email, colleague.email}


def test_a_seat_cannot_go_to_another_district_or_after_the_start():
    district = DistrictFactory()
    session = SessionFactory(starts_in_days=3)
    holder = register(person=educator(district=district), session=session).registration
    with pytest.raises(ValidationError) as error:
        transfer_registration(registration=holder, to_person=educator(), by=holder.person)
    assert "complete, verified profile in your district" in error.value.message_dict["to_person"][0]
    with pytest.raises(PermissionDenied):
        transfer_registration(
            registration=holder, to_person=educator(district=district), by=educator()
        )
    start = session.meetings.get().starts_at
    with pytest.raises(ValidationError):
        transfer_registration(
            registration=holder,
            to_person=educator(district=district),
            by=holder.person,
            now=start + dt.timedelta(minutes=1),
        )


def test_a_seat_checked_in_before_the_start_cannot_be_transferred():
    district = DistrictFactory()
    session = SessionFactory(starts_in_days=3)
    holder = register(person=educator(district=district), session=session).registration
    meeting = session.meetings.get()
    early = meeting.starts_at - dt.timedelta(minutes=20)  # attendance opens 30 minutes before
    record_attendance(
        session=session,
        entries=[AttendanceEntry(holder.pk, meeting.pk, "present")],
        by=None,
        now=early,
    )
    holder.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        transfer_registration(
            registration=holder, to_person=educator(district=district), by=holder.person, now=early
        )

    assert error.value.code == "attended"
    holder.refresh_from_db()
    assert holder.status == Status.CONFIRMED
    assert Registration.objects.filter(session=session).count() == 1


def test_a_coordinator_can_transfer_for_their_district():
    district = DistrictFactory()
    holder = register(person=educator(district=district), session=SessionFactory()).registration
    new = transfer_registration(
        registration=holder, to_person=educator(district=district), by=coordinator_of(district)
    )
    assert new.status == Status.CONFIRMED


def test_reminders_go_once_about_two_days_before(django_capture_on_commit_callbacks):
    soon = SessionFactory(starts_in_days=2, meetings=[(in_days(1, 9), in_days(1, 15))])
    later = SessionFactory(starts_in_days=10)
    due = register(person=educator(), session=soon).registration
    register(person=educator(), session=later)
    register(
        person=educator(),
        session=SessionFactory(
            capacity=0, starts_in_days=2, meetings=[(in_days(1, 9), in_days(1, 12))]
        ),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 1
    assert [m.to for m in mail.outbox] == [[due.person.email]]
    assert "METHOD:REQUEST" in mail.outbox[0].attachments[0][1]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    assert len(mail.outbox) == 1


def test_transfer_from_me_page(client):
    district = DistrictFactory()
    holder = register(person=educator(district=district), session=SessionFactory()).registration
    colleague = educator(district=district)
    client.force_login(holder.person)
    assert b"Give your seat to a colleague" in client.get("/me/").content
    client.post(f"/registrations/{holder.pk}/transfer/", {"email": colleague.email.upper()})
    assert Registration.objects.get(person=colleague).status == Status.CONFIRMED
    unknown = client.post(
        f"/registrations/{holder.pk}/transfer/", {"email": "nobody@example.org"}, follow=True
    )
    assert b"need an account with a complete, verified profile" in unknown.content

"""A seat transfer goes only to a colleague who could register themself, and waits for the
colleague's approver when the session requires approval (DESIGN.md, Who may change a
registration)."""

import html

import pytest
from django.core import mail

from organizations.models import Profile
from registrations.models import Registration
from registrations.services import COLLEAGUE_CANNOT_TAKE_SEAT
from tests.factories import (
    DistrictFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    educator,
    unverified_educator,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def session():
    # One seat, held by the holder: an approval that did not hand the seat over would waitlist.
    return SessionFactory(requires_approval=True, capacity=1)


@pytest.fixture
def holder(session, district, coordinator):
    return RegistrationFactory(
        session=session,
        person=educator(district=district),
        payer=Registration.Payer.DISTRICT,
        purchase_order="PO-7781",
        decided_by=coordinator,
    )


@pytest.fixture
def declined_colleague(session, district, coordinator):
    colleague = educator(district=district)
    RegistrationFactory(
        session=session,
        person=colleague,
        status=Status.DECLINED,
        decline_reason="Not this year.",
        decided_by=coordinator,
    )
    return colleague


def _transfer(client, holder, email):
    client.force_login(holder.person)
    response = client.post(f"/registrations/{holder.pk}/transfer/", {"email": email}, follow=True)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _offer(client, holder, colleague, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = _transfer(client, holder, colleague.email)
    return page, Registration.objects.get(person=colleague, status=Status.PENDING)


def test_a_seat_offered_to_a_declined_colleague_waits_for_their_approver(
    client, holder, declined_colleague, coordinator, django_capture_on_commit_callbacks
):
    page, offer = _offer(client, holder, declined_colleague, django_capture_on_commit_callbacks)
    assert "once their district approves; until then it stays yours" in page
    assert offer.transfer_of == holder
    assert (offer.payer, offer.purchase_order) == ("district", "PO-7781")
    holder.refresh_from_db()
    assert holder.status == Status.CONFIRMED
    sent = {m.subject.split(":")[0]: m.to for m in mail.outbox}
    assert sent["Approval needed"] == [coordinator.email]
    assert sent["A colleague offers you their seat, pending approval"] == [declined_colleague.email]
    client.force_login(coordinator)
    queue = client.get("/approvals/").content.decode()
    assert declined_colleague.get_full_name() in queue and "Seat transfer" in queue


def test_approving_the_transfer_hands_the_seat_over_in_one_step(
    client, holder, declined_colleague, coordinator, django_capture_on_commit_callbacks
):
    _, offer = _offer(client, holder, declined_colleague, django_capture_on_commit_callbacks)
    client.force_login(coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/approvals/{offer.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    offer.refresh_from_db()
    holder.refresh_from_db()
    assert (holder.status, offer.status) == (Status.CANCELLED, Status.CONFIRMED)
    assert offer.moved_from == holder and offer.decided_by == coordinator
    assert holder.cancelled_by == holder.person
    assert holder.session.registrations.filter(status=Status.CONFIRMED).count() == 1
    assert {m.to[0]: m.subject.split(":")[0] for m in mail.outbox} == {
        holder.person.email: "Your seat went to a colleague",
        declined_colleague.email: "A colleague gave you their seat",
    }


def test_declining_the_transfer_leaves_the_seat_with_its_holder_who_is_told(
    client, holder, declined_colleague, coordinator, django_capture_on_commit_callbacks
):
    _, offer = _offer(client, holder, declined_colleague, django_capture_on_commit_callbacks)
    client.force_login(coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/approvals/{offer.pk}/decide/", {"decision": "decline", "reason": "Still no."}
        )
    offer.refresh_from_db()
    holder.refresh_from_db()
    assert (holder.status, offer.status) == (Status.CONFIRMED, Status.DECLINED)
    told = {m.to[0]: m for m in mail.outbox}
    assert told[holder.person.email].subject.startswith("Your seat stays yours")
    assert "Still no." not in told[holder.person.email].body
    assert told[declined_colleague.email].subject.startswith("Your registration was declined")


def test_a_second_transfer_waits_for_the_first_decision(
    client, holder, declined_colleague, district, django_capture_on_commit_callbacks
):
    _offer(client, holder, declined_colleague, django_capture_on_commit_callbacks)
    other = educator(district=district)
    page = _transfer(client, holder, other.email)
    assert "A transfer of this seat already awaits approval." in page
    assert not Registration.objects.filter(person=other).exists()


def test_a_coordinator_transferring_for_their_district_approves_it(
    client, holder, declined_colleague, coordinator
):
    client.force_login(coordinator)
    client.post(f"/registrations/{holder.pk}/transfer/", {"email": declined_colleague.email})
    holder.refresh_from_db()
    assert holder.status == Status.CANCELLED
    taken = Registration.objects.get(person=declined_colleague, status=Status.CONFIRMED)
    assert taken.moved_from == holder and taken.decided_by == coordinator


def test_without_approval_the_seat_moves_at_once(client, district):
    holder = RegistrationFactory(session=SessionFactory(), person=educator(district=district))
    colleague = educator(district=district)
    page = _transfer(client, holder, colleague.email)
    assert "now belongs to" in page
    assert Registration.objects.get(person=colleague).status == Status.CONFIRMED


def test_every_colleague_who_cannot_take_the_seat_gets_the_same_answer(client, holder, district):
    incomplete = educator(district=district)
    Profile.objects.filter(user=incomplete).update(completed_at=None)
    refused = {
        "no account": "nobody-here@example.org",
        "no profile": UserFactory().email,
        "profile not complete": incomplete.email,
        "another district": educator(district=DistrictFactory()).email,
        "not verified": unverified_educator(district=district).email,
        "account closed": educator(district=district, user__is_active=False).email,
    }
    answers = {}
    for why, email in refused.items():
        page = _transfer(client, holder, email)
        answers[why] = [
            line
            for line in page.splitlines()
            if "can't take this seat" in line or "account" in line
        ]
        assert COLLEAGUE_CANNOT_TAKE_SEAT in page, why
    assert len({tuple(lines) for lines in answers.values()}) == 1, answers
    holder.refresh_from_db()
    assert holder.status == Status.CONFIRMED
    assert Registration.objects.filter(session=holder.session).count() == 1


def test_an_unverified_colleague_cannot_take_the_seat(client, district):
    holder = RegistrationFactory(session=SessionFactory(), person=educator(district=district))
    claimant = unverified_educator(district=district)
    page = _transfer(client, holder, claimant.email)
    assert COLLEAGUE_CANNOT_TAKE_SEAT in page
    assert not Registration.objects.filter(person=claimant).exists()
    holder.refresh_from_db()
    assert holder.status == Status.CONFIRMED

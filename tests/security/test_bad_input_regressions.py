"""Regressions found by tests/security/test_bad_input.py: each was a 500 (or a form error the
page did not show) before its fix."""

import pytest
from django.test import Client

from organizations.models import Profile
from registrations.models import Registration
from tests.factories import SessionFactory, coordinator_of, educator


@pytest.fixture
def person(db):
    return educator(first_name="Zoë", last_name="Ñandú")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01", "1999-12-31"])
@pytest.mark.parametrize("name", ["starts_after", "starts_before"])
def test_catalog_dates_out_of_range_are_a_field_error_not_an_overflow(db, name, day):
    """9999-12-31 overflowed local_day_range (the day after it); now any year outside
    2000-2100 is a field error, shown, and ignored."""
    response = Client().get("/courses/", {name: day})
    assert response.status_code == 200
    assert response.context["form"].errors[name] == ["Choose a date between 2000 and 2100."]
    assert b"Choose a date between 2000 and 2100." in response.content


def test_catalog_dates_inside_the_range_still_filter(db):
    response = Client().get(
        "/courses/", {"starts_after": "2000-01-01", "starts_before": "2100-12-31"}
    )
    assert response.status_code == 200
    assert not response.context["form"].errors


def _profile_data(user, **extra) -> dict:
    profile = user.profile
    return {
        "first_name": "Zoë",
        "last_name": "Ñandú 東京",
        "district": profile.district_id,
        "school": profile.school_id,
        "position": profile.position,
        **extra,
    }


@pytest.mark.parametrize("target", ["no-such-url-name", "ab\x00cd", "Zoë", "x" * 10_000, "NaN"])
def test_profile_next_that_is_no_path_goes_home(person, target):
    """redirect() took a `next` without "/" or "." for a URL name: NoReverseMatch, a 500."""
    response = _signed_in(person).post("/profile/", _profile_data(person, next=target))
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_profile_next_that_is_a_local_path_is_still_followed(person):
    response = _signed_in(person).post("/profile/", _profile_data(person, next="/courses/?q=a"))
    assert response["Location"] == "/courses/?q=a"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_profile_post_that_is_not_a_form_shows_the_errors(person, content_type):
    """An empty request.POST used to leave the form unbound: a blank 200 page, no error."""
    before = Profile.objects.get(user=person).position
    response = _signed_in(person).post("/profile/", "{}", content_type=content_type)
    assert response.status_code == 200
    assert response.context["form"].errors["first_name"] == ["This field is required."]
    assert b"This field is required." in response.content
    assert Profile.objects.get(user=person).position == before


@pytest.fixture
def coordinator(db):
    colleague = educator()
    return coordinator_of(colleague.profile.district), colleague


@pytest.mark.parametrize("value", [str(10**30), "9223372036854775808", "-1", "1.5", "NaN", "a\x00"])
def test_group_people_that_are_no_ids_are_a_shown_field_error(coordinator, value):
    """10**30 reached the database in Django's `pk__in` check: OverflowError on SQLite. And
    the page showed no error for the people field at all."""
    user, colleague = coordinator
    session = SessionFactory()
    data = {"session": session.pk, "people": [colleague.pk, value], "payer": "district"}
    response = _signed_in(user).post("/approvals/group/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors["people"]
    assert errors and all("is not a valid value" in e for e in errors)
    assert b"is not a valid value" in response.content
    assert not Registration.objects.filter(session=session).exists()


def test_group_people_with_real_ids_still_register(coordinator):
    user, colleague = coordinator
    session = SessionFactory()
    data = {"session": session.pk, "people": [colleague.pk], "payer": "district"}
    response = _signed_in(user).post("/approvals/group/", data)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert Registration.objects.filter(session=session, person=colleague).exists()


def test_group_payer_error_is_shown(coordinator):
    user, colleague = coordinator
    data = {"session": SessionFactory().pk, "people": [colleague.pk], "payer": "nobody"}
    response = _signed_in(user).post("/approvals/group/", data)
    assert response.context["form"].errors["payer"]
    assert b"Select a valid choice. nobody is not one of the available choices." in response.content


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_group_post_that_is_not_a_form_shows_the_errors(coordinator, content_type):
    user, _ = coordinator
    response = _signed_in(user).post("/approvals/group/", "{}", content_type=content_type)
    assert response.status_code == 200
    assert response.context["form"].errors["session"] == ["This field is required."]
    assert Registration.objects.count() == 0

"""The profile page: what a person tells us about their work before registering."""

import re

import pytest
from django.test import Client

from organizations.models import Position, Profile
from tests.factories import DistrictFactory, SchoolFactory, UserFactory, educator

pytestmark = pytest.mark.django_db

FIELDS = ["first_name", "last_name", "district", "school", "position", "certification_number"]


@pytest.fixture
def newcomer():
    return UserFactory(first_name="", last_name="")


@pytest.fixture
def school():
    return SchoolFactory()


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(chosen_school, /, **overrides) -> dict:
    return {
        "first_name": "Robin",
        "last_name": "Ashby",
        "district": chosen_school.district.pk,
        "school": chosen_school.pk,
        "position": Position.TEACHER,
        "certification_number": "",
        **overrides,
    }


def test_every_field_of_the_profile_form_has_a_label(newcomer, school):
    response = _client_for(newcomer).get("/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Your profile</h1>" in html
    for name in FIELDS:
        assert f'<label for="id_{name}">' in html, name
        assert re.search(rf'<(input|select)[^>]*name="{name}"[^>]*id="id_{name}"', html), name
    assert "CT educator certification number" in html
    assert "(optional)" in html  # school and certification number may be left empty


def test_profile_page_needs_a_signed_in_person():
    response = Client().get("/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_school_from_another_district_is_refused_and_nothing_is_saved(newcomer, school):
    elsewhere = SchoolFactory(district=DistrictFactory())
    response = _client_for(newcomer).post("/profile/", _form_data(school, school=elsewhere.pk))
    assert response.status_code == 200
    assert b"That school is not in the district you chose." in response.content
    assert not Profile.objects.filter(user=newcomer).exists()
    newcomer.refresh_from_db()
    assert (newcomer.first_name, newcomer.last_name) == ("", "")


def test_missing_district_and_position_are_reported(newcomer, school):
    response = _client_for(newcomer).post(
        "/profile/", _form_data(school, district="", school="", position="")
    )
    assert response.status_code == 200
    assert response.content.count(b"This field is required.") == 2
    assert not Profile.objects.filter(user=newcomer).exists()


def test_saving_completes_the_profile(newcomer, school):
    response = _client_for(newcomer).post("/profile/", _form_data(school))
    assert response.status_code == 302
    assert response["Location"] == "/"
    profile = Profile.objects.get(user=newcomer)
    assert profile.is_complete
    assert (profile.district, profile.school, profile.position) == (
        school.district,
        school,
        Position.TEACHER,
    )


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/courses/?q=reading", "/courses/?q=reading"),
        ("/sessions/12/", "/sessions/12/"),
        ("https://evil.example.com/phish", "/"),
        ("//evil.example.com/phish", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_is_followed_only_to_local_urls(newcomer, school, next_url, expected):
    response = _client_for(newcomer).post("/profile/", _form_data(school, next=next_url))
    assert response.status_code == 302
    assert response["Location"] == expected


def test_next_from_the_query_string_is_kept_in_the_form(newcomer):
    response = _client_for(newcomer).get("/profile/?next=/courses/")
    assert b'<input type="hidden" name="next" value="/courses/">' in response.content


def test_a_completed_profile_can_be_edited(school):
    person = educator(first_name="Lee", last_name="Moss")
    first_completed = person.profile.completed_at
    client = _client_for(person)

    response = client.get("/profile/")
    html = response.content.decode()
    assert "Tell us where you work" not in html  # the first-time text is gone
    assert 'value="Lee"' in html
    assert f'<option value="{person.profile.district.pk}" selected>' in html

    response = client.post(
        "/profile/",
        _form_data(
            school,
            first_name="Lee",
            last_name="Moss-Carter",
            position=Position.ADMINISTRATOR,
            certification_number=" 123456 ",
        ),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    profile = person.profile
    assert person.last_name == "Moss-Carter"
    assert (profile.district, profile.school) == (school.district, school)
    assert profile.position == Position.ADMINISTRATOR
    assert profile.certification_number == "123456"
    assert profile.completed_at == first_completed  # completion is not reset by an edit


def test_a_person_without_a_profile_is_sent_to_it_and_back(newcomer, school):
    client = _client_for(newcomer)
    response = client.get("/courses/?q=reading")
    assert response.status_code == 302
    assert response["Location"] == "/profile/?next=%2Fcourses%2F%3Fq%3Dreading"
    response = client.post(response["Location"], _form_data(school, next="/courses/?q=reading"))
    assert response["Location"] == "/courses/?q=reading"
    assert client.get("/courses/?q=reading").status_code == 200


def test_profile_errors_are_tied_to_their_inputs(newcomer, school):
    response = _client_for(newcomer).post("/profile/", _form_data(school, position=""))
    html = response.content.decode()
    select = re.search(r'<select[^>]*name="position"[^>]*>', html).group(0)
    described_by = re.search(r'aria-describedby="([^"]+)"', select).group(1)
    assert 'aria-invalid="true"' in select
    for element_id in described_by.split():
        assert f'id="{element_id}"' in html

"""Who may see a registration's and a session's history."""

import pytest
from django.contrib.auth.models import AnonymousUser

from activity.permissions import can_see_registration_history, can_see_session_history

pytestmark = pytest.mark.django_db

VIEWERS = {
    # viewer: (registration's history, session's history)
    "registrant": (True, False),
    "educator": (False, False),
    "colleague": (False, False),
    "trainer": (False, False),
    "coordinator": (True, False),
    "other_coordinator": (False, False),
    "staff": (True, True),
    "other_staff": (False, False),
    "admin": (True, True),
}


@pytest.mark.parametrize(("viewer", "expected"), VIEWERS.items())
def test_who_may_see_which_history(world, viewer, expected):
    user = getattr(world, viewer)
    assert (
        can_see_registration_history(user, world.registration),
        can_see_session_history(user, world.session),
    ) == expected


def test_nobody_signed_out_sees_any_history(world):
    assert not can_see_registration_history(AnonymousUser(), world.registration)
    assert not can_see_session_history(AnonymousUser(), world.session)
    assert not can_see_registration_history(None, world.registration)

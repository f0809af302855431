"""Shared fixtures: the same named provider, places and people in every test (after
healthchecks' BaseTestCase and Zulip's example_user), a query counter, and the checks that run
after every test."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles live in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing is deliberately slow in production; tests create hundreds of people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


# The provider, places and people most tests need ---------------------------------------------


@pytest.fixture
def provider(db):
    """LEARN, the provider whose courses, sessions and staff the shared fixtures use."""
    return factories.ProviderFactory(short_name="LEARN")


@pytest.fixture
def other_provider(db):
    """CES, a second provider: what LEARN's staff must not see or change."""
    return factories.ProviderFactory(short_name="CES")


@pytest.fixture
def district(provider):
    """A member district of LEARN."""
    return factories.DistrictFactory(member_of=provider)


@pytest.fixture
def educator(district):
    """A teacher in `district` with a completed, verified profile."""
    return factories.educator(district=district, first_name="Ellis", last_name="Park")


@pytest.fixture
def staff(provider):
    """LEARN's staff."""
    return factories.staff_of(provider, first_name="Sasha", last_name="Reed")


@pytest.fixture
def coordinator(district):
    """The coordinator of `district`."""
    return factories.coordinator_of(district, user__first_name="Cory", user__last_name="Lane")


@pytest.fixture
def trainer(db):
    """A trainer with no role; tests add them to a session's trainers."""
    return factories.UserFactory(first_name="Tess", last_name="Trainer")


@pytest.fixture
def upcoming_session(provider):
    """A LEARN session open for registration, with one meeting in two weeks."""
    return factories.SessionFactory(course__provider=provider)


@pytest.fixture
def past_session(provider):
    """A LEARN session whose one meeting ended two days ago; registration is closed."""
    return factories.SessionFactory(past=True, course__provider=provider)


@pytest.fixture
def confirmed_registration(upcoming_session, educator):
    """`educator`'s confirmed seat in `upcoming_session`."""
    return factories.RegistrationFactory(session=upcoming_session, person=educator)


@pytest.fixture
def count_queries():
    """count_queries(func, *args, **kwargs) -> how many queries calling func made; or, with no
    arguments, a context manager whose len() is the count: `with count_queries() as q: ...`."""

    def count(func: Callable | None = None, /, *args, **kwargs):
        if func is None:
            return CaptureQueriesContext(connection)
        with CaptureQueriesContext(connection) as queries:
            func(*args, **kwargs)
        return len(queries)

    return count


_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


@pytest.fixture(autouse=True)
def _credited_minutes_match_attendance(request):
    """After every test that used the database: each registration's stored credited minutes
    equal what its attendance adds up to. Reach reports and completion read the stored value,
    so a code path that changes attendance or meetings without attendance.services fails here."""
    uses_db = request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(
        request.fixturenames
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down after this check
    yield
    from attendance.selectors import stale_credited_minutes
    from registrations.models import Registration

    stale = list(
        stale_credited_minutes(Registration.objects.all()).values_list("pk", "credited_minutes")[:5]
    )
    assert not stale, f"stored credited minutes differ from attendance (id, stored): {stale}"
    # A stored completion must hold by the rule once every session has ended (a completion not
    # yet stored is the settle command's to find; one stored wrongly is a service's bug).
    from attendance.selectors import with_completion

    after_every_session = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)
    wrong = list(
        with_completion(Registration.objects.filter(completed=True), now=after_every_session)
        .filter(completes_now=False)
        .values_list("pk", flat=True)[:5]
    )
    assert not wrong, f"stored as completed, but the rule says not (ids): {wrong}"

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


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

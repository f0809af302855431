"""manage.py check_credited_minutes: finds stored credited minutes that no longer match the
attendance (after a change made outside the application) and, with --fix, repairs them and
the certificates that follow."""

import pytest
from django.core.management import CommandError, call_command

from attendance.models import Attendance
from certificates.models import Certificate
from registrations.models import Registration
from tests.certificates.helpers import completed, past_session

pytestmark = pytest.mark.django_db


def test_nothing_to_do_says_so(capsys):
    completed(past_session())
    call_command("check_credited_minutes")
    assert "match" in capsys.readouterr().out


def test_a_change_made_in_sql_is_found_and_fixed_with_the_certificate(capsys):
    certificate = completed(past_session(hours=(6,)))
    registration = certificate.registration
    # Someone corrects the attendance straight in the database: absent after all.
    Attendance.objects.filter(registration=registration).update(status="absent")

    with pytest.raises(CommandError, match="1 registration"):
        call_command("check_credited_minutes")
    registration.refresh_from_db()
    assert registration.credited_minutes == 360  # the check alone changes nothing

    call_command("check_credited_minutes", "--fix")

    registration.refresh_from_db()
    certificate.refresh_from_db()
    assert registration.credited_minutes == 0
    assert certificate.revoked_at is not None
    assert "Recomputed 1 registration" in capsys.readouterr().out
    call_command("check_credited_minutes")


def test_fix_issues_a_certificate_that_sql_made_due():
    session = past_session(hours=(6,))
    certificate = completed(session)
    registration = Registration.objects.get(certificate=certificate)
    Attendance.objects.filter(registration=registration).update(status="absent")
    call_command("check_credited_minutes", "--fix")
    Attendance.objects.filter(registration=registration).update(status="present")

    call_command("check_credited_minutes", "--fix")

    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert Certificate.objects.count() == 1


def test_a_stored_completion_changed_in_sql_is_found_and_put_back():
    certificate = completed(past_session(hours=(6,)))
    registration = certificate.registration
    registration.refresh_from_db()
    assert registration.completed  # stored by attendance.completion when it was recorded
    Registration.objects.filter(pk=registration.pk).update(completed=False)

    with pytest.raises(CommandError, match="1 registration"):
        call_command("check_credited_minutes")
    call_command("check_credited_minutes", "--fix")

    registration.refresh_from_db()
    assert registration.completed
    call_command("check_credited_minutes")

"""`manage.py seed_demo`: what the demo promises (DESIGN.md, "Demo data"), loaded idempotently."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from attendance.models import Attendance, Headcount
from certificates.models import Certificate
from courses import dates, demo
from courses.models import CertifiedTrainer, Course, Meeting, Program, Session
from evaluations.models import Answer, Evaluation, EvaluationForm, EvaluationRequest, Question
from organizations.models import District, Provider, Role
from organizations.selectors import district_is_verified
from registrations.models import Registration

pytestmark = pytest.mark.django_db

# A Tuesday in November, after the autumn daylight-saving change; the seed works for any day.
FROZEN = dt.datetime(2026, 11, 10, 7, 0, tzinfo=dates.LOCAL_TZ)
DEMO_ACCOUNTS = [
    demo.ADMIN_EMAIL,
    demo.STAFF_EMAIL,
    demo.TRAINER_EMAIL,
    demo.EDUCATOR_EMAIL,
    demo.COORDINATOR_EMAIL,
]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "accounts",
            "organizations",
            "courses",
            "registrations",
            "attendance",
            "certificates",
            "evaluations",
            "account",
        }
    }


def _sorted(rows) -> list:
    # repr as the key: rows may hold None next to strings, which do not compare.
    return sorted(rows, key=repr)


def _canonical_dump() -> list:
    """Key fields of everything the demo creates, by natural keys (ids may differ)."""
    return [
        _sorted(
            User.objects.values_list(
                "email", "first_name", "last_name", "is_staff", "is_superuser", "password"
            )
        ),
        _sorted(
            User.objects.values_list(
                "email",
                "profile__district__csde_code",
                "profile__school__csde_code",
                "profile__position",
                "profile__completed_at",
            )
        ),
        _sorted(
            Role.objects.values_list(
                "user__email", "kind", "provider__slug", "district__csde_code"
            ).order_by()
        ),
        _sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        _sorted(
            District.objects.values_list("csde_code", "name", "town", "kind", "member_of__slug")
        ),
        _sorted(
            Course.objects.values_list(
                "slug",
                "title",
                "summary",
                "description",
                "provider__slug",
                "program__slug",
                "audience",
                "hours",
                "member_price",
                "non_member_price",
                "trains_trainers",
                "status",
                "updated_at",
            )
        ),
        _sorted(
            Session.objects.values_list(
                "course__slug",
                "title",
                "status",
                "format",
                "delivery",
                "venue__name",
                "online_url",
                "capacity",
                "registration_opens_at",
                "registration_closes_at",
                "requires_approval",
                "is_free",
                "cancelled_at",
                "notes",
                "updated_at",
            )
        ),
        _sorted(
            Session.trainers.through.objects.values_list(
                "session__course__slug", "session__title", "user__email"
            )
        ),
        _sorted(
            Meeting.objects.values_list(
                "session__course__slug", "session__title", "pk", "starts_at", "ends_at"
            )
        ),
        _sorted(
            Registration.objects.values_list(
                "session__course__slug",
                "session__title",
                "person__email",
                "status",
                "district__csde_code",
                "school__csde_code",
                "position",
                "price",
                "payer",
                "queued_at",
            )
        ),
        _sorted(
            Attendance.objects.values_list(
                "registration__session__course__slug",
                "registration__session__title",
                "registration__person__email",
                "meeting__starts_at",
                "status",
                "minutes",
                "source",
                "recorded_by__email",
                "recorded_at",
            )
        ),
        _sorted(
            Headcount.objects.values_list(
                "meeting__session__course__slug",
                "meeting__session__title",
                "meeting__starts_at",
                "audience",
                "district__csde_code",
                "count",
                "recorded_at",
            )
        ),
        _sorted(
            Certificate.objects.values_list(
                "registration__session__course__slug",
                "registration__session__title",
                "registration__person__email",
                "number",
                "code",
                "credited_minutes",
                "issued_at",
                "updated_at",
                "revoked_at",
            )
        ),
        _sorted(
            EvaluationForm.objects.values_list(
                "program__slug", "title", "version", "is_current", "created_at"
            )
        ),
        _sorted(
            Question.objects.values_list(
                "form__version", "position", "kind", "text", "choices", "required", "is_overall"
            )
        ),
        _sorted(
            EvaluationRequest.objects.values_list(
                "registration__session__title", "registration__person__email", "asked_at"
            )
        ),
        _sorted(
            Evaluation.objects.values_list(
                "registration__session__title",
                "registration__person__email",
                "form__version",
                "submitted_at",
            )
        ),
        _sorted(Answer.objects.values_list("question__text", "rating", "before", "chosen", "text")),
        _sorted(
            CertifiedTrainer.objects.values_list(
                "program__slug",
                "person__email",
                "certified_at",
                "source_session__title",
                "revoked_at",
            )
        ),
    ]


@pytest.fixture
def seeded():
    with time_machine.travel(FROZEN, tick=False):
        _seed()
    return FROZEN.date()


def _session(course_slug: str, title: str) -> Session:
    return Session.objects.get(course__slug=course_slug, title=title)


def test_seeding_twice_leaves_the_same_rows_and_values():
    with time_machine.travel(FROZEN, tick=False):
        output = _seed()
        counts, dump = _row_counts(), _canonical_dump()
        _seed()
        assert _row_counts() == counts
        assert _canonical_dump() == dump
    assert "sessions: 16" in output
    assert demo.PASSWORD in output


def test_seeding_again_on_a_later_day_moves_the_dates_without_adding_rows():
    with time_machine.travel(FROZEN, tick=False):
        _seed()
        counts = _row_counts()
        meeting_ids = set(Meeting.objects.values_list("pk", flat=True))
    with time_machine.travel(FROZEN + dt.timedelta(days=40), tick=False):
        _seed()
        today_session = _session("uplift-foundations", "Today at LEARN")
        assert dates.local_date(today_session.meetings.get().starts_at) == dates.today()
    assert _row_counts() == counts
    # Meetings are moved in place, so their ids (used by invites and attendance) survive.
    assert set(Meeting.objects.values_list("pk", flat=True)) == meeting_ids


def test_the_catalog_has_the_six_providers_districts_and_the_uplift_program(seeded):
    assert dict(Provider.objects.values_list("slug", "name")) == {
        "aces": "Area Cooperative Educational Services",
        "ces": "Cooperative Educational Services",
        "crec": "Capitol Region Education Council",
        "eastconn": "EASTCONN",
        "edadvance": "EdAdvance",
        "learn": "LEARN",
    }
    assert District.objects.count() >= 12
    assert District.objects.filter(member_of__slug="learn").count() >= 6
    assert District.objects.filter(member_of__isnull=True).exists()
    assert all(1 <= district.schools.count() <= 3 for district in District.objects.all())
    uplift = Program.objects.get(slug="uplift")
    assert uplift.provider.slug == "learn"
    assert uplift.funders == "Connecticut State Department of Education; federal grant"
    foundations = Course.objects.get(slug="uplift-foundations")
    assert foundations.title == (
        "UPLIFT Foundations: Trauma-Informed, Resilience-Focused Classrooms"
    )
    assert foundations.audience == "all_staff" and foundations.program == uplift
    ttt = Course.objects.get(slug="uplift-train-the-trainer")
    assert ttt.trains_trainers and ttt.audience == "trainers" and ttt.program == uplift
    published = Course.objects.filter(status=Course.Status.PUBLISHED)
    assert published.values("provider").distinct().count() >= 4
    assert all(course.description and course.summary and course.hours for course in published)
    assert Course.objects.filter(status=Course.Status.DRAFT).count() == 1


def test_sessions_span_the_previous_and_the_current_fiscal_year(seeded):
    current = dates.fiscal_year_of(seeded)
    years = {dates.fiscal_year_of(dates.local_date(m.starts_at)) for m in Meeting.objects.all()}
    assert {current - 1, current} <= years
    upcoming = Session.objects.filter(
        status=Session.Status.SCHEDULED, meetings__starts_at__date__gt=seeded
    ).distinct()
    assert upcoming.count() >= 6


def test_full_days_have_a_30_minute_lunch_and_sessions_offer_their_courses_hours(seeded):
    full_days = [m for m in Meeting.objects.all() if m.minutes == 390]
    assert full_days and {(m.break_minutes, m.length_minutes) for m in full_days} == {(30, 360)}
    evenings = [m for m in Meeting.objects.all() if m.minutes == 180]
    assert evenings and {m.break_minutes for m in evenings} == {0}
    scheduled = Session.objects.filter(status=Session.Status.SCHEDULED).select_related("course")
    assert [str(s) for s in scheduled if s.hours_offered != s.course.hours] == []


def test_the_required_kinds_of_sessions_exist(seeded):
    confirmed, waitlisted = Registration.Status.CONFIRMED, Registration.Status.WAITLISTED

    full = _session("restorative-practices-in-the-classroom", "Small-group seminar")
    assert full.registrations.filter(status=confirmed).count() == full.capacity
    assert full.registrations.filter(status=waitlisted).count() >= 2
    queued = list(full.registrations.filter(status=waitlisted).values_list("queued_at", flat=True))
    assert len(set(queued)) == len(queued)  # a definite waitlist order

    open_session = _session("sel-in-middle-school", "Open cohort")
    assert open_session.registrations.filter(status=confirmed).count() < open_session.capacity
    assert open_session.registration_closes_at.date() > seeded

    approval = _session("co-teaching-that-works", "Grade-level teams")
    assert approval.requires_approval
    pending = approval.registrations.get(status=Registration.Status.PENDING)
    educator = User.objects.get(email=demo.EDUCATOR_EMAIL)
    assert pending.person.email == demo.COLLEAGUE_EMAIL
    assert pending.district == educator.profile.district  # the coordinator can decide it

    free = _session("uplift-foundations", "Free grant-funded turnkey session")
    assert free.is_free and free.delivery == Session.Delivery.TURNKEY
    assert dates.local_date(free.meetings.first().starts_at) > seeded
    assert set(free.registrations.values_list("price", flat=True)) == {0}

    today = _session("uplift-foundations", "Today at LEARN")
    meeting = today.meetings.get()
    assert dates.local_date(meeting.starts_at) == seeded
    assert dates.local_date(meeting.ends_at) == seeded
    assert list(today.trainers.values_list("email", flat=True)) == [demo.TRAINER_EMAIL]

    multi = [s for s in Session.objects.all() if s.meetings.count() > 1]
    assert len(multi) >= 2
    assert Session.objects.filter(status=Session.Status.CANCELLED).count() == 1
    online = Session.objects.get(format=Session.Format.ONLINE)
    assert online.online_url and online.venue is None


def test_the_demo_educator_completed_past_sessions_in_both_fiscal_years(seeded):
    educator = User.objects.get(email=demo.EDUCATOR_EMAIL)
    past = Registration.objects.filter(
        person=educator,
        status=Registration.Status.CONFIRMED,
        session__meetings__ends_at__date__lt=seeded,
    ).distinct()
    assert past.count() >= 3
    years = {
        dates.fiscal_year_of(dates.local_date(r.session.meetings.first().starts_at)) for r in past
    }
    assert dates.fiscal_year_of(seeded) - 1 in years


def test_registrations_snapshot_the_profile_and_the_price(seeded):
    for registration in Registration.objects.select_related(
        "person__profile", "district", "session__course"
    ):
        profile = registration.person.profile
        assert (registration.district, registration.school, registration.position) == (
            profile.district,
            profile.school,
            profile.position,
        )
        member = registration.district.member_of_id is not None
        assert registration.price == registration.session.price_for(member=member)
    non_member = Registration.objects.filter(
        district__member_of__isnull=True, session__is_free=False
    ).first()
    assert non_member is not None
    assert non_member.price == non_member.session.price_for(member=False) > 0


def test_capacity_is_never_exceeded(seeded):
    for session in Session.objects.all():
        confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
        assert confirmed <= session.capacity, session


def test_demo_accounts_have_their_roles_and_profiles(seeded):
    admin = User.objects.get(email=demo.ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser
    assert admin.roles.filter(kind=Role.Kind.ALLIANCE_ADMIN).exists()
    staff = User.objects.get(email=demo.STAFF_EMAIL)
    assert staff.roles.filter(kind=Role.Kind.PROVIDER_STAFF, provider__slug="learn").exists()
    trainer = User.objects.get(email=demo.TRAINER_EMAIL)
    assert not trainer.roles.exists() and trainer.trained_sessions.exists()
    educator = User.objects.get(email=demo.EDUCATOR_EMAIL)
    assert educator.profile.is_complete and educator.profile.position == "teacher"
    assert educator.profile.district.member_of.slug == "learn"
    coordinator = User.objects.get(email=demo.COORDINATOR_EMAIL)
    assert coordinator.profile.is_complete
    # example.org is no district's domain: the coordinator confirmed the demo educator.
    assert educator.profile.district_confirmed_by == coordinator
    assert district_is_verified(educator)
    assert coordinator.roles.get(kind=Role.Kind.DISTRICT_COORDINATOR).district == (
        educator.profile.district
    )
    fillers = User.objects.filter(email__in=demo.FILLERS)
    assert fillers.count() >= 20
    assert all(user.profile.is_complete for user in fillers)
    assert not EmailAddress.objects.filter(verified=False).exists()


@pytest.mark.parametrize("email", DEMO_ACCOUNTS)
def test_demo_accounts_can_sign_in_with_the_published_password(seeded, email):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": email, "password": demo.PASSWORD}, follow=False
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.session.get("_auth_user_id") == str(User.objects.get(email=email).pk)


def test_a_changed_demo_password_survives_a_second_seed(seeded):
    educator = User.objects.get(email=demo.EDUCATOR_EMAIL)
    educator.set_password("a-new-secret-2026")
    educator.save()
    with time_machine.travel(FROZEN, tick=False):
        _seed()
    assert Client().login(email=demo.EDUCATOR_EMAIL, password="a-new-secret-2026")


def test_seeding_again_puts_back_registrations_changed_through_the_site(seeded):
    session = _session("sel-in-middle-school", "Open cohort")
    registration = session.registrations.first()
    registration.status = Registration.Status.CANCELLED
    registration.save()
    # The person registered again afterwards: two rows, the latest one active.
    again = Registration.objects.create(
        session=session,
        person=registration.person,
        status=Registration.Status.WAITLISTED,
        district=registration.district,
        position=registration.position,
    )
    with time_machine.travel(FROZEN, tick=False):
        _seed()
    again.refresh_from_db()
    assert again.status == Registration.Status.CONFIRMED
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


# --- attendance, certificates and certified trainers ---------------------------------------


def test_the_demo_educator_has_valid_certificates_for_past_sessions(seeded):
    certificates = Certificate.objects.filter(
        registration__person__email=demo.EDUCATOR_EMAIL, revoked_at__isnull=True
    )
    assert certificates.count() >= 3
    years = {
        dates.fiscal_year_of(dates.local_date(c.registration.session.meetings.first().starts_at))
        for c in certificates
    }
    assert dates.fiscal_year_of(seeded) - 1 in years
    assert all(c.credited_minutes > 0 for c in certificates)


def test_avery_is_a_certified_trainer_before_leading_turnkey_sessions(seeded):
    certification = CertifiedTrainer.objects.get(
        person__email=demo.TURNKEY_TRAINER_EMAIL, program__slug="uplift", revoked_at__isnull=True
    )
    assert certification.source_session == _session("uplift-train-the-trainer", "Trainer cohort 1")
    turnkey = Session.objects.filter(
        delivery=Session.Delivery.TURNKEY, trainers__email=demo.TURNKEY_TRAINER_EMAIL
    )
    assert turnkey.count() >= 2
    for session in turnkey:
        assert certification.certified_at < session.meetings.first().starts_at


def test_past_sessions_have_attendance_and_not_everyone_completed(seeded):
    past = Session.objects.filter(meetings__ends_at__date__lt=seeded).distinct()
    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert {"present", "partial", "absent", "excused"} <= statuses
    for session in past.exclude(status=Session.Status.CANCELLED):
        confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED)
        assert confirmed.exists(), session
        assert Attendance.objects.filter(registration__in=confirmed).count() == (
            confirmed.count() * session.meetings.count()
        ), session
    # Someone in the train-the-trainer cohort fell short, so is not a certified trainer.
    cohort = _session("uplift-train-the-trainer", "Trainer cohort 1")
    people = set(cohort.registrations.values_list("person__email", flat=True))
    certified = set(CertifiedTrainer.objects.values_list("person__email", flat=True))
    assert certified < people
    completed = Certificate.objects.filter(registration__session__in=past).count()
    registered = Registration.objects.filter(
        session__in=past, status=Registration.Status.CONFIRMED
    ).count()
    assert 0 < completed < registered
    assert Attendance.objects.filter(source=Attendance.Source.STAFF).count() == (
        Attendance.objects.count()
    )


def test_past_sessions_have_youth_and_adult_headcounts(seeded):
    audiences = set(Headcount.objects.values_list("audience", flat=True))
    assert audiences == {"youth", "adult"}
    assert Headcount.objects.filter(district__isnull=False).exists()
    assert all(dates.local_date(h.meeting.starts_at) < seeded for h in Headcount.objects.all())


def test_todays_session_has_confirmed_people_and_no_attendance_yet(seeded):
    today = _session("uplift-foundations", "Today at LEARN")
    assert today.registrations.filter(status=Registration.Status.CONFIRMED).count() >= 10
    assert not Attendance.objects.filter(meeting__session=today).exists()
    assert not Headcount.objects.filter(meeting__session=today).exists()
    assert not Certificate.objects.filter(registration__session=today).exists()


def test_seeding_again_puts_back_corrected_attendance_and_headcounts(seeded):
    session = _session("sel-in-middle-school", "Early cohort")
    row = Attendance.objects.filter(meeting__session=session, status="present").first()
    row.status = Attendance.Status.ABSENT
    row.save()
    headcount = Headcount.objects.filter(meeting__session=session).first()
    headcount.count = 99
    headcount.save()
    with time_machine.travel(FROZEN, tick=False):
        _seed()
    row.refresh_from_db()
    assert row.status == Attendance.Status.PRESENT
    counts = list(
        Headcount.objects.filter(meeting__session=session).values_list("count", flat=True)
    )
    assert counts == [25]


# --- evaluations ------------------------------------------------------------------------------


def test_uplift_has_one_evaluation_form_and_reseeding_adds_no_version(seeded):
    form = EvaluationForm.objects.get(program__slug="uplift", is_current=True)
    assert form.title == demo.UPLIFT_EVALUATION_TITLE and form.version == 1
    assert [(q.kind, q.text, q.is_overall) for q in form.questions.all()][:1] == [
        ("agreement", "The session met its objectives", True)
    ]
    assert form.questions.count() == 6
    with time_machine.travel(FROZEN + dt.timedelta(days=3), tick=False):
        output = _seed()
    assert EvaluationForm.objects.count() == 1
    assert "evaluation forms: 1" in output
    # Non-UPLIFT courses have no form: their certificates are issued at once.
    assert not EvaluationForm.objects.exclude(program__slug="uplift").exists()


def test_past_uplift_sessions_have_enough_evaluations_for_results(seeded):
    past = Session.objects.filter(
        course__program__slug="uplift", meetings__ends_at__date__lt=seeded
    ).distinct()
    assert past.count() >= 4
    for session in past:
        responses = Evaluation.objects.filter(registration__session=session).count()
        assert responses >= 3, session
        # Those who evaluated have their certificates; completers who did not wait for theirs.
        evaluated = Registration.objects.filter(session=session, evaluation__isnull=False)
        assert all(hasattr(r, "certificate") for r in evaluated), session
    assert Evaluation.objects.filter(registration__session__course__program=None).count() == 0


def test_the_demo_educators_recent_uplift_certificate_waits_for_their_evaluation(seeded):
    recent = _session("uplift-foundations", "Recent cohort")
    registration = recent.registrations.get(person__email=demo.EDUCATOR_EMAIL)
    assert registration.completed
    assert registration.evaluation_request.form.program.slug == "uplift"
    assert not hasattr(registration, "evaluation")
    assert not Certificate.objects.filter(registration=registration).exists()
    assert dates.local_date(recent.meetings.get().ends_at) < seeded
    # Last year's UPLIFT cohort they did evaluate, and its certificate is theirs.
    last_year = _session("uplift-foundations", "Cohort 1, last year")
    assert last_year.registrations.get(person__email=demo.EDUCATOR_EMAIL).certificate.is_valid

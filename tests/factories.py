"""factory_boy factories for every model. Invented people only."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Meeting, Program, Session, Venue
from organizations.models import District, Position, Profile, Provider, Role, School
from registrations.models import Registration

PASSWORD = "test-pass-2025"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Example"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):  # noqa: N805
        """Mark the email verified so allauth lets the person sign in (pass verified=False)."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        obj.save()


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("short_name",)

    short_name = factory.Sequence(lambda n: f"RESC{n}")
    name = factory.LazyAttribute(lambda o: f"{o.short_name} Regional Educational Service Center")
    slug = factory.LazyAttribute(lambda o: o.short_name.lower())


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"Town{n} Public Schools")
    csde_code = factory.Sequence(lambda n: f"{100 + n:03d}0011")
    town = factory.Sequence(lambda n: f"Town{n}")
    member_of = factory.SubFactory(ProviderFactory)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Example Elementary {n}")
    csde_code = factory.Sequence(lambda n: f"{n:07d}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    district = factory.SubFactory(DistrictFactory)
    school = factory.LazyAttribute(lambda o: SchoolFactory(district=o.district))
    position = Position.TEACHER
    completed_at = factory.LazyFunction(timezone.now)
    # Verified by default (as if their coordinator confirmed them), so that registering
    # follows the session's own rules; pass district_confirmed_at=None for an unverified
    # person (see unverified_educator).
    district_confirmed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.district is not None else None
    )


def educator(**kwargs) -> User:
    """A person with a completed profile (district, school, position)."""
    return ProfileFactory(
        **{
            f"user__{k}" if k in {"email", "first_name", "last_name"} else k: v
            for k, v in kwargs.items()
        }
    ).user


def unverified_educator(**kwargs) -> User:
    """A person with a completed profile whose district is not verified: their address is at
    no domain of the district and no coordinator confirmed them."""
    return educator(district_confirmed_at=None, **kwargs)


def staff_of(provider: Provider, **kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    Role.objects.create(user=user, kind=Role.Kind.PROVIDER_STAFF, provider=provider)
    return user


def coordinator_of(district: District, **kwargs) -> User:
    user = ProfileFactory(district=district, position=Position.ADMINISTRATOR, **kwargs).user
    Role.objects.create(user=user, kind=Role.Kind.DISTRICT_COORDINATOR, district=district)
    return user


def alliance_admin(**kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    Role.objects.create(user=user, kind=Role.Kind.ALLIANCE_ADMIN)
    return user


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "A practical workshop."
    hours = Decimal("6.00")
    member_price = Decimal("100.00")
    non_member_price = Decimal("150.00")
    status = Course.Status.PUBLISHED


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Conference Room {n}")
    town = "Old Saybrook"


def in_days(days: float, hour: int = 9) -> dt.datetime:
    """An aware local datetime `days` from today at `hour`:00 Eastern."""
    local = timezone.localtime() + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _add_meetings(session: Session, extracted, default) -> None:
    for starts_at, ends_at in default() if extracted is None else extracted:
        Meeting.objects.create(session=session, starts_at=starts_at, ends_at=ends_at)


@factory.post_generation
def _meeting_under_way(obj, create, extracted, **kwargs):
    """One six-hour meeting that began an hour ago, whatever the time of day."""
    if create:
        now = timezone.now().replace(microsecond=0)
        _add_meetings(
            obj, extracted, lambda: [(now - dt.timedelta(hours=1), now + dt.timedelta(hours=5))]
        )


class SessionFactory(factory.django.DjangoModelFactory):
    """A session with one 09:00-15:00 meeting `starts_in_days` from now (default 14).

    Options: `past=True` (the meeting ended two days ago, registration closed),
    `started=True` (the meeting began an hour ago), `free=True` (grant-funded, nobody pays),
    and the model's own `requires_approval=True`.
    """

    class Meta:
        model = Session
        skip_postgeneration_save = True

    class Params:
        starts_in_days = 14
        past = factory.Trait(starts_in_days=-2)
        started = factory.Trait(
            registration_closes_at=factory.LazyFunction(
                lambda: timezone.now() - dt.timedelta(days=1)
            ),
            meetings=_meeting_under_way,
        )
        free = factory.Trait(is_free=True)

    course = factory.SubFactory(CourseFactory)
    capacity = 25
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    registration_closes_at = factory.LazyAttribute(lambda o: in_days(o.starts_in_days - 1, 17))

    @factory.post_generation
    def meetings(obj, create, extracted, **kwargs):  # noqa: N805
        """Pass meetings=[(start, end), ...] to choose them, or meetings=[] for none."""
        if not create:
            return

        def day_after_closing():
            start = obj.registration_closes_at.astimezone(timezone.get_current_timezone())
            start = (start + dt.timedelta(days=1)).replace(hour=9, minute=0)
            return [(start, start.replace(hour=15))]

        _add_meetings(obj, extracted, day_after_closing)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration; `pending=True`, `waitlisted=True` or `cancelled=True` for the
    other states (`confirmed=True` says the default out loud)."""

    class Meta:
        model = Registration

    class Params:
        confirmed = factory.Trait(status=Registration.Status.CONFIRMED)
        pending = factory.Trait(status=Registration.Status.PENDING)
        waitlisted = factory.Trait(status=Registration.Status.WAITLISTED)
        cancelled = factory.Trait(
            status=Registration.Status.CANCELLED, cancelled_at=factory.LazyFunction(timezone.now)
        )

    session = factory.SubFactory(SessionFactory)
    person = factory.LazyFunction(educator)
    status = Registration.Status.CONFIRMED
    district = factory.LazyAttribute(lambda o: o.person.profile.district)
    school = factory.LazyAttribute(lambda o: o.person.profile.school)
    position = factory.LazyAttribute(lambda o: o.person.profile.position)

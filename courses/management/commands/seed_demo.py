"""`manage.py seed_demo`: load or refresh the demo data (see courses/demo.py and DESIGN.md)."""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from activity.services import DEMO_DATA, as_system_task
from courses import demo


class Command(BaseCommand):
    help = (
        "Load the demo providers, districts, courses, sessions, registrations and accounts "
        f"(password {demo.PASSWORD}). Safe to run again: it updates the same rows."
    )

    def handle(self, *args, **options) -> None:
        # The demo people are invented: the certificate and registration emails that seeding
        # triggers go nowhere, whatever mail server is configured.
        with (
            override_settings(
                MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
            ),
            as_system_task(DEMO_DATA),
        ):
            counts = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write(
            f"Sign in as {demo.EDUCATOR_EMAIL}, {demo.COORDINATOR_EMAIL}, {demo.TRAINER_EMAIL}, "
            f"{demo.STAFF_EMAIL} or {demo.ADMIN_EMAIL} with the password {demo.PASSWORD}."
        )

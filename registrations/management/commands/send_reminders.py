from django.core.management.base import BaseCommand

from registrations.services import send_due_reminders


class Command(BaseCommand):
    help = (
        "Email each confirmed registrant once, about two days before their session's first "
        "meeting. Run it hourly (cron or a systemd timer); running it twice sends nothing twice."
    )

    def handle(self, *args, **options) -> None:
        sent = send_due_reminders()
        self.stdout.write(f"Queued {sent} reminder(s).")

from django.core.management.base import BaseCommand

from activity.services import SETTLE_COMMAND, as_system_task
from attendance.services import settle_ended_sessions


class Command(BaseCommand):
    help = (
        "Issue the certificates of sessions whose last meeting has ended, to each registration "
        "that completed it (nobody completes a session before it ends). Run every few minutes; "
        "running it again issues nothing more."
    )

    def handle(self, *args, **options) -> None:
        with as_system_task(SETTLE_COMMAND):
            issued = settle_ended_sessions()
        self.stdout.write(f"Issued {issued} certificate(s).")

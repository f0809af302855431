from django.core.management.base import BaseCommand

from activity.services import SETTLE_COMMAND, as_system_task
from attendance.services import settle_ended_sessions
from evaluations.services import ask_for_evaluations


class Command(BaseCommand):
    help = (
        "Settle sessions whose last meeting has ended: store each completion and issue its "
        "certificate (nobody completes a session before it ends; where the session requires an "
        "evaluation, the certificate waits for it), then ask completers to evaluate and remind "
        "them after 2 and 7 days. Run every few minutes; running it again does nothing more."
    )

    def handle(self, *args, **options) -> None:
        with as_system_task(SETTLE_COMMAND):
            settled = settle_ended_sessions()
            asked = ask_for_evaluations()
        self.stdout.write(
            f"Settled {settled} completion(s); asked {asked['asked']} to evaluate, reminded "
            f"{asked['first_reminders']} after 2 days and {asked['second_reminders']} after 7."
        )

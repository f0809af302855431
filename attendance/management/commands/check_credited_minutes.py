from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from attendance.completion import recompute_completion
from attendance.selectors import stale_completions, stale_credited_minutes
from registrations.models import Registration


class Command(BaseCommand):
    help = (
        "Check that every registration's stored credited minutes and completion (what the reach "
        "reports, certificates and transcripts read) equal what its attendance adds up to; with "
        "--fix, recompute the ones that differ, and their certificates. Needed only after attendance or meetings were changed "
        "outside the application (SQL, a restore of part of the data)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="Recompute what differs (one transaction)."
        )

    def handle(self, *args, fix: bool = False, **options) -> None:
        stale = sorted(
            set(stale_credited_minutes(Registration.objects.all()).values_list("pk", flat=True))
            | set(stale_completions(Registration.objects.all()).values_list("pk", flat=True))
        )
        if not stale:
            self.stdout.write("Every registration's credited minutes match its attendance.")
            return
        if not fix:
            raise CommandError(
                f"{len(stale)} registration(s) differ from their attendance; "
                "run with --fix to recompute them."
            )
        with transaction.atomic():
            recompute_completion(registration_ids=stale)
        self.stdout.write(f"Recomputed {len(stale)} registration(s) and their certificates.")

"""`python manage.py import_districts FILE.csv [--dry-run]`: see organizations.importing."""

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organizations.importing import COLUMNS, DistrictImportError, decode, import_districts


class Command(BaseCommand):
    help = (
        "Create or update districts and schools from a CSV file with the header "
        f"{','.join(COLUMNS)} (one row per school). A file with any bad row imports nothing; "
        "every bad line is reported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and count changes; save nothing"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except FileNotFoundError as error:
            raise CommandError(f"{file}: no such file.") from error
        except IsADirectoryError as error:
            raise CommandError(f"{file} is a directory, not a CSV file.") from error
        except OSError as error:
            raise CommandError(f"{file} cannot be read: {error.strerror}.") from error
        try:
            result = import_districts(rows=io.StringIO(decode(data), newline=""), dry_run=dry_run)
        except DistrictImportError as error:
            for problem in error.problems:
                self.stderr.write(f"{file}: {problem}")
            count = len(error.problems)
            raise CommandError(
                f"{file}: {count} problem{'s' if count > 1 else ''}; nothing was imported."
            ) from error
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{file}: {verb} {result}."))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from poc.services import accounts_create_from_csv


class Command(BaseCommand):
    help = "Issue per-agency accounts from a CSV; writes one-time passwords to --output. All-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("csv")
        parser.add_argument("--output", default="one-time-passwords.csv")

    def handle(self, *args, **options):
        try:
            text = Path(options["csv"]).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['csv']}: {exc}") from exc
        result = accounts_create_from_csv(text)
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError("No account was created.")
        Path(options["output"]).write_text(result.output_csv(), encoding="utf-8-sig")
        self.stdout.write(self.style.SUCCESS(f"Created {len(result.created)} account(s); passwords in {options['output']}"))

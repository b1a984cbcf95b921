import datetime as dt

from django.core.management.base import BaseCommand

from verification.reminders import reminders_send


class Command(BaseCommand):
    help = "E-mail and notify data-entry users of datasets due soon or overdue (never twice for the same event)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, help="judge as of this day (YYYY-MM-DD, default today)")

    def handle(self, *args, **options):
        report = reminders_send(today=options["date"])
        for line in report.events:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{report.sent} reminder(s) sent, {report.skipped} already sent before"))

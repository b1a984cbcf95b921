from django.core.management.base import BaseCommand

from cockpit.services import warnings_evaluate


class Command(BaseCommand):
    help = "Check every active warning rule on its latest period: open new alerts, close cleared ones."

    def handle(self, *args, **options):
        result = warnings_evaluate()
        self.stdout.write(self.style.SUCCESS(f"{result.opened} alerts opened, {result.closed} closed"))

from django.core.management.base import BaseCommand

from poc.privacy import retention_apply


class Command(BaseCommand):
    help = "Delete page views and notifications older than POC_PAGEVIEW_RETENTION_DAYS / POC_NOTIFICATION_RETENTION_DAYS (PDPA)."

    def handle(self, *args, **options) -> None:
        for label, count in retention_apply().items():
            self.stdout.write(f"{label}: {count} deleted")

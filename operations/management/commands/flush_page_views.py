from django.core.management.base import BaseCommand

from operations.usage import flush_page_views


class Command(BaseCommand):
    help = "Move page views buffered in Redis into the usage table (the beat job does this every minute)."

    def handle(self, *args, **options):
        self.stdout.write(f"{flush_page_views()} page views written")

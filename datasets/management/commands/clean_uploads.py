"""``manage.py clean_uploads [--hours N]``: delete stored uploads older than N hours (default: the job store's 24)."""

from django.core.management.base import BaseCommand

from datasets.tasks import JOB_TTL, stale_uploads_delete


class Command(BaseCommand):
    help = "Delete uploads kept for the mapping step or a background import once they are older than --hours."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=JOB_TTL // 3600)

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {stale_uploads_delete(max_age_hours=options['hours'])} stale upload(s)")

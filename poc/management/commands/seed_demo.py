import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill the portal with a deterministic demo province (every app adds its part from <app>/demo.py)."

    def handle(self, *args, **options):
        context: dict = {"stdout": self.stdout}
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("django") or importlib.util.find_spec(module_name) is None:
                continue
            self.stdout.write(f"seeding {config.label} ...")
            importlib.import_module(module_name).seed(context)
        for line in context.get("log", []):
            self.stdout.write(self.style.SUCCESS(line))

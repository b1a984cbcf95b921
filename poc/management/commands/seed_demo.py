import importlib
import importlib.util
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.core import mail
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from poc.demo import DEMO_ACCOUNTS, demo_password

# Loggers that narrate every eager Celery task ("Task … succeeded") or the in-memory broker: noise during a seed.
NOISY_LOGGERS = ("celery", "kombu", "poc.audit")  # system jobs log their audit lines at INFO


@contextmanager
def quiet_seeding(verbosity: int) -> Iterator[list]:
    """Keep reminder and alert e-mails in memory (counted, not printed) and silence per-task log lines."""
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    if verbosity < 2:
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            yield mail.outbox
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class Command(BaseCommand):
    help = "Fill the portal with a deterministic demo province (every app adds its part from <app>/demo.py)."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        context: dict = {"stdout": self.stdout}
        with quiet_seeding(verbosity) as outbox:
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if config.name.startswith("django") or importlib.util.find_spec(module_name) is None:
                    continue
                if verbosity >= 2:
                    self.stdout.write(f"seeding {config.label} ...")
                importlib.import_module(module_name).seed(context)
            sent = len(outbox)
        if verbosity == 0:
            return
        self.stdout.write(self.style.SUCCESS("Demo province seeded:"))
        for line in context.get("log", []):
            self.stdout.write(f"  {line}")
        if sent:
            self.stdout.write(f"  e-mail: {sent} reminder/alert messages composed and kept in memory (not sent)")
        self.stdout.write(self.style.SUCCESS(f"Log in with any of these accounts (password {demo_password()}):"))
        for username, roles, agency_code, _first_name, position in DEMO_ACCOUNTS:
            role_names = ", ".join(str(role.label) for role in roles)
            self.stdout.write(f"  {username:<14} {role_names:<24} {agency_code:<12} {position}")

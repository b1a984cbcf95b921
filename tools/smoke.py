"""Smoke check: log in as a demo user through the real stack and fetch pages (used by `make smoke`)."""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poc.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from poc.demo import demo_password  # noqa: E402

client = Client(HTTP_HOST="127.0.0.1")
if not client.login(username="governor", password=demo_password()):
    sys.exit("smoke: demo login failed")
failures = []
for name in sys.argv[1:] or ["home"]:
    response = client.get(reverse(name))
    print(f"smoke: {name} -> {response.status_code}")
    if response.status_code != 200:
        failures.append(name)
sys.exit(1 if failures else 0)

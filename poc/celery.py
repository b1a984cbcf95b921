"""Celery application. Tasks run eagerly in-process when REDIS_URL is unset (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poc.settings")

app = Celery("poc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Backups, the contingency plan, training and usage moved from the risk app: old links, permissions and history follow."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from operations import services
from operations.models import Course
from poc.models import User

pytestmark = pytest.mark.django_db


def test_old_risk_addresses_redirect_to_operations_and_the_survey_stays(client, entry_a):
    client.force_login(entry_a)

    training = client.get("/risk/training/", {"fy": "2568"})
    assert training.status_code == 301 and training["Location"] == "/operations/training/?fy=2568"
    assert client.get("/risk/backups/")["Location"] == "/operations/backups/"
    assert client.get("/risk/contingency/v1/")["Location"] == "/operations/contingency/v1/"
    assert client.get("/risk/usage/")["Location"] == "/operations/usage/"
    assert client.get("/risk/survey/").status_code == 200
    assert client.get("/risk/backupsX/").status_code == 404  # only the moved pages redirect


def test_content_types_move_with_the_models_so_permissions_and_audit_lines_follow(it_admin, make_user, agency_a):
    course = services.course_save(user=it_admin, course=Course(title="GIS", start_date=dt.date(2024, 11, 5), end_date=dt.date(2024, 11, 6)))
    course_type = ContentType.objects.get_for_model(Course)
    clerk = make_user("clerk", ["data_entry"], agency_a)
    clerk.user_permissions.add(Permission.objects.get(content_type=course_type, codename="change_course"))
    # A database migrated before the move knows these rows as risk.course.
    ContentType.objects.filter(pk=course_type.pk).update(app_label="risk")
    ContentType.objects.clear_cache()

    migration = importlib.import_module("operations.migrations.0001_initial")
    migration.relabel_content_types(apps, SimpleNamespace(connection=connection))
    ContentType.objects.clear_cache()

    assert ContentType.objects.get(pk=course_type.pk).app_label == "operations"
    assert not ContentType.objects.filter(app_label="risk", model="course").exists()
    assert User.objects.get(pk=clerk.pk).has_perm("operations.change_course")
    entry = LogEntry.objects.get(content_type=course_type, object_id=str(course.pk))
    assert entry.get_edited_object() == course and entry.change_message == "GIS"

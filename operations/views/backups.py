"""IT page: the backups, their verification, and buttons to back up or verify now (queued on Celery)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations import tasks
from operations.backups.selectors import backup_status
from operations.models import BackupRecord
from poc.audit import audit
from poc.permissions import Gate, role_required


@role_required(Gate.IT_ADMIN)
def backup_list(request: HttpRequest) -> HttpResponse:
    context = {"status": backup_status(), "records": BackupRecord.objects.all()[:60]}
    return render(request, "operations/backup_list.html", context)


@role_required(Gate.IT_ADMIN)
@require_POST
def backup_start(request: HttpRequest) -> HttpResponse:
    transaction.on_commit(tasks.backup_now.delay)
    messages.success(request, _("A backup was started; it is verified as soon as it is written."))
    return redirect("operations:backup_list")


@role_required(Gate.IT_ADMIN)
@require_POST
def backup_verify(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(BackupRecord, pk=pk)
    audit(request.user, record, "change", "verification requested")
    transaction.on_commit(lambda: tasks.backup_verify.delay(record.pk))
    messages.success(request, _("Verification of %(name)s was started.") % {"name": record.filename})
    return redirect("operations:backup_list")

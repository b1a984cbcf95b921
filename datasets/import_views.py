"""The import page's mapping step: a file that is not our template is stored, its layout shown, the clerk confirms
which column is which element and answers the questioned names, sees exactly the values that will be written with
every problem, and imports — all-or-nothing, large files on the Celery path — saving the mapping as a profile."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from datasets.import_forms import MappingForm
from datasets.imports import FileImport, clean_mapping, values_import_file
from datasets.models import Dataset, ImportProfile
from datasets.services import importprofile_save
from datasets.tasks import job_file, job_key, job_update, values_import_task
from datasets.transfer import ASYNC_THRESHOLD

MAPPING_STATE = "mapping"
SAMPLE_ROWS = 2000  # a large file's mapping step previews this many rows per sheet; the import checks them all


def pending_store(*, dataset: Dataset, user, filename: str, content: bytes, cells: int, profile: ImportProfile | None = None) -> str:
    """Keep an upload for the mapping step (or the Celery task) and return its token."""
    token = uuid.uuid4().hex
    path = job_file(token, filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    job_update(
        token,
        state=MAPPING_STATE,
        mapped=True,
        dataset=dataset.pk,
        user=user.pk,
        filename=filename,
        cells=cells,
        mapping=profile.mapping if profile else {},
        profile=profile.name if profile else "",
        language=translation.get_language(),
    )
    return token


def import_now_or_queue(request: HttpRequest, dataset: Dataset, token: str, job: dict, mapping: dict) -> FileImport | None:
    """Import a stored upload with ``mapping``: here for a small file, on Celery with a progress bar for a large one."""
    if job["cells"] >= ASYNC_THRESHOLD:
        job_update(token, state="running", percent=0, step=_("queued"), mapping=mapping)
        values_import_task.delay(token)
        return None
    path = job_file(token, job["filename"])
    result = values_import_file(dataset=dataset, user=request.user, content=path.read_bytes(), filename=job["filename"], mapping=mapping)
    if result.saved:
        path.unlink(missing_ok=True)
        job_update(token, state="done", percent=100, result=result.as_dict())
    return result


def import_with_profile(request: HttpRequest, dataset: Dataset, token: str) -> HttpResponse:
    """One step: a stored upload imported with the profile the clerk picked; problems open the mapping step."""
    job = cache.get(job_key(token))
    return _import(request, dataset, token, job, job["mapping"], profile_name="")


@login_required
def upload_map(request: HttpRequest, code: str, token: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset.objects.restrict(request.user, "change"), code=code)
    job = cache.get(job_key(token)) if token.isalnum() else None
    if not job or job.get("user") != request.user.pk or job.get("dataset") != dataset.pk or job.get("state") != MAPPING_STATE:
        raise Http404
    path = job_file(token, job["filename"])
    if not path.exists():
        raise Http404
    mapping = job.get("mapping") or {}
    sample = SAMPLE_ROWS if job["cells"] >= ASYNC_THRESHOLD else None
    if request.method == "POST":
        # The layout the clerk saw: the form is rebuilt from it, then read back as the new mapping.
        seen = values_import_file(
            dataset=dataset,
            user=request.user,
            content=path.read_bytes(),
            filename=job["filename"],
            mapping=mapping,
            dry_run=True,
            sample_rows=sample,
        )
        form = MappingForm(request.POST, dataset=dataset, layout=seen.layout, mapping=mapping)
        if form.is_valid():
            try:
                mapping = clean_mapping(dataset, form.mapping())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                job = job_update(token, mapping=mapping)
                if request.POST.get("action") == "import":
                    return _import(request, dataset, token, job, mapping, form.cleaned_data.get("profile_name", "").strip())
    result = values_import_file(
        dataset=dataset,
        user=request.user,
        content=path.read_bytes(),
        filename=job["filename"],
        mapping=mapping,
        dry_run=True,
        sample_rows=sample,
    )
    if request.method != "POST" or not form.errors:
        form = MappingForm(dataset=dataset, layout=result.layout, mapping=mapping, initial={"profile_name": job.get("profile", "")})
    return render(
        request,
        "datasets/upload_map.html",
        {
            "dataset": dataset,
            "form": form,
            "result": result,
            "filename": job["filename"],
            "large": sample is not None,
            "sample_rows": SAMPLE_ROWS,
        },
    )


def _import(request: HttpRequest, dataset: Dataset, token: str, job: dict, mapping: dict, profile_name: str) -> HttpResponse:
    result = import_now_or_queue(request, dataset, token, job, mapping)
    upload_url = reverse("datasets:upload", args=[dataset.code])
    if profile_name and (result is None or result.saved):  # a mapping is kept once it imports (or is queued after its check)
        importprofile_save(user=request.user, dataset=dataset, name=profile_name, mapping=mapping)
    if result is None:
        return redirect(f"{upload_url}?job={token}")
    if result.saved:
        messages.success(
            request,
            _("Imported: %(c)d new, %(u)d changed, %(n)d unchanged.") % {"c": result.created, "u": result.updated, "n": result.unchanged},
        )
        return redirect(upload_url)
    messages.error(request, _("Nothing was saved: %(n)d problem(s) in the file.") % {"n": len(result.errors)})
    return redirect(reverse("datasets:upload_map", args=[dataset.code, token]))

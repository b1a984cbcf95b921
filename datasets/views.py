"""Pages of the datasets app: catalogue, entry grid, history, audit, completeness, import/export, open data."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from datasets import charts, selectors
from datasets.forms import AuditFilterForm, DownloadForm, EntryGrid, EntryPickForm, UploadForm
from datasets.formstate import form_statuses
from datasets.import_forms import profile_choices
from datasets.import_views import import_with_profile, pending_store
from datasets.imports import is_template_head
from datasets.models import Dataset, DataValueAudit, ImportProfile, NotAvailableReason, Sensitivity, Topic
from datasets.readers import ReadError, survey
from datasets.services import datavalues_save
from datasets.tasks import job_file, job_key, job_update, values_import_task
from datasets.transfer import ASYNC_THRESHOLD, collection_units, values_import, values_table
from poc import permissions
from poc.exports import tablib_response
from poc.models import Agency, OrgUnit, OrgUnitLevel, Period
from poc.params import fiscal_year_param
from poc.periods import PeriodError, fiscal_year_of, parse_period

HISTORY_YEARS = 4


def _province() -> OrgUnit:
    unit = OrgUnit.objects.without_shapes().filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
    if unit is None:
        raise Http404
    return unit


def _home_unit(user) -> OrgUnit:
    """The unit a user works within: their agency's (a district office sees its district)."""
    agency = getattr(user, "agency", None)
    if agency and not permissions.is_it_admin(user):
        return OrgUnit.objects.without_shapes().get(pk=agency.orgunit_id)
    return _province()


def _fiscal_years(request: HttpRequest) -> list[int]:
    current = fiscal_year_of(timezone.localdate())
    return list(range(current - HISTORY_YEARS + 1, current + 1))


def _readable(request: HttpRequest, code: str) -> Dataset:
    return get_object_or_404(Dataset.objects.restrict(request.user, "view").select_related("topic", "agency"), code=code)


# --- Catalogue --------------------------------------------------------------------------------
def catalogue(request: HttpRequest, open_data: bool = False) -> HttpResponse:
    if not open_data and not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    datasets = Dataset.objects.restrict(request.user, "view").filter(is_active=True).select_related("agency")
    if open_data:
        datasets = datasets.filter(sensitivity=Sensitivity.PUBLIC)
    query = request.GET.get("q", "").strip()
    if query:
        datasets = datasets.filter(
            Q(name_th__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query) | Q(definition__icontains=query)
        )
    topics = Topic.objects.prefetch_related(Prefetch("datasets", queryset=datasets, to_attr="visible")).order_by("order", "code")
    enterable = set(Dataset.objects.restrict(request.user, "change").values_list("pk", flat=True))
    return render(request, "datasets/catalogue.html", {"topics": topics, "query": query, "open_data": open_data, "enterable": enterable})


def dataset_detail(request: HttpRequest, code: str, open_data: bool = False) -> HttpResponse:
    dataset = _readable(request, code)
    if open_data and dataset.sensitivity != Sensitivity.PUBLIC:
        raise Http404
    province = _province()
    periods, elements, values = selectors.dataset_history(dataset, province, _fiscal_years(request))
    return render(
        request,
        "datasets/detail.html",
        {
            "dataset": dataset,
            "elements": dataset.elements.all(),
            "open_data": open_data,
            "province": province,
            "chart": charts.history(periods, elements, values),
            "latest": periods[-1].code if periods else "",
            "can_enter": request.user.is_authenticated and Dataset.objects.restrict(request.user, "change").filter(pk=dataset.pk).exists(),
        },
    )


# --- Entry ------------------------------------------------------------------------------------
@login_required
def entry(request: HttpRequest) -> HttpResponse:
    """Pick dataset → period → org unit, then a grid of elements × the org units below it (saved atomically)."""
    within = _home_unit(request.user)
    pick = EntryPickForm(request.GET or None, user=request.user, within=within)
    context = {"pick": pick, "grid": None}
    if not request.GET or not pick.is_valid():
        if not pick.fields["dataset"].queryset.exists():
            messages.info(request, _("Your agency has no datasets to enter."))
        return render(request, "datasets/entry.html", context)
    dataset, unit = pick.cleaned_data["dataset"], pick.cleaned_data["orgunit"]
    period = Period.objects.for_spec(pick.cleaned_data["period_obj"])
    units = collection_units(dataset, unit, period)
    posted = request.method == "POST"
    # A save that succeeds redirects: the grid is then only read, not shown (no previous values, hints or flags).
    grid = EntryGrid(dataset, period, units, request.POST if posted else None, display=not posted)
    if posted:
        cells, missing = grid.cells()
        result = datavalues_save(cells=cells, user=request.user, dry_run=bool(missing))
        errors = missing + result.errors
        saved = _("Saved: %(c)d new, %(u)d changed, %(d)d cleared, %(n)d unchanged.") % {
            "c": result.created,
            "u": result.updated,
            "d": result.deleted,
            "n": result.unchanged,
        }
        if errors:
            grid.attach_errors(errors)
            messages.error(request, _("Nothing was saved: %(n)d cell(s) need correcting.") % {"n": len(errors)})
        elif result.conflicts:
            # The other cells are saved; the conflicting ones come back with both values, from a fresh read.
            grid = EntryGrid(dataset, period, units)
            grid.attach_conflicts(result.conflicts, request.POST)
            messages.success(request, saved)
            messages.warning(
                request,
                _(
                    "%(n)d cell(s) were changed by someone else after you opened the form and were not saved: "
                    "choose which value to keep and save again."
                )
                % {"n": len(result.conflicts)},
            )
        else:
            messages.success(request, saved)
            return redirect(request.get_full_path())
    grid.prepare_display()
    status = form_statuses(dataset, [unit], [period.code]).get((unit.pk, period.code))
    context.update(
        {
            "grid": grid,
            "dataset": dataset,
            "period": period,
            "unit": unit,
            "status": status,
            "reasons": NotAvailableReason.choices,
            "submit_url": "" if status and status.locked else _optional_url("verification:submission_open"),
        }
    )
    return render(request, "datasets/entry.html", context)


def _optional_url(name: str) -> str:
    """The URL of another app's page, or "" when that app is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- History and audit --------------------------------------------------------------------------
def history(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _readable(request, code)
    province = _province()
    unit = OrgUnit.objects.subtree(province).filter(code=request.GET.get("orgunit") or province.code).first() or province
    periods, elements, values = selectors.dataset_history(dataset, unit, _fiscal_years(request))
    rows = [(p, [values.get((e.pk, p.code)) for e in elements]) for p in reversed(periods)]
    choices = OrgUnit.objects.subtree(province).filter(level__lte=min(dataset.collection_level, OrgUnitLevel.SUBDISTRICT))
    return render(
        request,
        "datasets/history.html",
        {
            "dataset": dataset,
            "unit": unit,
            "elements": elements,
            "rows": rows,
            "chart": charts.history(periods, elements, values),
            "choices": choices,
        },
    )


@login_required
def audit(request: HttpRequest, code: str) -> HttpResponse:
    """Every change of the dataset's values, or of one cell (``element``, ``orgunit``, ``period`` codes); read-only."""
    dataset = _readable(request, code)
    rows = DataValueAudit.objects.filter(element__dataset=dataset).select_related("element", "option_combo", "orgunit", "period", "user")
    form = AuditFilterForm(request.GET or None, dataset=dataset, within=_province())
    if form.is_bound and not form.is_valid():
        rows = rows.none()  # a filter that cannot be understood shows its error, not the whole trail
    elif form.is_bound:
        data = form.cleaned_data
        for key, value in (("element", data["element"]), ("orgunit", data["orgunit"])):
            if value is not None:
                rows = rows.filter(**{key: value})
        if data["period"]:
            rows = rows.filter(period__code=data["period"].code)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "datasets/audit.html", {"dataset": dataset, "page": page, "form": form, "query": query.urlencode()})


# --- Completeness -------------------------------------------------------------------------------
def _completeness(request: HttpRequest):
    fy = fiscal_year_param(request.GET)
    years = [fy] if fy is not None else _fiscal_years(request)
    datasets = Dataset.objects.restrict(request.user, "view").filter(is_active=True).select_related("topic", "agency")
    datasets = datasets.prefetch_related("elements").with_assigned_units()
    agency = request.GET.get("agency")
    if agency:
        datasets = datasets.filter(agency__code=agency)
    # Neither page shows figures per element: counted per unit only.
    return years, selectors.completeness(datasets=datasets, fiscal_years=years, within=_province(), cached=True, per_element=False)


@login_required
def completeness_page(request: HttpRequest) -> HttpResponse:
    years, report = _completeness(request)
    agencies = Agency.objects.filter(pk__in=report.by_agency).order_by("code")
    topics = Topic.objects.filter(pk__in=report.by_topic).order_by("order", "code")
    breakdowns = [
        (_("By fiscal year"), [(_("FY %(y)s") % {"y": y}, t) for y, t in sorted(report.by_fiscal_year.items())]),
        (_("By agency"), [(a.name, report.by_agency[a.pk]) for a in agencies]),
        (_("By topic"), [(f"{t.code} {t.name}", report.by_topic[t.pk]) for t in topics]),
        (
            _("By district"),
            [(report.orgunits[k].name, t) for k, t in sorted(report.by_orgunit.items(), key=lambda i: report.orgunits[i[0]].code)],
        ),
    ]
    return render(
        request,
        "datasets/completeness.html",
        {
            "years": years,
            "report": report,
            "all_years": _fiscal_years(request),
            "breakdowns": breakdowns,
            "dataset_rows": [
                (d, [report.by_dataset_year.get((d.pk, y)) for y in years], report.by_dataset[d.pk])
                for d in report.datasets.values()
                if d.pk in report.by_dataset
            ],
            "all_agencies": Agency.objects.filter(datasets__isnull=False).distinct().order_by("code"),
        },
    )


@login_required
def completeness_json(request: HttpRequest) -> JsonResponse:
    years, report = _completeness(request)
    datasets = report.datasets
    # The datasets' topics and agencies came with them (select_related): no query for their codes.
    topics = {d.topic_id: d.topic for d in datasets.values()}
    agencies = {d.agency_id: d.agency for d in datasets.values()}
    return JsonResponse(
        {
            "fiscal_years": years,
            "total": report.total.as_dict(),
            "by_fiscal_year": {str(y): t.as_dict() for y, t in sorted(report.by_fiscal_year.items())},
            "by_dataset": {datasets[k].code: t.as_dict() for k, t in report.by_dataset.items()},
            "by_topic": {topics[k].code: t.as_dict() for k, t in report.by_topic.items()},
            "by_agency": {agencies[k].code: t.as_dict() for k, t in report.by_agency.items()},
            "by_orgunit": {report.orgunits[k].code: t.as_dict() for k, t in report.by_orgunit.items()},
        }
    )


# --- Import / export ----------------------------------------------------------------------------
def download(request: HttpRequest, code: str, what: str) -> HttpResponse:
    """``template`` (needs enter rights) or ``values`` of one period, as ``?format=xlsx|csv``."""
    dataset = _readable(request, code)
    if what not in ("template", "values"):
        raise Http404
    if what == "template":
        permissions.require(request.user, "change", dataset)
    try:
        spec = parse_period(request.GET.get("period", ""))
    except PeriodError as exc:
        return HttpResponseBadRequest(str(exc))
    if spec.type != dataset.period_type:
        return HttpResponseBadRequest(_("period %(p)s does not fit dataset %(d)s") % {"p": spec.code, "d": dataset.code})
    within = _home_unit(request.user) if request.user.is_authenticated else _province()
    table = values_table(dataset, Period.objects.lookup(spec), within, with_values=what == "values")
    kind = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return tablib_response(table, filename=f"{dataset.code}_{spec.code}_{what}", fmt=kind)


@login_required
def upload(request: HttpRequest, code: str) -> HttpResponse:
    """Our template imports directly; any other file (or one with a saved profile) goes through the mapping step."""
    dataset = get_object_or_404(Dataset.objects.restrict(request.user, "change"), code=code)
    form = UploadForm(request.POST or None, request.FILES or None, profiles=profile_choices(dataset, request.user))
    result = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        content = upload_file.read()
        profile = (
            ImportProfile.objects.restrict(request.user, "view").filter(pk=form.cleaned_data["profile"] or None, dataset=dataset).first()
        )
        try:
            size = survey(content, upload_file.name)
            cells = size.cells
        except ReadError as exc:  # over a size limit: refused before anything is parsed into rows
            form.add_error("file", str(exc))
            cells = None
        if cells is not None and (profile or not is_template_head(size.head)):
            token = pending_store(
                dataset=dataset, user=request.user, filename=upload_file.name, content=content, cells=cells, profile=profile
            )
            if profile is None:
                return redirect("datasets:upload_map", dataset.code, token)
            return import_with_profile(request, dataset, token)
        if cells is not None and cells >= ASYNC_THRESHOLD:
            job_id = uuid.uuid4().hex
            path = job_file(job_id, upload_file.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            job_update(
                job_id,
                state="running",
                percent=0,
                step=_("queued"),
                dataset=dataset.pk,
                user=request.user.pk,
                filename=upload_file.name,
                language=translation.get_language(),
            )
            values_import_task.delay(job_id)
            return redirect(f"{reverse('datasets:upload', args=[dataset.code])}?job={job_id}")
        if cells is not None:
            result = values_import(dataset=dataset, user=request.user, content=content, filename=upload_file.name)
            if result.ok:
                messages.success(
                    request,
                    _("Imported: %(c)d new, %(u)d changed, %(n)d unchanged.")
                    % {"c": result.created, "u": result.updated, "n": result.unchanged},
                )
            else:
                messages.error(request, _("Nothing was saved: %(n)d problem(s) in the file.") % {"n": len(result.errors)})
    job = request.GET.get("job", "")
    latest = selectors.history_periods(dataset, _fiscal_years(request))[-1:]
    return render(
        request,
        "datasets/upload.html",
        {
            "dataset": dataset,
            "form": form,
            "result": result,
            "job": job if job.isalnum() else "",
            "download_form": DownloadForm(
                dataset=dataset, unit=_home_unit(request.user), initial={"period": latest[0].code if latest else ""}
            ),
        },
    )


@login_required
def job_status(request: HttpRequest, job: str) -> JsonResponse:
    state = cache.get(job_key(job))
    if not state or state.get("user") != request.user.pk:
        raise Http404
    return JsonResponse({k: state.get(k) for k in ("state", "percent", "step", "result")})

"""Map page, layer page and the JSON/GeoJSON endpoints behind them (thin: selectors do the work)."""

from __future__ import annotations

import gzip

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from datasets.models import AggregateValue
from gis import charts
from gis.forms import LayerUploadForm, MapQueryForm, SeriesQueryForm, mappable_elements
from gis.models import ThematicLayer
from gis.parts import part_choices
from gis.selectors import choropleth_gzipped, choropleth_validators, layer_geojson, measure_series, measure_title
from gis.services import can_manage_layer, can_upload_layers, layer_delete, layer_upload
from indicators.models import IndicatorValue
from indicators.reporting import complete_period
from indicators.selectors import readable_indicators
from poc import permissions
from poc.models import OrgUnit, OrgUnitGroup, OrgUnitLevel, Period
from poc.periods import parse_period, period_for_fiscal_year

CACHE_CONTROL = "private, max-age=60"
GEOJSON = "application/geo+json"


def _form_errors(form) -> JsonResponse:
    status = 404 if form.not_found else 400
    return JsonResponse({"errors": {field: [str(e) for e in errors] for field, errors in form.errors.items()}}, status=status)


def _matches(request: HttpRequest, etag: str) -> bool:
    # Weak comparison (RFC 9110): a gzipped body's W/"…" tag names the same representation's data.
    wanted = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    return etag in wanted or "*" in wanted


@require_GET
def choropleth_api(request: HttpRequest) -> HttpResponse:
    form = MapQueryForm(request.GET, user=request.user)
    if not form.is_valid():
        return _form_errors(form)
    selection = form.selection()
    etag, modified = choropleth_validators(selection, request.GET.items())
    headers = {"ETag": etag, "Last-Modified": http_date(modified.timestamp()), "Cache-Control": CACHE_CONTROL, "Vary": "Cookie"}
    if _matches(request, etag):
        return HttpResponseNotModified(headers=headers)
    body = choropleth_gzipped(selection, etag)
    headers["Vary"] = "Cookie, Accept-Encoding"
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return HttpResponse(gzip.decompress(body), content_type=GEOJSON, headers=headers)
    # Pre-compressed (GZipMiddleware leaves a response with a Content-Encoding alone); weak tag as it would give.
    headers.update({"Content-Encoding": "gzip", "ETag": f"W/{etag}"})
    return HttpResponse(body, content_type=GEOJSON, headers=headers)


@require_GET
def series_api(request: HttpRequest) -> JsonResponse:
    form = SeriesQueryForm(request.GET, user=request.user)
    if not form.is_valid():
        return _form_errors(form)
    selection = form.selection()
    periods, values = measure_series(selection)
    name, unit = measure_title(selection)
    figure = charts.series(place=selection.parent.name, name=name, unit=unit, periods=periods, values=values)
    return JsonResponse({"figure": figure}, headers={"Cache-Control": CACHE_CONTROL})


@require_GET
def layers_api(request: HttpRequest) -> JsonResponse:
    layers = ThematicLayer.objects.restrict(request.user, "view").order_by("name", "pk")
    return JsonResponse(
        {
            "layers": [
                {"id": layer.pk, "name": layer.name, "colour": layer.colour, "url": reverse("gis:layer_api", args=[layer.pk])}
                for layer in layers
            ]
        }
    )


@require_GET
def layer_api(request: HttpRequest, pk: int) -> HttpResponse:
    layer = get_object_or_404(ThematicLayer.objects.restrict(request.user, "view"), pk=pk)
    etag = quote_etag(f"layer-{layer.pk}-{layer.updated.timestamp()}")
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Cookie"}
    if _matches(request, etag):
        return HttpResponseNotModified(headers=headers)
    return HttpResponse(layer_geojson(layer), content_type=GEOJSON, headers=headers)


def _period_choices(element, indicator) -> list[tuple[str, str]]:
    """Periods with values for the element or indicator (newest first), each fiscal year first."""
    if element is not None:
        period_ids = AggregateValue.objects.filter(element=element, count__gt=0).values("period_id")
    elif indicator is not None:
        period_ids = IndicatorValue.objects.filter(indicator=indicator, value__isnull=False).values("period_id")
    else:
        return []
    periods = Period.objects.filter(pk__in=period_ids).order_by("-start_date")
    choices: list[tuple[str, str]] = []
    seen_years: set[int] = set()
    for period in periods[:48]:
        if period.fiscal_year not in seen_years:
            seen_years.add(period.fiscal_year)
            fiscal_year = Period.objects.lookup(period_for_fiscal_year(period.fiscal_year))
            choices.append((fiscal_year.code, fiscal_year.label))
        if period.code != f"FY{period.fiscal_year}":
            choices.append((period.code, period.label))
    return choices


def _start_unit(request: HttpRequest) -> OrgUnit | None:
    code = request.GET.get("orgunit", "").strip()
    units = OrgUnit.objects.without_shapes()  # the page draws boundaries from the API, not from here
    unit = units.filter(code=code).first() if code else None
    if unit is None and request.user.is_authenticated and request.user.agency_id:
        unit = units.filter(pk=request.user.agency.orgunit_id).first()
    unit = unit or units.filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
    # A unit without children is shown among its siblings.
    if unit is not None and unit.parent_id and not unit.children.exists():
        unit = unit.parent
    return unit


def map_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    query.pop("parent", None)
    form = MapQueryForm(query, user=request.user)
    form.is_valid()
    element = form.cleaned_data.get("element")
    indicator = None if element else form.cleaned_data.get("indicator")
    periods = _period_choices(element, indicator)
    period = form.cleaned_data.get("period")
    period_code, share = period.code if period else "", None
    if element or indicator:  # by default the one rule: the newest period with data complete enough to judge
        province = OrgUnit.objects.without_shapes().filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
        codes = [period_code] if period_code else [code for code, _label in periods]
        if province is not None and codes:
            period_code, share = complete_period(orgunit=province, codes=codes, element=element, indicator=indicator)
    if period_code and period_code not in {code for code, _label in periods}:
        periods.insert(0, (period_code, Period.objects.lookup(parse_period(period_code)).label))
    if period is None and period_code:  # the default period is a choice, not a missing field
        query["period"] = period_code
        form = MapQueryForm(query, user=request.user)
        form.is_valid()
    start = _start_unit(request)
    group = form.cleaned_data.get("group")
    measure_name, measure_unit = measure_title(form.selection()) if form.is_valid() and (element or indicator) else ("", "")
    config = {
        "choroplethUrl": reverse("gis:choropleth"),
        "seriesUrl": reverse("gis:series"),
        "layersUrl": reverse("gis:layers_api"),
        "plotlyUrl": static("vendor/plotly/plotly-basic.min.js"),  # loaded on demand by map.js
        "element": element.code if element else "",
        "indicator": indicator.code if indicator else "",
        "period": period_code,
        "start": start.code if start else "",
        "group": group.code if group else "",
        "option": form.cleaned_data["option_part"].code if form.cleaned_data.get("option_part") else "",
        "ratio": ":".join(p.code for p in form.cleaned_data["ratio_parts"]) if form.cleaned_data.get("ratio_parts") else "",
        "classification": request.GET.get("classes", "quantile"),
        "labels": {
            "noData": _("No data"),
            "value": _("Value"),
            "top": _("All"),
            "loading": _("Loading…"),
            "error": _("The map data could not be loaded."),
            "drill": _("Click to see its parts"),
            "sum": _("Sum"),
            "mean": _("Mean"),
        },
    }
    context = {
        "form": form,
        "config": config,
        "periods": periods,
        "period_code": period_code,
        "element": element,
        "indicator": indicator,
        "reported_percent": None if share is None else int(share * 100),
        "period_label": parse_period(period_code).label() if period_code else "",
        "elements": mappable_elements(request.user).order_by("dataset__code", "order", "code"),
        "indicators": readable_indicators(request.user).order_by("order", "code"),
        "groups": OrgUnitGroup.objects.restrict(request.user, "view").select_related("group_set").order_by("group_set__code", "code"),
        "measure_name": measure_name,
        "measure_unit": measure_unit,
        **part_choices(element),
    }
    return render(request, "gis/map.html", context)


@login_required
def layers_page(request: HttpRequest) -> HttpResponse:
    may_upload = can_upload_layers(request.user)
    form = LayerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_upload:
            permissions.deny(_("You may not upload map layers."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                layer = layer_upload(
                    upload=data["file"],
                    user=request.user,
                    name=data["name"],
                    visibility=data["visibility"],
                    roles=data["roles"],
                    colour=data["colour"],
                    description=data["description"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(
                    request, _("Layer “%(name)s” saved with %(n)d features.") % {"name": layer.name, "n": layer.features.count()}
                )
                return redirect("gis:layers")
    layers = list(ThematicLayer.objects.restrict(request.user, "view").select_related("agency").order_by("name", "pk"))
    for layer in layers:
        layer.may_manage = can_manage_layer(request.user, layer, may_upload=may_upload)
    return render(request, "gis/layers.html", {"form": form, "layers": layers, "may_upload": may_upload})


@login_required
def layer_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET), then delete (POST) a layer its agency's staff or an IT administrator uploaded."""
    # Visible but not yours: 403; not visible: 404 (a hidden layer does not reveal itself).
    layer = get_object_or_404(ThematicLayer.objects.restrict(request.user, "view").select_related("agency"), pk=pk)
    permissions.require(request.user, "delete", layer)
    if request.method == "POST":
        name = layer_delete(layer=layer, user=request.user)
        messages.success(request, _("Layer “%(name)s” deleted.") % {"name": name})
        return redirect("gis:layers")
    return render(request, "gis/layer_delete.html", {"layer": layer, "features": layer.features.count()})

"""Thin views over cockpit selectors and services."""

from __future__ import annotations

import dataclasses
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cockpit import brief, charts
from cockpit.breakdown import breakdown_param, expand_items, item_label
from cockpit.definitions import indicator_definition
from cockpit.forms import AcknowledgeForm, AnswerForm, PinForm, RequestForm, pivot_years
from cockpit.group_values import group_pivot, group_table
from cockpit.models import AlertSeverity, AlertStatus, DashboardPin, Display, InformationRequest
from cockpit.selectors import (
    CACHE_SECONDS,
    chartable_elements,
    cockpit_summary,
    cockpit_tiles,
    drilldown,
    flat_tiles,
    format_value,
    open_alert_count,
    pivot,
    read_wall_versions,
    visible_alerts,
)
from cockpit.services import alert_acknowledge, can_acknowledge, pin_add, pin_remove, request_answer, request_create
from datasets.models import Category
from indicators.models import Indicator
from indicators.reporting import ReportingYear, reporting_year
from indicators.selectors import readable_indicators
from indicators.services import indicator_versions
from poc import permissions, request_memo
from poc.exports import table_response
from poc.group_selectors import GroupAggregation
from poc.models import OrgUnit, OrgUnitGroupSet, OrgUnitLevel, Period
from poc.params import BadParameter, code_param, fiscal_year_param, id_param
from poc.pdf import pdf_response
from poc.periods import fiscal_year_of, period_for_fiscal_year

# Boundaries are large and never drawn here: leave them in the database.
_UNIT_FIELDS = ("code", "name_th", "name_en", "level", "parent_id", "path")
WARROOM_ALERTS = 8  # the alert panel shows this many, most severe first, and counts the rest
WARROOM_PAGE_TILES = 40  # tiles that fit a 1920×1080 wall at a size readable across the room


def _orgunit(request: HttpRequest) -> OrgUnit:
    """The unit asked for, else the province; a province or district comes from the picker's cached list (no query)."""
    code = request.GET.get("orgunit", "")
    known = _selector_units()
    units = OrgUnit.objects.only(*_UNIT_FIELDS)
    if code:
        unit = next((u for u in known if u.code == code), None) or units.filter(code=code).first()
        if unit is not None:
            return unit
    provinces = [u for u in known if u.level == OrgUnitLevel.PROVINCE]
    if provinces:
        return min(provinces, key=lambda u: u.code)
    return units.filter(level=OrgUnitLevel.PROVINCE).order_by("code").first() or _no_province()


def _no_province() -> OrgUnit:
    raise Http404(_("No province has been set up yet."))


def _fiscal_year(request: HttpRequest, unit: OrgUnit) -> int:
    """The year asked for, else the one rule's year: the latest with data complete enough to judge."""
    chosen = fiscal_year_param(request.GET)
    return chosen if chosen is not None else reporting_year(unit).fiscal_year


def _year_and_reporting(request: HttpRequest, unit: OrgUnit) -> tuple[int, ReportingYear]:
    """The year asked for, else the rule's, and the rule's answer showing it (the page says how complete it is and
    links the other year): the rule is read once for both."""
    rule = reporting_year(unit)
    chosen = fiscal_year_param(request.GET)
    fiscal_year = chosen if chosen is not None else rule.fiscal_year
    return fiscal_year, dataclasses.replace(rule, fiscal_year=fiscal_year, default=rule.fiscal_year)


def _selector_units() -> list[OrgUnit]:
    """Province and districts for the org-unit picker, kept briefly: every cockpit page shows it (read once per request)."""
    return request_memo.remember(
        "cockpit:selector-units",
        lambda: cache.get_or_set(
            "cockpit:selector-units:v2",
            lambda: list(OrgUnit.objects.filter(level__lte=OrgUnitLevel.DISTRICT).order_by("path").only(*_UNIT_FIELDS)),
            60,
        ),
    )


def _selectors(unit: OrgUnit, fiscal_year: int) -> dict:
    current = fiscal_year_of(timezone.localdate())
    return {
        "orgunit": unit,
        "fiscal_year": fiscal_year,
        "fiscal_years": list(range(current, current - 8, -1)),
        "orgunits": _selector_units(),
    }


@login_required
def tiles(request: HttpRequest) -> HttpResponse:
    unit = _orgunit(request)
    read_wall_versions()  # one round trip for every version the wall keys on
    fiscal_year, reporting = _year_and_reporting(request, unit)
    groups = cockpit_tiles(orgunit=unit, fiscal_year=fiscal_year, user=request.user)  # the one permission read inside
    flat = flat_tiles(groups)
    context = {
        "groups": groups,
        "tiles": flat,
        "tile_html": _tile_html(flat, unit, fiscal_year),
        "summary": cockpit_summary(groups),
        "open_alerts": open_alert_count(request.user),
        "reporting": reporting,
        **_selectors(unit, fiscal_year),
    }
    return render(request, "cockpit/tiles.html", context)


def _tile_html(tiles: list[dict], unit: OrgUnit, fiscal_year: int) -> list[str]:
    """Each tile's HTML, cached under a digest of what it shows (the tile's values, the unit, the year, the language):
    after a write only the tiles whose figures changed are rendered again, and no user is ever served a tile of
    another's, since a key names exactly the content it stands for. One cache round trip for the whole wall."""
    language = get_language() or "th"

    def key(tile: dict) -> str:
        shown = repr((sorted(tile.items()), unit.code, fiscal_year, language)).encode()
        return f"cockpit:tile-html:{hashlib.blake2b(shown, digest_size=16).hexdigest()}"

    keys = [key(tile) for tile in tiles]
    found = cache.get_many(keys)
    fresh = {
        k: render_to_string("cockpit/_tile.html", {"tile": tile, "orgunit": unit, "fiscal_year": fiscal_year})
        for k, tile in zip(keys, tiles, strict=True)
        if k not in found
    }
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
    return [mark_safe(found[k] if k in found else fresh[k]) for k in keys]  # our template escaped what it shows


def _warroom_pages(groups: list[dict]) -> list[list[dict]]:
    """All tiles, perspective by perspective, cut into screens of WARROOM_PAGE_TILES (one screen for the 33 indicators)."""
    tiles = flat_tiles(groups)
    return [tiles[i : i + WARROOM_PAGE_TILES] for i in range(0, len(tiles), WARROOM_PAGE_TILES)]


@login_required
def brief_pdf(request: HttpRequest) -> HttpResponse:
    """The cockpit on one printed page for the monthly meeting (built in ``cockpit.brief``)."""
    unit = _orgunit(request)
    fiscal_year = _fiscal_year(request, unit)
    content = brief.brief_pdf(user=request.user, orgunit=unit, fiscal_year=fiscal_year)
    return pdf_response(content, f"cockpit-brief-{unit.code}-{fiscal_year}.pdf")


@login_required
def warroom(request: HttpRequest) -> HttpResponse:
    unit = _orgunit(request)
    fiscal_year, reporting = _year_and_reporting(request, unit)
    groups = cockpit_tiles(orgunit=unit, fiscal_year=fiscal_year, user=request.user)
    open_alerts = visible_alerts(request.user).filter(status=AlertStatus.OPEN)
    rank = Case(When(severity=AlertSeverity.CRITICAL, then=0), When(severity=AlertSeverity.WARNING, then=1), default=2)
    alerts = open_alerts.select_related("rule", "orgunit", "period").order_by(rank, "-opened_at", "-id")[:WARROOM_ALERTS]
    context = {
        "groups": groups,
        "summary": cockpit_summary(groups),
        "alerts": alerts,
        "alert_count": open_alerts.count(),
        "reporting": reporting,
        "orgunit": unit,
        "fiscal_year": fiscal_year,
        "pages": _warroom_pages(groups),
    }
    return render(request, "cockpit/warroom.html", context)


@login_required
def indicator_drilldown(request: HttpRequest, code: str) -> HttpResponse:
    # Same answer for unknown and not permitted: an indicator on restricted inputs does not reveal itself.
    indicator = get_object_or_404(readable_indicators(request.user), code=code)
    version = indicator_versions([indicator.pk])[indicator.pk]  # this indicator's own: writes to others keep its page
    unit = _orgunit(request)
    fiscal_year = _fiscal_year(request, unit)

    def figures() -> dict:
        # Building plotly figures costs more than the queries: keep them with the data's version.
        return cache.get_or_set(
            f"cockpit:{version}:{get_language()}:figures:{indicator.pk}:{unit.pk}:{fiscal_year}",
            lambda: {
                "bar": charts.drilldown_bar(data["rows"], indicator.name, data["value"] if data["comparable"] else None, unit.name)
                if data["rows"]
                else None,
                "trend": charts.drilldown_trend(data["years"], data["trend"], data["partial"], data["year_targets"], unit.name),
            },
            CACHE_SECONDS,
        )

    fy_spec = period_for_fiscal_year(fiscal_year)
    # Lazy: read only when the template's fragment cache misses (usually it holds the rendered page body).
    data = SimpleLazyObject(lambda: drilldown(indicator=indicator, orgunit=unit, fiscal_year=fiscal_year))
    context = {
        "indicator": indicator,
        "data": data,
        "figures": SimpleLazyObject(figures),
        "ancestors": SimpleLazyObject(lambda: list(unit.ancestors().only(*_UNIT_FIELDS))),
        "period_code": period_for_fiscal_year(fiscal_year).code,
        "definition": indicator_definition(indicator),
        "by_group": [
            (group_set, [(group, format_value(value, indicator.decimals)) for group, value in rows])
            for group_set, rows in group_table(indicator=indicator, period=Period.objects.lookup(fy_spec))
        ],
        "version": version,
        **_selectors(unit, fiscal_year),
    }
    return render(request, "cockpit/drilldown.html", context)


# --- Personal dashboard -----------------------------------------------------------------------
def _subjects(user) -> list[tuple[str, str]]:
    indicators = [(f"i:{i.pk}", f"{i.code} {i.name}") for i in readable_indicators(user)]
    elements = [(f"e:{e.pk}", f"{e.code} {e.name}") for e in chartable_elements(user).order_by("code")]
    return [(_("Indicators"), indicators), (_("Data elements"), elements)]


def _subject(user, value: str) -> tuple[Indicator | None, object | None]:
    """An indicator (``i:<id>``) or a readable data element (``e:<id>``)."""
    kind, _sep, pk = value.partition(":")
    if kind not in ("i", "e"):
        raise BadParameter(_("Choose an indicator or a data element from the list."))
    pk = id_param({"item": pk}, "item")
    if pk is None:
        raise BadParameter(_("Choose an indicator or a data element from the list."))
    if kind == "i":
        return get_object_or_404(readable_indicators(user), pk=pk), None
    return None, get_object_or_404(chartable_elements(user), pk=pk)


def _pin_view(pin: DashboardPin, fiscal_year: int) -> dict:
    item = pin.indicator or pin.element
    unit = pin.orgunit or OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE).first()
    children = list(OrgUnit.objects.in_tree().filter(parent=unit).order_by("code"))
    years = list(range(fiscal_year - 4, fiscal_year + 1))
    periods = [Period.objects.lookup(period_for_fiscal_year(y)) for y in years]
    values = pivot(items=[item], orgunits=[unit, *children], periods=periods)
    decimals = pin.indicator.decimals if pin.indicator else 1
    last = periods[-1]
    rows = [
        {
            "name": c.name,
            "code": c.code,
            "value": values.get((0, c.pk, last.code)),
            "display": format_value(values.get((0, c.pk, last.code)), decimals),
        }
        for c in children
    ]
    view = {"pin": pin, "item": item, "unit": unit, "rows": rows, "period_code": last.code}
    if pin.display == Display.LINE:
        figure = charts.pin_line([p.code for p in periods], [values.get((0, unit.pk, p.code)) for p in periods])
    elif pin.display in (Display.BAR, Display.MAP):
        figure = charts.pin_bar(rows)
    else:
        return view
    view["figure"], view["figure_id"] = figure, f"pin-{pin.pk}"
    return view


@login_required
def my_dashboard(request: HttpRequest) -> HttpResponse:
    subjects = _subjects(request.user)
    form = PinForm(request.POST or None, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        indicator, element = _subject(request.user, form.cleaned_data["subject"])
        pin_add(
            user=request.user,
            indicator=indicator,
            element=element,
            orgunit=form.cleaned_data["orgunit"],
            display=form.cleaned_data["display"],
        )
        messages.success(request, _("Pinned to your dashboard."))
        return redirect("cockpit:my_dashboard")
    province = OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE).first()
    fiscal_year = reporting_year(province).fiscal_year
    # A pin whose subject became unreadable (a dataset turned restricted) stays hidden, not shown stale.
    pins = DashboardPin.objects.restrict(request.user, "view").select_related("indicator", "element__dataset", "orgunit")
    views = [_pin_view(pin, fiscal_year) for pin in pins]
    return render(request, "cockpit/my_dashboard.html", {"form": form, "pins": views, "fiscal_year": fiscal_year})


@login_required
@require_POST
def pin_delete(request: HttpRequest, pin_id: int) -> HttpResponse:
    pin_remove(user=request.user, pin_id=pin_id)
    return redirect("cockpit:my_dashboard")


# --- Pivot ------------------------------------------------------------------------------------
@login_required
def pivot_view(request: HttpRequest) -> HttpResponse:
    subjects = _subjects(request.user)
    chosen = request.GET.getlist("item")
    unit = _orgunit(request)
    current = fiscal_year_of(timezone.localdate())
    first, last = fiscal_year_param(request.GET, "from", current - 3), fiscal_year_param(request.GET, "to", current)
    try:
        years, range_error = pivot_years(first, last), ""
    except ValidationError as exc:
        years, range_error = pivot_years(current, current), exc.messages[0]
    rows_are = request.GET.get("rows", "orgunits")
    by = breakdown_param(request.GET, "by")  # a broken-down element's columns by these categories, beside its total
    items = [item for value in chosen if (item := next(filter(None, _subject(request.user, value)), None))]
    items = expand_items(items, by)
    # By group: the rows are a group set's groups (a cluster, the EEC, coastal …) instead of the unit's parts.
    group_set = OrgUnitGroupSet.objects.filter(code=code_param(request.GET, "group_set")).first()
    how = request.GET.get("how") if request.GET.get("how") in set(GroupAggregation) else ""
    context = {
        "subjects": subjects,
        "chosen": chosen,
        "rows_are": rows_are,
        "years": years,
        "first": years[0],
        "last": years[-1],
        "fiscal_years": list(range(current, current - 10, -1)),
        **_selectors(unit, years[-1]),
        "group_sets": OrgUnitGroupSet.objects.order_by("code"),
        "group_set": group_set,
        "how": how,
        "aggregations": [(GroupAggregation.SUM, _("Sum")), (GroupAggregation.MEAN, _("Mean"))],
        "categories": Category.objects.order_by("order", "code"),
        "by": [c.code for c in by],
    }
    if range_error:
        return render(request, "cockpit/pivot.html", {**context, "range_error": range_error}, status=400)
    if items:
        periods = [Period.objects.lookup(period_for_fiscal_year(y)) for y in years]
        if group_set is not None:
            units = list(group_set.groups.order_by("code"))
            values = group_pivot(items=items, groups=units, periods=periods, how=how or None)
        else:
            units = [unit, *OrgUnit.objects.in_tree().filter(parent=unit).order_by("code")]
            values = pivot(items=items, orgunits=units, periods=periods)
        header, col_labels, table = _pivot_layout(items, units, periods, values, rows_are)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            rows = [[h, *cells] for h, (_r, cells) in zip(header, table, strict=True)]
            return table_response(filename="poc-analysis", header=[_("Row"), *col_labels], rows=rows, fmt=export)
        context.update(
            {
                "table": [(h, [format_value(c, 2) for c in cells]) for h, (_r, cells) in zip(header, table, strict=True)],
                "col_labels": col_labels,
                "figure": charts.pivot_bars(header, col_labels, table),
                "query": request.GET.urlencode(),
            }
        )
    return render(request, "cockpit/pivot.html", context)


def _pivot_layout(items: list, units: list, periods: list[Period], values: dict, rows_are: str) -> tuple[list[str], list[str], list]:
    """(row headings, column headings, [(row, cells)]): rows are the org units, the periods, or the items themselves
    (an element's total and its parts by category one under the other) with a column per unit and period."""
    if rows_are == "items":
        columns = [(unit, period) for unit in units for period in periods]
        table = [(item, [values.get((i, unit.pk, period.code)) for unit, period in columns]) for i, item in enumerate(items)]
        return [item_label(item) for item in items], [f"{unit.name} · {period.label}" for unit, period in columns], table
    outer, inner = (units, periods) if rows_are == "orgunits" else (periods, units)
    header = [str(o.label if isinstance(o, Period) else o.name) for o in outer]
    columns = [(i, item, col) for i, item in enumerate(items) for col in inner]
    table = []
    for row in outer:
        cells = []
        for i, _item, col in columns:
            unit_id, period_code = (row.pk, col.code) if rows_are == "orgunits" else (col.pk, row.code)
            cells.append(values.get((i, unit_id, period_code)))
        table.append((row, cells))
    col_labels = [f"{item_label(item)} · {col.label if isinstance(col, Period) else col.name}" for _i, item, col in columns]
    return header, col_labels, table


# --- Alerts -----------------------------------------------------------------------------------
@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AlertStatus.OPEN)
    alerts = visible_alerts(request.user).select_related("rule", "orgunit", "period", "acknowledged_by")
    if status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    return render(request, "cockpit/alerts.html", {"alerts": alerts[:200], "status": status, "statuses": AlertStatus.choices})


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(visible_alerts(request.user).select_related("rule", "orgunit", "period"), pk=pk)
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert_acknowledge(alert=alert, user=request.user, comment=form.cleaned_data["comment"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Alert acknowledged."))
            return redirect("cockpit:alert", pk=alert.pk)
    context = {"alert": alert, "form": form, "can_ack": can_acknowledge(request.user, alert), "events": alert.events.select_related("user")}
    return render(request, "cockpit/alert_detail.html", context)


# --- Information needs ------------------------------------------------------------------------
@login_required
def needs(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your request was sent to the provincial IT group."))
        return redirect("cockpit:needs")
    requests = InformationRequest.objects.restrict(request.user, "view").select_related("requested_by", "answered_by")
    return render(request, "cockpit/needs.html", {"form": form, "requests": requests})


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(InformationRequest, pk=pk)
    permissions.require(request.user, "view", need)
    may_answer = permissions.can(request.user, "change", need)
    form = AnswerForm(request.POST or None, instance=need) if may_answer else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            request_answer(request=need, user=request.user, answer=form.cleaned_data["answer"], status=form.cleaned_data["status"])
        except ValidationError as exc:
            form.add_error("answer", exc.messages[0])
        else:
            messages.success(request, _("Answer saved and sent."))
            return redirect("cockpit:needs")
    return render(request, "cockpit/need_detail.html", {"need": need, "form": form})

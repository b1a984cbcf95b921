"""Reads of the API app: tokens by secret and by owner."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from api import access
from api.categories import DEFAULT_UID, CategoryComboError, adx_attributes, export_option_combo, option_ids
from api.dhis2 import MAX_VALUES, Dhis2Value
from api.dhis2_periods import to_adx, to_dhis2
from api.models import ApiToken, ApiTokenQuerySet
from api.services import token_digest
from datasets.models import Category, CategoryCombo, CategoryComboMember, DataElement, DataValue, ValueType, format_number
from datasets.selectors import element_values
from poc.models import OrgUnit, User
from poc.periods import PeriodError, PeriodSpec, parse_period


def token_for_secret(raw: str) -> ApiToken | None:
    """The usable token whose secret is ``raw`` (with its user), or None."""
    if not raw or len(raw) > 200:
        return None
    return ApiToken.objects.usable().select_related("user", "user__agency").filter(digest=token_digest(raw)).first()


def tokens_of(user: User) -> ApiTokenQuerySet:
    return ApiToken.objects.filter(user=user)


def datavalues_readable(user: User | AnonymousUser) -> QuerySet[DataValue]:
    """Every value ``user`` may read (with element, dataset, org unit and period for serialising)."""
    return DataValue.objects.filter(element__dataset__in=access.readable_datasets(user)).select_related(
        "element", "element__dataset", "orgunit", "period", "updated_by", "option_combo"
    )


def dhis2_export(
    *,
    user: User | AnonymousUser,
    datasets: list[str],
    orgunits: list[OrgUnit],
    children: bool,
    periods: list[PeriodSpec],
    start: dt.date | None,
    end: dt.date | None,
    last_updated: dt.datetime | None,
    adx: bool = False,
) -> list[Dhis2Value]:
    """The values a DHIS2 client asks for, as DHIS2 data values (codes, ISO or ADX periods; a broken-down element's value
    names its option combination by code, in ADX by one attribute per category; other values the default combination).

    Cells marked 'not available' are left out: DHIS2 has no such value.
    """
    values = datavalues_readable(user).filter(element__dataset__code__in=datasets, not_available="")
    units = Q()
    for unit in orgunits:
        units |= Q(orgunit__path__startswith=unit.path) if children else Q(orgunit=unit)
    values = values.filter(units)
    if periods:
        values = values.filter(period__code__in=[p.code for p in periods])
    if start:
        values = values.filter(period__start_date__gte=start)
    if end:
        values = values.filter(period__end_date__lte=end)
    if last_updated:
        values = values.filter(updated_at__gte=last_updated)
    order = ("period__start_date", "orgunit__path", "element__dataset__code", "element__order", "element__code", "option_combo__order")
    values = list(values.order_by(*order)[: MAX_VALUES + 1])
    attributes = adx_attributes({v.option_combo_id for v in values if v.option_combo_id}) if adx else {}
    rows = []
    for v in values:
        rows.append(
            Dhis2Value(
                data_element=v.element.code,
                period=to_adx(v.period.spec) if adx else to_dhis2(v.period.spec),
                org_unit=v.orgunit.code,
                category_option_combo=export_option_combo(v.option_combo),
                attribute_option_combo=DEFAULT_UID,
                value=dhis2_value_text(v),
                stored_by=v.updated_by.username if v.updated_by else "",
                last_updated=v.updated_at.isoformat(timespec="milliseconds"),
                comment=v.comment,
                disaggregation=attributes.get(v.option_combo_id, {}),
            )
        )
    return rows


def dhis2_value_text(value: DataValue) -> str:
    """A value as DHIS2 writes it: numbers without a trailing .0, booleans as true/false."""
    if value.element.value_type == ValueType.BOOLEAN and value.value_num is not None:
        return "true" if value.value_num else "false"
    return format_number(value.value_num) if value.value_num is not None else value.value_text


def dataset_codes_of(element_codes: list[str]) -> dict[str, str]:
    """Element code → its dataset's code (ADX groups values by data set)."""
    return dict(DataElement.objects.filter(code__in=set(element_codes)).values_list("code", "dataset__code"))


def analytics(
    *,
    user: User | AnonymousUser,
    elements: list[str],
    orgunits: list[str],
    periods: list[str],
    children: bool,
    options: list[str] | None = None,
) -> list[dict]:
    """Rows of (element, org unit, period, combination, value) from the live aggregates, for readable elements only.

    Without ``options`` each value is the element's total (combination: DHIS2's default uid); with them, one row per
    option (``F``: summed over the other categories) or option combination (``F_MUN``) named, which every element
    must have. Raises LookupError naming what is unknown, not readable or not broken down so.
    """
    found = {
        e.code: e
        for e in DataElement.objects.filter(code__in=elements, dataset__in=access.readable_datasets(user)).select_related("dataset")
    }
    missing = [c for c in elements if c not in found]
    if missing:
        raise LookupError(_("Data element(s) not found or not accessible: %(c)s") % {"c": ", ".join(missing)})
    units = list(OrgUnit.objects.without_shapes().filter(code__in=orgunits))
    if len(units) != len(set(orgunits)):
        unknown = sorted(set(orgunits) - {u.code for u in units})
        raise LookupError(_("Unknown org unit(s): %(c)s") % {"c": ", ".join(unknown)})
    if children:
        units = list(OrgUnit.objects.without_shapes().filter(parent__in=units).order_by("code"))
    try:
        specs = [parse_period(p) for p in periods]
    except PeriodError as exc:
        raise LookupError(str(exc)) from None
    # (label, ids of the option combinations it sums over every element, or None for the totals)
    filters: list[tuple[str, list[int] | None]] = [(DEFAULT_UID, None)]
    if options:
        try:
            filters = [(option, [pk for element in found.values() for pk in option_ids(element, option)]) for option in options]
        except CategoryComboError as exc:
            raise LookupError(str(exc)) from None
    rows = []
    for spec in specs:
        for label, combo_ids in filters:
            values = element_values(found.values(), units, spec, option_combo_ids=combo_ids)
            for code in elements:
                element = found[code]
                rows += [
                    {
                        "element": code,
                        "orgunit": unit.code,
                        "period": spec.code,
                        "categoryoptioncombo": label,
                        "value": values[(element.pk, unit.pk)],
                    }
                    for unit in units
                ]
    return rows


def _names(obj) -> dict:
    return {"code": obj.code, "name_th": obj.name_th, "name_en": obj.name_en, "name": obj.name}


def categories_catalogue(user: User | AnonymousUser) -> dict:
    """Categories with their options, combinations with their categories and option combinations (codes, Thai and
    English names, order), and the combination of each element ``user`` may read (None: not broken down).

    Categories are catalogue metadata, shown to everyone; elements only from readable datasets. A fixed number of queries.
    """
    categories = [
        {**_names(c), "order": c.order, "options": [{**_names(o), "order": o.order} for o in c.options.all()]}
        for c in Category.objects.prefetch_related("options").order_by("order", "code")
    ]
    place = {(m.combo_id, m.category_id): m.order for m in CategoryComboMember.objects.all()}  # a category's place in a combination

    def option_combo(oc) -> dict:
        options = sorted(oc.options.all(), key=lambda o: place.get((oc.combo_id, o.category_id), 0))
        return {**_names(oc), "order": oc.order, "options": [o.code for o in options]}

    combos = [
        {
            **_names(combo),
            "categories": [m.category.code for m in combo.members.all()],
            "option_combos": [option_combo(oc) for oc in sorted(combo.option_combos.all(), key=lambda oc: (oc.order, oc.code))],
        }
        for combo in CategoryCombo.objects.prefetch_related("members__category", "option_combos__options").order_by("code")
    ]
    elements = (
        DataElement.objects.filter(dataset__in=access.readable_datasets(user))
        .order_by("dataset__code", "order", "code")
        .values_list("code", "dataset__code", "category_combo__code")
    )
    return {
        "categories": categories,
        "category_combos": combos,
        "elements": [{"code": code, "dataset": dataset, "category_combo": combo} for code, dataset, combo in elements],
    }

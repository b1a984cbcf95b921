"""Population, dengue cases and visitors become one broken-down element each, their history carried over.

Before: DS-POP had POP_MALE, POP_FEMALE and POP_TOTAL; DS-TOURISM TOUR_THAI, TOUR_FOREIGN and TOUR_VISITORS;
DS-DENGUE one DENGUE_CASES figure. After: POP (POP_TOTAL renamed, so its id and everything pointing at it stay) by
SEX × AREA, TOUR_VISITORS by NATIONALITY, DENGUE_CASES by AGE; totals are derived from the cells, never stored.

The rule for each unit and period (written in README, "Categories"):

* A part that was stored (POP_MALE → ``M``, TOUR_THAI → ``TH``) keeps its value. A part that is missing while the old
  total is stored gets total − the stored parts (never below 0); with no part stored, the total is shared by the
  ``FALLBACK`` shares (DOPA's sex ratio; the DDC's dengue age profile; nine in ten visitors Thai). When parts and
  total disagreed, the parts win (the total was the derived figure) and the audit trail keeps the old total.
* Population is then split between ในเขตเทศบาล and นอกเขตเทศบาล by the unit's municipal share: 1 for a municipality,
  the recorded share of a subdistrict a municipality covers (summed over municipalities, at most 1; a covering
  municipality whose share is unknown counts as the whole subdistrict: DOPA registers it there), and otherwise
  ``UNCOVERED_MUNICIPAL_SHARE`` (small เทศบาลตำบล the reference data does not list). A village takes its
  subdistrict's share.
* Whole numbers stay whole: parts are rounded by the largest remainder, so the cells add up to the old figure exactly.
  A value marked "not available" marks each of its cells not available.

Every value moved is audited (a ``delete`` line for the old cell, a ``create`` line for each new one, source
"administration"); earlier audit lines keep pointing at the old elements. Warning rules, dashboard pins, outlier
confirmations and indicator inputs that named a removed part now name the broken-down element (warning rules
on a part are switched off: their thresholds were for the part); validation rules and indicator formulas are
rewritten (POP_TOTAL → POP, POP_MALE → POP.M), and rules that only said the parts add up to the total are removed.
The aggregates of the converted elements are rebuilt here. On a database without those elements (a fresh install:
the catalogue is loaded after migrating) nothing happens. Written against the historical models only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import migrations

ADMIN_SOURCE = "admin"
INTEGER = "integer"
MUNICIPALITY_LEVEL, SUBDISTRICT_LEVEL, VILLAGE_LEVEL = 5, 3, 4
UNCOVERED_MUNICIPAL_SHARE = 0.25

# The categories of datasets/catalogue/05_categories.yaml that these elements use (load_catalogue keeps them current).
CATEGORIES = {
    "SEX": ("เพศ", "Sex", [("M", "ชาย", "Male"), ("F", "หญิง", "Female")]),
    "AREA": ("เขตการปกครอง", "Municipal area", [
        ("MUN", "ในเขตเทศบาล", "Municipal area"), ("NONMUN", "นอกเขตเทศบาล", "Non-municipal area"),
    ]),
    "AGE": ("กลุ่มอายุ", "Age group", [
        ("A0004", "0–4 ปี", "0–4 years"), ("A0509", "5–9 ปี", "5–9 years"), ("A1014", "10–14 ปี", "10–14 years"),
        ("A1524", "15–24 ปี", "15–24 years"), ("A2534", "25–34 ปี", "25–34 years"), ("A3544", "35–44 ปี", "35–44 years"),
        ("A4554", "45–54 ปี", "45–54 years"), ("A5564", "55–64 ปี", "55–64 years"), ("A65UP", "65 ปีขึ้นไป", "65 years and over"),
    ]),
    "NATIONALITY": ("สัญชาติผู้เยี่ยมเยือน", "Visitors' nationality", [("TH", "ชาวไทย", "Thai"), ("FOREIGN", "ชาวต่างชาติ", "Foreign")]),
}
COMBOS = {
    "SEX_AREA": ("เพศ × เขตการปกครอง", "Sex by municipal area", ["SEX", "AREA"]),
    "AGE": ("กลุ่มอายุ", "Age group", ["AGE"]),
    "NATIONALITY": ("สัญชาติ", "Nationality", ["NATIONALITY"]),
}


@dataclass
class Conversion:
    dataset: str
    element: str  # the broken-down element's code
    combo: str
    parts: dict[str, str]  # old element code → option of the combination's first category
    total: str  # the old total element (kept, renamed, when it is not ``element`` already)
    fallback: dict[str, float]  # shares of the first category's options when only a total was stored
    names: dict[str, str] = field(default_factory=dict)  # the element's new names and definition
    by_area: bool = False  # split each part between MUN and NONMUN


CONVERSIONS = [
    Conversion(
        "DS-POP", "POP", "SEX_AREA", {"POP_MALE": "M", "POP_FEMALE": "F"}, "POP_TOTAL", {"M": 0.494, "F": 0.506},
        {"name_th": "ประชากรตามทะเบียนราษฎร", "name_en": "Registered population",
         "description": "ผู้มีชื่อในทะเบียนบ้าน แยกตามเพศและเขตเทศบาล (รวมคำนวณจากส่วนย่อย)"},
        by_area=True,
    ),
    Conversion("DS-TOURISM", "TOUR_VISITORS", "NATIONALITY", {"TOUR_THAI": "TH", "TOUR_FOREIGN": "FOREIGN"}, "TOUR_VISITORS",
               {"TH": 0.9, "FOREIGN": 0.1}, {"name_th": "ผู้เยี่ยมเยือน", "name_en": "Visitors"}),
    Conversion("DS-DENGUE", "DENGUE_CASES", "AGE", {}, "DENGUE_CASES", {
        "A0004": 0.06, "A0509": 0.14, "A1014": 0.2, "A1524": 0.22, "A2534": 0.13, "A3544": 0.1, "A4554": 0.07, "A5564": 0.05, "A65UP": 0.03,
    }),
]


def split(amount: float, shares: dict[str, float], whole: bool) -> dict[str, float]:
    """``amount`` shared in proportion to ``shares``; whole numbers by the largest remainder, so the parts add up exactly."""
    total_share = sum(shares.values()) or 1.0
    exact = {key: amount * share / total_share for key, share in shares.items()}
    if not whole:
        return exact
    parts = {key: float(int(value)) for key, value in exact.items()}
    left = round(amount - sum(parts.values()))
    for key in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), list(shares).index(k)))[: max(0, left)]:
        parts[key] += 1
    return parts


def _state(value) -> str:
    if value.not_available:
        return f"n/a:{value.not_available}"
    if value.value_num is None:
        return value.value_text
    return str(int(value.value_num)) if float(value.value_num).is_integer() else f"{value.value_num:.6g}"


def _ensure_combo(apps, code: str):
    """The combination, its categories and options, and every option combination (as ``categorycombo_sync`` makes them)."""
    Category = apps.get_model("datasets", "Category")
    CategoryOption = apps.get_model("datasets", "CategoryOption")
    CategoryCombo = apps.get_model("datasets", "CategoryCombo")
    CategoryComboMember = apps.get_model("datasets", "CategoryComboMember")
    CategoryOptionCombo = apps.get_model("datasets", "CategoryOptionCombo")
    name_th, name_en, category_codes = COMBOS[code]
    combo, created = CategoryCombo.objects.get_or_create(code=code, defaults={"name_th": name_th, "name_en": name_en})
    option_lists = []
    for position, category_code in enumerate(category_codes):
        cat_th, cat_en, options = CATEGORIES[category_code]
        category, _ = Category.objects.get_or_create(code=category_code, defaults={"name_th": cat_th, "name_en": cat_en})
        for order, (option_code, option_th, option_en) in enumerate(options, start=1):
            CategoryOption.objects.get_or_create(
                category=category, code=option_code, defaults={"name_th": option_th, "name_en": option_en, "order": order}
            )
        if created:
            CategoryComboMember.objects.create(combo=combo, category=category, order=position)
        option_lists.append(list(CategoryOption.objects.filter(category=category).order_by("order", "code")))
    members = [m.category.code for m in CategoryComboMember.objects.filter(combo=combo).select_related("category").order_by("order")]
    if members != category_codes:
        raise RuntimeError(f"category combination {code} exists with categories {members}, not {category_codes}")
    combos = [[]]
    for options in option_lists:
        combos = [[*chosen, option] for chosen in combos for option in options]
    by_code = {}
    for order, options in enumerate(combos):
        option_combo, made = CategoryOptionCombo.objects.get_or_create(
            combo=combo, code="_".join(o.code for o in options),
            defaults={"name_th": ", ".join(o.name_th for o in options), "name_en": ", ".join(o.name_en or o.name_th for o in options),
                      "order": order},
        )
        if made:
            option_combo.options.set(options)
        by_code[option_combo.code] = option_combo
    return combo, by_code


def _municipal_shares(apps) -> dict[int, float]:
    """Share of each unit's population living in a municipality (the rule in the module docstring)."""
    OrgUnit = apps.get_model("poc", "OrgUnit")
    MunicipalityArea = apps.get_model("poc", "MunicipalityArea")
    covered: dict[int, list[float | None]] = defaultdict(list)
    for subdistrict_id, share in MunicipalityArea.objects.values_list("subdistrict_id", "share"):
        covered[subdistrict_id].append(share)
    shares = {}
    for pk, level, parent_id in OrgUnit.objects.values_list("pk", "level", "parent_id"):
        if level == MUNICIPALITY_LEVEL:
            shares[pk] = 1.0
        else:
            key = parent_id if level == VILLAGE_LEVEL else pk
            rows = covered.get(key)
            if not rows or level not in (SUBDISTRICT_LEVEL, VILLAGE_LEVEL):
                shares[pk] = UNCOVERED_MUNICIPAL_SHARE
            else:
                shares[pk] = 1.0 if any(s is None for s in rows) else min(1.0, sum(rows))
    return shares


def _convert(apps, conversion: Conversion, area_shares: dict[int, float] | None) -> bool:
    DataElement = apps.get_model("datasets", "DataElement")
    DataValue = apps.get_model("datasets", "DataValue")
    DataValueAudit = apps.get_model("datasets", "DataValueAudit")
    dataset_elements = DataElement.objects.filter(dataset__code=conversion.dataset)
    parts = {e.code: e for e in dataset_elements.filter(code__in=list(conversion.parts))}
    total = dataset_elements.filter(code=conversion.total).first()
    target = dataset_elements.filter(code=conversion.element).first()
    if target is not None and target.category_combo_id is not None:
        return False  # converted before
    if not parts and (conversion.parts or target is None):
        return False  # not this catalogue's shape: nothing to convert
    combo, option_combos = _ensure_combo(apps, conversion.combo)
    if target is None and total is None:  # parts without a total: the element takes the first part's definition
        model = min(parts.values(), key=lambda p: p.order)
        target = DataElement(dataset_id=model.dataset_id, order=model.order, name_th=conversion.element, value_type=model.value_type,
                             unit=model.unit, min_value=model.min_value, max_value=model.max_value,
                             aggregation=model.aggregation)
    target = target or total
    target.code = conversion.element
    for name, value in conversion.names.items():
        setattr(target, name, value)
    target.category_combo = combo
    target.save()
    whole = target.value_type == INTEGER

    old_values = list(DataValue.objects.filter(element_id__in=[e.pk for e in parts.values()] + [target.pk], option_combo__isnull=True))
    cells: dict[tuple[int, int], dict[str, object]] = defaultdict(dict)
    for value in old_values:
        key = (value.orgunit_id, value.period_id)
        option = next((o for code, o in conversion.parts.items() if code in parts and parts[code].pk == value.element_id), None)
        cells[key][option or "TOTAL"] = value
    new_values, audits = [], []
    options = list(conversion.fallback)
    for (orgunit_id, period_id), stored in cells.items():
        given = {o: v for o, v in stored.items() if o != "TOTAL"}
        old_total = stored.get("TOTAL")
        first: dict[str, tuple[float | None, str, object]] = {}  # option → (number, not-available reason, the value it came from)
        for option, value in given.items():
            first[option] = (value.value_num, value.not_available, value)
        missing = [o for o in options if o not in first]
        if missing and old_total is not None:
            if old_total.value_num is None:
                for option in missing:
                    first[option] = (None, old_total.not_available, old_total)
            else:
                rest = max(0.0, old_total.value_num - sum(n for n, _na, _v in first.values() if n is not None))
                shares = split(rest, {o: conversion.fallback[o] for o in missing}, whole)
                for option in missing:
                    first[option] = (shares[option], "", old_total)
        area_share = area_shares.get(orgunit_id, UNCOVERED_MUNICIPAL_SHARE) if area_shares is not None else None
        for option in options:
            if option not in first:
                continue
            number, not_available, source = first[option]
            if area_share is None:
                targets = {option: number}
            elif number is None:
                targets = {f"{option}_MUN": None, f"{option}_NONMUN": None}
            else:
                shares = split(number, {"MUN": area_share, "NONMUN": 1 - area_share}, whole)
                targets = {f"{option}_{a}": n for a, n in shares.items()}
            for code, value in targets.items():
                if not_available == "" and value is None:
                    continue
                new_values.append(DataValue(
                    element_id=target.pk, orgunit_id=orgunit_id, period_id=period_id, option_combo=option_combos[code],
                    value_num=value, not_available=not_available or "", comment=source.comment, source=source.source,
                    created_at=source.created_at, updated_at=source.updated_at, created_by_id=source.created_by_id,
                    updated_by_id=source.updated_by_id,
                ))
    for value in old_values:
        audits.append(DataValueAudit(element_id=value.element_id, orgunit_id=value.orgunit_id, period_id=value.period_id,
                                     old_value=_state(value), new_value="", action="delete", source=ADMIN_SOURCE))
    DataValue.objects.filter(pk__in=[v.pk for v in old_values]).delete()
    stamps = [(v.created_at, v.updated_at) for v in new_values]
    created = DataValue.objects.bulk_create(new_values, batch_size=2000)
    # auto_now(_add) stamped the migration's time: the first entry and last change are the old cell's (timeliness reads them).
    for value, (created_at, updated_at) in zip(created, stamps, strict=True):
        value.created_at, value.updated_at = created_at, updated_at
    DataValue.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=2000)
    audits += [
        DataValueAudit(element_id=v.element_id, orgunit_id=v.orgunit_id, period_id=v.period_id, option_combo_id=v.option_combo_id,
                       old_value="", new_value=_state(v), action="create", source=ADMIN_SOURCE)
        for v in created
    ]
    DataValueAudit.objects.bulk_create(audits, batch_size=2000)
    _repoint(apps, [e.pk for e in parts.values()], target)
    DataElement.objects.filter(pk__in=[e.pk for e in parts.values()]).delete()
    _rebuild_aggregates(apps, target)
    return True


def _repoint(apps, old_ids: list[int], target) -> None:
    """References to a removed part now name the broken-down element (warning rules on a part are switched off)."""
    if not old_ids:
        return
    WarningRule = apps.get_model("cockpit", "WarningRule")
    for rule in WarningRule.objects.filter(element_id__in=old_ids):
        rule.element = target
        rule.is_active = False
        rule.description = (rule.description + "\n" if rule.description else "") + (
            f"ปิดไว้เมื่อย้ายข้อมูล: เดิมใช้กับส่วนย่อยของ {target.code} โปรดตรวจเกณฑ์ก่อนเปิดใช้"
        )
        rule.save()
    apps.get_model("cockpit", "DashboardPin").objects.filter(element_id__in=old_ids).update(element=target)
    apps.get_model("verification", "OutlierConfirmation").objects.filter(element_id__in=old_ids).update(element=target)
    Indicator = apps.get_model("indicators", "Indicator")
    for indicator in Indicator.objects.filter(inputs__in=old_ids).distinct():
        indicator.inputs.add(target)


def _rebuild_aggregates(apps, element) -> None:
    """Totals per element and per option combination, for every unit and its ancestors (values are few: Python on both databases)."""
    DataValue = apps.get_model("datasets", "DataValue")
    OrgUnit = apps.get_model("poc", "OrgUnit")
    AggregateValue = apps.get_model("datasets", "AggregateValue")
    AggregateOptionValue = apps.get_model("datasets", "AggregateOptionValue")
    ids_by_code = dict(OrgUnit.objects.values_list("code", "pk"))
    chains = {
        pk: [ids_by_code[c] for c in path.rstrip("/").split("/") if c in ids_by_code]
        for pk, path in OrgUnit.objects.values_list("pk", "path")
    }
    totals: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0])
    by_option: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0.0, 0])
    values = DataValue.objects.filter(element_id=element.pk, value_num__isnull=False)
    for orgunit_id, period_id, option_combo_id, number in values.values_list("orgunit_id", "period_id", "option_combo_id", "value_num"):
        for ancestor_id in chains[orgunit_id]:
            for bucket in (totals[(ancestor_id, period_id)], by_option[(option_combo_id, ancestor_id, period_id)]):
                bucket[0] += number
                bucket[1] += 1
    AggregateValue.objects.filter(element_id=element.pk).delete()
    AggregateOptionValue.objects.filter(element_id=element.pk).delete()
    AggregateValue.objects.bulk_create(
        [AggregateValue(element_id=element.pk, orgunit_id=o, period_id=p, total=t, count=c) for (o, p), (t, c) in totals.items()],
        batch_size=2000,
    )
    AggregateOptionValue.objects.bulk_create(
        [AggregateOptionValue(element_id=element.pk, option_combo_id=oc, orgunit_id=o, period_id=p, total=t, count=c)
         for (oc, o, p), (t, c) in by_option.items()],
        batch_size=2000,
    )


def renames(converted: list[Conversion]) -> dict[str, str]:
    """How formulas name the old elements now: POP_TOTAL → POP, POP_MALE → POP.M (an option, summed over the other categories)."""
    names = {c.total: c.element for c in converted if c.total != c.element}
    return names | {part: f"{c.element}.{option}" for c in converted for part, option in c.parts.items()}


def _rename(expression: str, names: dict[str, str]) -> str:
    return re.sub(r"\b(" + "|".join(map(re.escape, names)) + r")\b", lambda m: names[m.group(1)], expression) if names else expression


def _is_balance(left: str, right: str, conversion: Conversion) -> bool:
    """``parts summed == total`` (either way round): what a derived total makes true by construction."""
    def codes(side: str) -> list[str]:
        return sorted(token.strip() for token in side.split("+"))

    parts = sorted(conversion.parts)
    return (codes(left) == parts and codes(right) == [conversion.total]) or (codes(right) == parts and codes(left) == [conversion.total])


def _rewrite_formulas(apps, converted: list[Conversion]) -> None:
    names = renames(converted)
    ValidationRule = apps.get_model("verification", "ValidationRule")
    for rule in ValidationRule.objects.all():
        if rule.operator == "==" and any(_is_balance(rule.left, rule.right, c) for c in converted):
            rule.delete()
            continue
        left, right = _rename(rule.left, names), _rename(rule.right, names)
        if (left, right) != (rule.left, rule.right):
            rule.left, rule.right = left, right
            rule.save(update_fields=["left", "right"])
    Indicator = apps.get_model("indicators", "Indicator")
    for indicator in Indicator.objects.all():
        fields = {name: _rename(getattr(indicator, name), names) for name in ("numerator", "denominator", "definition")}
        if any(getattr(indicator, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(indicator, name, value)
            indicator.save(update_fields=list(fields))


def forwards(apps, schema_editor) -> None:
    area_shares = None
    converted = []
    for conversion in CONVERSIONS:
        if conversion.by_area and area_shares is None:
            area_shares = _municipal_shares(apps)
        if _convert(apps, conversion, area_shares if conversion.by_area else None):
            converted.append(conversion)
    if converted:
        _rewrite_formulas(apps, converted)


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0010_categories_and_option_combos"),
        ("poc", "0005_weekly_daily_period_types"),
        ("cockpit", "0003_orgunit_level_municipality"),
        ("indicators", "0004_weekly_daily_period_types"),
        ("verification", "0002_approval_levels"),
    ]

    # Backwards leaves the values broken down: the schema before this migration holds them as well.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

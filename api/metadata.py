"""Metadata packages: the catalogue (topics, agencies, datasets, elements, categories, indicators with targets,
validation rules, warning rules) in one versioned JSON file, so a second province takes it in one step.

Every record is named by natural keys (codes; a rule by its dataset and name), never by database ids.
``metadata_import`` is all-or-nothing and idempotent: it reports what it would create, change and leave
alone, and a dry run rolls everything back. The catalogue YAML stays the source of the demo.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from cockpit.models import WarningRule
from datasets.categories import categorycombo_sync
from datasets.models import (
    Category,
    CategoryCombo,
    CategoryComboMember,
    CategoryOption,
    CategoryOptionCombo,
    DataElement,
    Dataset,
    DataValue,
    Topic,
)
from indicators.models import Indicator, IndicatorTarget
from poc.models import Agency, OrgUnit, OrgUnitLevel
from verification.models import ValidationRule

FORMAT = "poc-metadata"
VERSION = 1


@dataclass(frozen=True)
class Section:
    """One kind of record: its model, natural key, references (field → section) and many-to-many (field → section)."""

    name: str
    model: type[models.Model]
    key: tuple[str, ...]
    refs: dict[str, str] = field(default_factory=dict)
    many: dict[str, str] = field(default_factory=dict)
    skip: tuple[str, ...] = ()


# In dependency order: each section refers only to sections above it. A combination's option combinations are not a
# section: they follow from its categories (``categorycombo_sync``); the package lists them under
# ``category_option_combos`` so a reader sees every cell, and an import checks it gets the same ones.
SECTIONS = [
    Section("topics", Topic, ("code",)),
    Section("agencies", Agency, ("code",), skip=("orgunit", "is_provincial_it", "letter_prefix", "email", "phone")),
    Section("categories", Category, ("code",)),
    Section("category_options", CategoryOption, ("category", "code"), refs={"category": "categories"}),
    Section("category_combos", CategoryCombo, ("code",)),
    Section(
        "category_combo_members", CategoryComboMember, ("combo", "category"), refs={"combo": "category_combos", "category": "categories"}
    ),
    Section("datasets", Dataset, ("code",), refs={"topic": "topics", "agency": "agencies"}, skip=("orgunits",)),
    Section("elements", DataElement, ("code",), refs={"dataset": "datasets", "category_combo": "category_combos"}),
    Section("indicators", Indicator, ("code",), refs={"agency": "agencies"}, many={"inputs": "elements"}),
    Section("indicator_targets", IndicatorTarget, ("indicator", "fiscal_year"), refs={"indicator": "indicators"}),
    Section("validation_rules", ValidationRule, ("dataset", "name"), refs={"dataset": "datasets"}),
    Section(
        "warning_rules", WarningRule, ("name_th",), refs={"indicator": "indicators", "element": "elements"}, skip=("recipients",)
    ),  # recipients are this province's users: not exported
]
BY_NAME = {s.name: s for s in SECTIONS}


def _natural(section: Section, obj: models.Model) -> str:
    """A record's key as text (``DS-POP``; ``DS-POP/balance rule``)."""
    return "/".join(str(_key_value(section, obj, k)) for k in section.key)


def _key_value(section: Section, obj: models.Model, name: str) -> Any:
    if name in section.refs:
        target = getattr(obj, name)
        return _natural(BY_NAME[section.refs[name]], target) if target is not None else None
    return getattr(obj, name)


def _plain_fields(section: Section) -> list[models.Field]:
    return [f for f in section.model._meta.concrete_fields if not f.primary_key and not f.is_relation and f.name not in section.skip]


def _record(section: Section, obj: models.Model) -> dict[str, Any]:
    record = {f.name: f.value_from_object(obj) for f in _plain_fields(section)}
    for name, target in section.refs.items():
        related = getattr(obj, name)
        record[name] = _natural(BY_NAME[target], related) if related is not None else None
    for name, target in section.many.items():
        record[name] = sorted(_natural(BY_NAME[target], r) for r in getattr(obj, name).all())
    return record


# --- Export ---------------------------------------------------------------------------------------
def metadata_export(*, datasets: Iterable[str] | None = None) -> dict[str, Any]:
    """The package for every dataset, or for ``datasets`` (codes) with what they depend on and what depends only on them."""
    chosen = Dataset.objects.all() if datasets is None else Dataset.objects.filter(code__in=list(datasets))
    if datasets is not None:
        unknown = set(datasets) - set(chosen.values_list("code", flat=True))
        if unknown:
            raise ValidationError(_("Unknown dataset(s): %(c)s") % {"c": ", ".join(sorted(unknown))}, code="unknown_dataset")
    chosen = list(chosen.select_related("topic", "agency").order_by("code"))
    elements = list(
        DataElement.objects.filter(dataset__in=chosen)
        .select_related("dataset", "category_combo")
        .order_by("dataset__code", "order", "code")
    )
    element_ids = {e.pk for e in elements}
    combo_ids = {e.category_combo_id for e in elements if e.category_combo_id}
    members = list(
        CategoryComboMember.objects.filter(combo_id__in=combo_ids).select_related("combo", "category").order_by("combo__code", "order")
    )
    category_ids = {m.category_id for m in members}
    indicators = [
        i
        for i in Indicator.objects.prefetch_related("inputs__dataset").select_related("agency").order_by("order", "code")
        if {e.pk for e in i.inputs.all()} <= element_ids and (datasets is None or i.inputs.exists())
    ]
    indicator_ids = {i.pk for i in indicators}
    records = {
        "topics": sorted({d.topic_id: d.topic for d in chosen}.values(), key=lambda t: (t.order, t.code)),
        "agencies": sorted(
            {a.pk: a for a in [d.agency for d in chosen] + [i.agency for i in indicators if i.agency]}.values(), key=lambda a: a.code
        ),
        "categories": list(Category.objects.filter(pk__in=category_ids).order_by("order", "code")),
        "category_options": list(
            CategoryOption.objects.filter(category_id__in=category_ids)
            .select_related("category")
            .order_by("category__code", "order", "code")
        ),
        "category_combos": list(CategoryCombo.objects.filter(pk__in=combo_ids).order_by("code")),
        "category_combo_members": members,
        "datasets": chosen,
        "elements": elements,
        "indicators": indicators,
        "indicator_targets": list(
            IndicatorTarget.objects.filter(indicator_id__in=indicator_ids)
            .select_related("indicator")
            .order_by("indicator__code", "fiscal_year")
        ),
        "validation_rules": list(
            ValidationRule.objects.filter(dataset__in=chosen).select_related("dataset").order_by("dataset__code", "name")
        ),
        "warning_rules": [
            r
            for r in WarningRule.objects.select_related("indicator", "element").order_by("name_th")
            if (r.indicator_id in indicator_ids) or (r.element_id in element_ids)
        ],
    }
    package: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    for section in SECTIONS:
        package[section.name] = [_record(section, obj) for obj in records[section.name]]
    package["category_option_combos"] = [
        {"combo": c.combo.code, "code": c.code, "name_th": c.name_th, "name_en": c.name_en, "order": c.order}
        for c in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).select_related("combo").order_by("combo__code", "order", "code")
    ]
    return package


def metadata_dumps(package: dict[str, Any]) -> str:
    return json.dumps(package, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


# --- Import ---------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class MetadataError(ValueError):
    pass


def metadata_read(text: str) -> dict[str, Any]:
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataError(_("The file is not JSON: %(e)s") % {"e": exc}) from None
    if not isinstance(package, dict) or package.get("format") != FORMAT:
        raise MetadataError(_("The file is not a POC metadata package (format %(f)s).") % {"f": FORMAT})
    if package.get("version") != VERSION:
        raise MetadataError(
            _("Metadata package version %(v)s is not supported (this portal reads version %(w)s).")
            % {"v": package.get("version"), "w": VERSION}
        )
    return package


def metadata_import(*, package: dict[str, Any], dry_run: bool = False) -> ImportReport:
    """Create or update every record of ``package`` by natural key, in one transaction; nothing if anything is wrong."""
    report = ImportReport()
    province = OrgUnit.objects.without_shapes().filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
    with transaction.atomic():
        for section in SECTIONS:
            rows = package.get(section.name, [])
            if not isinstance(rows, list):
                report.errors.append(_("%(s)s: expected a list") % {"s": section.name})
                continue
            for index, row in enumerate(rows):
                _import_row(section, row, index, report, province)
        if not report.errors:
            _sync_option_combos(package, report)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def _lookup(section_name: str, key: Any) -> models.Model | None:
    """The stored record of ``section_name`` whose natural key text is ``key``."""
    section = BY_NAME[section_name]
    parts = str(key).split("/", len(section.key) - 1)
    if len(parts) != len(section.key):
        return None
    query = {}
    for name, part in zip(section.key, parts, strict=True):
        if name in section.refs:
            target = _lookup(section.refs[name], part)
            if target is None:
                return None
            query[name] = target
        else:
            query[name] = part
    return section.model.objects.filter(**query).first()


def _import_row(section: Section, row: Any, index: int, report: ImportReport, province: OrgUnit | None) -> None:
    where = f"{section.name}[{index}]"
    if not isinstance(row, dict):
        report.errors.append(_("%(w)s: expected an object") % {"w": where})
        return
    plain = {f.name: f for f in _plain_fields(section)}
    unknown = set(row) - set(plain) - set(section.refs) - set(section.many)
    if unknown:
        report.errors.append(_("%(w)s: unknown field(s) %(f)s") % {"w": where, "f": ", ".join(sorted(unknown))})
        return
    values: dict[str, Any] = {name: row[name] for name in plain if name in row}
    for name, target in section.refs.items():
        if row.get(name) in (None, ""):
            values[name] = None
            continue
        related = _lookup(target, row[name])
        if related is None:
            message = _("%(w)s: %(f)s %(v)s is neither in the package nor in this portal")
            report.errors.append(message % {"w": where, "f": name, "v": row[name]})
            return
        values[name] = related
    key = "/".join(str(row.get(k, "")) for k in section.key)
    obj = _lookup(section.name, key)
    label = f"{section.name}: {key}"
    if obj is None:
        obj = section.model()
        if section.model is Agency:
            if province is None:
                report.errors.append(_("%(w)s: load the org-unit hierarchy first (agencies are placed at the province)") % {"w": where})
                return
            obj.orgunit = province
        before = None
    else:
        before = _record(section, obj)
    if isinstance(obj, DataElement) and obj.pk and "category_combo" in values and _combo_change_refused(obj, values["category_combo"]):
        message = _("%(w)s (%(k)s): values are stored for this element, so its category combination cannot change")
        report.errors.append(message % {"w": where, "k": key})
        return
    for name, value in values.items():
        setattr(obj, name, value)
    try:
        obj.full_clean(exclude=list(section.skip))
    except ValidationError as exc:
        messages = [f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items()]
        report.errors.append(f"{where} ({key}): " + "; ".join(messages))
        return
    obj.save()
    for name, target in section.many.items():
        if name in row:
            wanted = [_lookup(target, code) for code in row[name] or []]
            if None in wanted:
                report.errors.append(_("%(w)s: %(f)s names a record that does not exist") % {"w": where, "f": name})
                return
            getattr(obj, name).set(wanted)
    if before is None:
        report.created.append(label)
    elif _record(section, obj) != before:
        report.changed.append(label)
    else:
        report.unchanged.append(label)


def _combo_change_refused(element: DataElement, combo: CategoryCombo | None) -> bool:
    """An element's values are stored per its combination's cells: the combination may change only while it has none."""
    return element.category_combo_id != (combo.pk if combo else None) and DataValue.objects.filter(element=element).exists()


def _sync_option_combos(package: dict[str, Any], report: ImportReport) -> None:
    """Generate the option combinations of every combination in the package and check they are the ones it lists."""
    listed: dict[str, list[str]] = {}
    for row in package.get("category_option_combos") or []:
        if isinstance(row, dict):
            listed.setdefault(str(row.get("combo")), []).append(str(row.get("code")))
    for row in package.get("category_combos") or []:
        combo = CategoryCombo.objects.filter(code=row.get("code")).first() if isinstance(row, dict) else None
        if combo is None:
            continue
        try:
            generated = [c.code for c in categorycombo_sync(combo=combo)]
        except ValidationError as exc:
            report.errors.append(f"category_combos ({combo.code}): " + "; ".join(exc.messages))
            continue
        if combo.code in listed and sorted(listed[combo.code]) != sorted(generated):
            message = _("category_combos (%(c)s): its categories give the option combinations %(g)s, the package lists %(l)s")
            report.errors.append(message % {"c": combo.code, "g": ", ".join(generated), "l": ", ".join(listed[combo.code])})

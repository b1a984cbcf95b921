"""The catalogue as data: topics, categories, datasets and data elements defined in versioned YAML files.

``datasets/catalogue/*.yaml`` (all files, sorted by name) describe the whole catalogue so that
another province can load the same one with ``manage.py load_catalogue``. Loading is idempotent
(update by code) and all-or-nothing: every file is parsed and checked first, and any error means
nothing changes and every problem is listed. Format (one file may hold any of the four sections)::

    topics:
      - {code: T01, name_th: ..., name_en: ..., domain_th: ..., domain_en: ..., description: ...}
    categories:                    # what figures are broken down by; options in published order
      - code: SEX
        name_th: เพศ
        name_en: Sex
        options:
          - {code: M, name_th: ชาย, name_en: Male}
          - {code: F, name_th: หญิง, name_en: Female}
    category_combos:               # an ordered set of categories an element is broken down by
      - {code: SEX_AREA, name_th: ..., name_en: ..., categories: [SEX, AREA]}
    datasets:
      - code: DS-POP
        topic: T05                 # a topic code from any file or already in the database
        agency: PROV-DOPA          # an agency code
        level: subdistrict         # province | district | subdistrict | village
        period_type: Y             # M B Q H FY Y (poc.periods)
        sensitivity: public        # public | internal | restricted
        verification_by: province  # province | agency
        objective: พันธกิจหน่วยงาน # open-data catalogue (GD Catalog) fields, optional:
        license: Open Data Common  #   objective, licence, official statistics (true/false)
        official_statistics: false
        elements:
          - {code: POP, name_th: ..., value_type: integer, unit: คน, min: 0, max: null,
             required: true, aggregation: sum, options: [], description: ...,
             categories: SEX_AREA,  # a category combination's code; absent: one figure per unit and period
             demo: {base: 760000, growth: 0.01, noise: 0.03, seasonal: null,
                    split: {SEX: {M: 0.49, F: 0.51}, AREA: {MUN: 0.3, NONMUN: 0.7}}}}

``demo`` tells :mod:`datasets.demo` how to generate plausible values and is not stored: ``base``
(province total per period), ``growth`` (per year), ``noise`` (relative), ``seasonal`` (null, rain,
dry, dengue), or ``ratio_of`` + ``ratio`` (derived from another element's total), or ``sum_of`` (a
list of element codes whose sum this element is); ``split`` shares a broken-down element's total
among each category's options (an option left out gets none; a category left out is split evenly).

A combination's option combinations are generated (:func:`datasets.categories.categorycombo_sync`);
an element's combination cannot change while it has stored values, and a category option cannot go
while values use it: both are refused with the rest of the file's problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datasets.categories import categorycombo_sync
from datasets.models import (
    Aggregation,
    Category,
    CategoryCombo,
    CategoryComboMember,
    CategoryOption,
    DataElement,
    Dataset,
    DataValue,
    Sensitivity,
    Topic,
    ValueType,
    VerificationBy,
)
from poc.models import Agency, OrgUnitLevel
from poc.periods import PeriodType

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
LEVELS = {
    "province": OrgUnitLevel.PROVINCE,
    "district": OrgUnitLevel.DISTRICT,
    "subdistrict": OrgUnitLevel.SUBDISTRICT,
    "village": OrgUnitLevel.VILLAGE,
}
SEASONS = (None, "rain", "dry", "dengue")

TOPIC_KEYS = {"code", "name_th", "name_en", "domain_th", "domain_en", "description"}
DATASET_KEYS = {
    "code",
    "topic",
    "name_th",
    "name_en",
    "definition",
    "source",
    "agency",
    "level",
    "period_type",
    "due_days",
    "sensitivity",
    "verification_by",
    "contact_name",
    "contact_email",
    "contact_phone",
    "elements",
    "objective",
    "license",
    "official_statistics",
}
DATASET_REQUIRED = ("code", "topic", "name_th", "agency", "level", "period_type", "elements")
ELEMENT_KEYS = {
    "code",
    "name_th",
    "name_en",
    "value_type",
    "unit",
    "min",
    "max",
    "required",
    "aggregation",
    "options",
    "description",
    "demo",
    "categories",
}
DEMO_KEYS = {"base", "growth", "noise", "seasonal", "ratio_of", "ratio", "sum_of", "split"}
SECTIONS = {"topics", "categories", "category_combos", "datasets"}
CATEGORY_KEYS = {"code", "name_th", "name_en", "options"}
OPTION_KEYS = {"code", "name_th", "name_en"}
COMBO_KEYS = {"code", "name_th", "name_en", "categories"}


@dataclass
class ElementSpec:
    """One element as read from a file, with its demo recipe (``demo`` is empty when absent)."""

    code: str
    dataset: str
    fields: dict[str, Any]
    demo: dict[str, Any]


@dataclass
class Catalogue:
    """Everything read from the files, in file order, plus the problems found (load only when there are none)."""

    topics: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    combos: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    elements: dict[str, ElementSpec] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


KINDS = ("topics", "categories", "category_combos", "datasets", "elements")


class _Refused(Exception):
    """Raised inside the load transaction to roll it back when a database check (a combination's sync) refuses."""


@dataclass
class CatalogueResult:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def catalogue_files(paths: list[Path | str] | None = None) -> list[Path]:
    """YAML files to load: the given files, and every ``*.yaml``/``*.yml`` of the given folders, sorted by name."""
    files: list[Path] = []
    for path in [Path(p) for p in (paths or [CATALOGUE_DIR])]:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")], key=lambda p: p.name))
        else:
            files.append(path)
    return files


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        raise ValueError
    return float(value)


def catalogue_read(paths: list[Path | str] | None = None) -> Catalogue:
    """Parse and check every file; problems are collected in ``Catalogue.errors`` as "file: where: what"."""
    catalogue = Catalogue()
    dataset_where: dict[str, str] = {}
    topic_where: dict[str, str] = {}
    category_where: dict[str, str] = {}
    combo_where: dict[str, str] = {}
    files = catalogue_files(paths)
    if not files:
        catalogue.errors.append(_("No catalogue files found."))
    for file in files:
        try:
            document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            catalogue.errors.append(f"{file.name}: " + _("cannot be read: %(e)s") % {"e": exc})
            continue
        if not isinstance(document, dict) or set(document) - SECTIONS:
            catalogue.errors.append(f"{file.name}: " + _("expected only the keys 'topics', 'categories', 'category_combos' and 'datasets'"))
            continue
        for index, topic in enumerate(document.get("topics") or [], start=1):
            where = f"{file.name}: topics[{index}]"
            problems = _check_topic(topic)
            code = _text(topic.get("code")) if isinstance(topic, dict) else ""
            if code in topic_where:
                problems.append(_("topic %(c)s is also defined at %(w)s") % {"c": code, "w": topic_where[code]})
            catalogue.errors.extend(f"{where}: {p}" for p in problems)
            if not problems:
                topic_where[code] = where
                catalogue.topics.append(topic)
        _read_categories(document, file.name, catalogue, category_where, combo_where)
        for index, dataset in enumerate(document.get("datasets") or [], start=1):
            code = _text(dataset.get("code")) if isinstance(dataset, dict) else ""
            where = f"{file.name}: datasets[{index}]" + (f" {code}" if code else "")
            if code in dataset_where:
                catalogue.errors.append(f"{where}: " + _("dataset %(c)s is also defined at %(w)s") % {"c": code, "w": dataset_where[code]})
                continue
            catalogue.errors.extend(_check_dataset(dataset, catalogue, where))
            if isinstance(dataset, dict):
                dataset_where[code] = where
                catalogue.datasets.append(dataset)
    _check_references(catalogue, topic_where)
    _check_category_references(catalogue)
    return catalogue


def _read_categories(document: dict, file_name: str, catalogue: Catalogue, category_where: dict, combo_where: dict) -> None:
    """Check the file's categories (options unique per category) and combinations (categories named once)."""
    duplicate = _("category %(c)s is also defined at %(w)s")
    _read_entries(document, "categories", file_name, _check_category, category_where, catalogue.categories, catalogue.errors, duplicate)
    duplicate = _("category combination %(c)s is also defined at %(w)s")
    _read_entries(document, "category_combos", file_name, _check_combo, combo_where, catalogue.combos, catalogue.errors, duplicate)


def _read_entries(
    document: dict, key: str, file_name: str, check, where_defined: dict, accepted: list, errors: list, duplicate: str
) -> None:
    """Check each entry of ``document[key]``; the sound ones go to ``accepted``, every problem to ``errors`` with its place."""
    for index, entry in enumerate(document.get(key) or [], start=1):
        code = _text(entry.get("code")) if isinstance(entry, dict) else ""
        where = f"{file_name}: {key}[{index}]" + (f" {code}" if code else "")
        problems = check(entry)
        if code in where_defined:
            problems.append(duplicate % {"c": code, "w": where_defined[code]})
        errors.extend(f"{where}: {p}" for p in problems)
        if not problems:
            where_defined[code] = where
            accepted.append(entry)


def _check_category(category: Any) -> list[str]:
    if not isinstance(category, dict):
        return [_("expected a mapping")]
    problems = _unknown_keys(category, CATEGORY_KEYS)
    problems += [_("%(k)s is required") % {"k": key} for key in ("code", "name_th") if not _text(category.get(key))]
    options = category.get("options")
    if not isinstance(options, list) or not options:
        return [*problems, _("a category needs a list of options")]
    seen: set[str] = set()
    for index, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            problems.append(_("options[%(i)s]: expected a mapping") % {"i": index})
            continue
        option_code = _text(option.get("code"))
        problems += [f"options[{index}]: {p}" for p in _unknown_keys(option, OPTION_KEYS)]
        problems += [f"options[{index}]: " + _("%(k)s is required") % {"k": k} for k in ("code", "name_th") if not _text(option.get(k))]
        if option_code and not (option_code.isascii() and option_code.isalnum()):
            problems.append(_("option code %(o)s: letters and digits only (ELEMENT.OPTION must read as one name)") % {"o": option_code})
        if option_code and option_code in seen:
            problems.append(_("option %(o)s is listed twice") % {"o": option_code})
        seen.add(option_code)
    return problems


def _check_combo(combo: Any) -> list[str]:
    if not isinstance(combo, dict):
        return [_("expected a mapping")]
    problems = _unknown_keys(combo, COMBO_KEYS)
    problems += [_("%(k)s is required") % {"k": key} for key in ("code", "name_th") if not _text(combo.get(key))]
    categories = combo.get("categories")
    if not isinstance(categories, list) or not categories:
        return [*problems, _("a category combination needs a list of category codes")]
    codes = [_text(c) for c in categories]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        problems.append(_("category %(c)s is listed twice") % {"c": ", ".join(twice)})
    return problems


def _check_category_references(catalogue: Catalogue) -> None:
    """Combinations name known categories, elements known combinations; a breakdown stays while values are stored."""
    known_categories = {_text(c["code"]) for c in catalogue.categories} | set(Category.objects.values_list("code", flat=True))
    for combo in catalogue.combos:
        for code in combo["categories"]:
            if _text(code) not in known_categories:
                catalogue.errors.append(_("category combination %(b)s: unknown category %(c)s") % {"b": combo["code"], "c": code})
    known_combos = {_text(c["code"]) for c in catalogue.combos} | set(CategoryCombo.objects.values_list("code", flat=True))
    stored = {e.code: e for e in DataElement.objects.filter(code__in=list(catalogue.elements)).select_related("category_combo")}
    for spec in catalogue.elements.values():
        combo_code = _text(spec.fields.get("categories"))
        if combo_code and combo_code not in known_combos:
            catalogue.errors.append(_("element %(e)s: unknown category combination %(b)s") % {"e": spec.code, "b": combo_code})
        element = stored.get(spec.code)
        current = element.category_combo.code if element is not None and element.category_combo_id else ""
        if element is not None and current != combo_code and DataValue.objects.filter(element=element).exists():
            message = _("element %(e)s: values are stored, so its breakdown cannot change from %(old)s to %(new)s")
            catalogue.errors.append(message % {"e": spec.code, "old": current or _("no breakdown"), "new": combo_code or _("no breakdown")})


def _unknown_keys(entry: dict, allowed: set[str]) -> list[str]:
    unknown = sorted(set(entry) - allowed)
    return [_("unknown key(s): %(k)s") % {"k": ", ".join(map(str, unknown))}] if unknown else []


def _check_topic(topic: Any) -> list[str]:
    if not isinstance(topic, dict):
        return [_("expected a mapping")]
    problems = _unknown_keys(topic, TOPIC_KEYS)
    problems += [_("%(k)s is required") % {"k": key} for key in ("code", "name_th") if not _text(topic.get(key))]
    return problems


def _check_dataset(dataset: Any, catalogue: Catalogue, where: str) -> list[str]:
    if not isinstance(dataset, dict):
        return [f"{where}: " + _("expected a mapping")]
    problems = _unknown_keys(dataset, DATASET_KEYS)
    problems += [_("%(k)s is required") % {"k": key} for key in DATASET_REQUIRED if not dataset.get(key)]
    if dataset.get("level") and dataset["level"] not in LEVELS:
        problems.append(_("level must be one of %(v)s") % {"v": ", ".join(LEVELS)})
    if dataset.get("period_type") and str(dataset["period_type"]) not in PeriodType.values:
        problems.append(_("period_type must be one of %(v)s") % {"v": ", ".join(PeriodType.values)})
    if dataset.get("sensitivity", "internal") not in Sensitivity.values:
        problems.append(_("sensitivity must be one of %(v)s") % {"v": ", ".join(Sensitivity.values)})
    if dataset.get("verification_by", "province") not in VerificationBy.values:
        problems.append(_("verification_by must be one of %(v)s") % {"v": ", ".join(VerificationBy.values)})
    due_days = dataset.get("due_days", 30)
    if not isinstance(due_days, int) or isinstance(due_days, bool) or not 0 <= due_days <= 3650:
        problems.append(_("due_days must be a whole number of days (0–3650)"))
    problems = [f"{where}: {p}" for p in problems]
    elements = dataset.get("elements")
    if elements is not None and not isinstance(elements, list):
        return [*problems, f"{where}: " + _("elements must be a list")]
    code = _text(dataset.get("code"))
    for index, element in enumerate(elements or [], start=1):
        element_code = _text(element.get("code")) if isinstance(element, dict) else ""
        element_where = f"{where}: elements[{index}]" + (f" {element_code}" if element_code else "")
        element_problems = _check_element(element)
        if element_code in catalogue.elements:
            element_problems.append(
                _("element %(e)s is also defined in dataset %(d)s") % {"e": element_code, "d": catalogue.elements[element_code].dataset}
            )
        problems += [f"{element_where}: {p}" for p in element_problems]
        if element_code and element_code not in catalogue.elements and isinstance(element, dict):
            demo = element.get("demo") if isinstance(element.get("demo"), dict) else {}
            catalogue.elements[element_code] = ElementSpec(element_code, code, element, dict(demo))
    return problems


def _check_element(element: Any) -> list[str]:
    if not isinstance(element, dict):
        return [_("expected a mapping")]
    problems = _unknown_keys(element, ELEMENT_KEYS)
    problems += [_("%(k)s is required") % {"k": key} for key in ("code", "name_th") if not _text(element.get(key))]
    if element.get("value_type", ValueType.INTEGER) not in ValueType.values:
        problems.append(_("value_type must be one of %(v)s") % {"v": ", ".join(ValueType.values)})
    if element.get("aggregation", Aggregation.SUM) not in Aggregation.values:
        problems.append(_("aggregation must be one of %(v)s") % {"v": ", ".join(Aggregation.values)})
    for key in ("min", "max"):
        if element.get(key) is not None:
            try:
                _number(element[key])
            except (TypeError, ValueError):
                problems.append(_("%(k)s must be a number or null") % {"k": key})
    if not isinstance(element.get("options", []), list):
        problems.append(_("options must be a list"))
    elif element.get("value_type") == ValueType.OPTION and not element.get("options"):
        problems.append(_("an option set needs options"))
    if not isinstance(element.get("required", True), bool):
        problems.append(_("required must be true or false"))
    if element.get("categories") is not None:
        if not isinstance(element["categories"], str):
            problems.append(_("categories must be a category combination's code"))
        elif element.get("value_type", ValueType.INTEGER) not in (ValueType.INTEGER, ValueType.DECIMAL):
            problems.append(_("only an integer or decimal element can be broken down by categories"))
    demo = element.get("demo")
    if demo is not None:
        if not isinstance(demo, dict):
            problems.append(_("demo must be a mapping"))
        else:
            problems += _unknown_keys(demo, DEMO_KEYS)
            if demo.get("seasonal") not in SEASONS:
                problems.append(_("demo seasonal must be one of null, rain, dry, dengue"))
            for key in ("base", "growth", "noise", "ratio"):
                if demo.get(key) is not None:
                    try:
                        _number(demo[key])
                    except (TypeError, ValueError):
                        problems.append(_("demo %(k)s must be a number") % {"k": key})
            if demo.get("sum_of") is not None and not isinstance(demo["sum_of"], list):
                problems.append(_("demo sum_of must be a list of element codes"))
            if demo.get("split") is not None and not _valid_split(demo["split"]):
                problems.append(_("demo split must map category codes to {option code: share}"))
    return problems


def _valid_split(split: Any) -> bool:
    """``{SEX: {M: 0.49, F: 0.51}, ...}``: shares are non-negative numbers."""

    def share(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0

    return isinstance(split, dict) and all(isinstance(shares, dict) and all(map(share, shares.values())) for shares in split.values())


def _check_references(catalogue: Catalogue, topic_where: dict[str, str]) -> None:
    """Topic and agency codes must exist (in the files or the database); demo recipes must name known elements."""
    known_topics = set(topic_where) | set(Topic.objects.values_list("code", flat=True))
    agencies = set(Agency.objects.values_list("code", flat=True))
    for dataset in catalogue.datasets:
        where = _text(dataset.get("code"))
        if dataset.get("topic") and _text(dataset["topic"]) not in known_topics:
            catalogue.errors.append(_("dataset %(d)s: unknown topic %(t)s") % {"d": where, "t": dataset["topic"]})
        if dataset.get("agency") and _text(dataset["agency"]) not in agencies:
            catalogue.errors.append(_("dataset %(d)s: unknown agency %(a)s") % {"d": where, "a": dataset["agency"]})
    known_elements = set(catalogue.elements) | set(DataElement.objects.values_list("code", flat=True))
    for spec in catalogue.elements.values():
        named = [spec.demo["ratio_of"]] if spec.demo.get("ratio_of") else []
        named += spec.demo["sum_of"] if isinstance(spec.demo.get("sum_of"), list) else []
        for code in named:
            if code not in known_elements:
                catalogue.errors.append(_("element %(e)s: demo refers to unknown element %(r)s") % {"e": spec.code, "r": code})
            elif code == spec.code:
                catalogue.errors.append(_("element %(e)s: demo refers to itself") % {"e": spec.code})


def _upsert(model: type, code: str, values: dict[str, Any], counts: CatalogueResult, kind: str) -> Any:
    obj = model.objects.filter(code=code).first()
    if obj is None:
        counts.created[kind] += 1
        return model.objects.create(code=code, **values)
    if any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        counts.updated[kind] += 1
    return obj


def catalogue_load(*, paths: list[Path | str] | None = None) -> CatalogueResult:
    """Load (create or update by code) every topic, dataset and element of the files — all or nothing.

    Elements and datasets missing from the files are left alone: their values stay readable.
    """
    catalogue = catalogue_read(paths)
    result = CatalogueResult(errors=list(catalogue.errors))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _load(catalogue, result)
            if result.errors:
                raise _Refused
    except _Refused:
        result.created, result.updated = dict.fromkeys(KINDS, 0), dict.fromkeys(KINDS, 0)
    return result


def _load(catalogue: Catalogue, result: CatalogueResult) -> None:
    """Write everything read; a combination whose sync is refused adds to ``result.errors`` (the caller rolls back)."""
    combos = _load_categories(catalogue, result)
    topics = {}
    for order, topic in enumerate(catalogue.topics, start=1):
        values = {key: _text(topic.get(key)) for key in TOPIC_KEYS - {"code"}}
        topics[_text(topic["code"])] = _upsert(Topic, _text(topic["code"]), {**values, "order": order}, result, "topics")
    agencies = Agency.objects.in_bulk(field_name="code")
    for order, dataset in enumerate(catalogue.datasets, start=1):
        topic_code = _text(dataset["topic"])
        values = {
            "topic": topics.get(topic_code) or Topic.objects.get(code=topic_code),
            "agency": agencies[_text(dataset["agency"])],
            "collection_level": LEVELS[dataset["level"]],
            "period_type": str(dataset["period_type"]),
            "due_days": dataset.get("due_days", 30),
            "sensitivity": dataset.get("sensitivity", Sensitivity.INTERNAL),
            "verification_by": dataset.get("verification_by", VerificationBy.PROVINCE),
            "order": order,
            "objective": _text(dataset.get("objective", "พันธกิจหน่วยงาน")),
            "license": _text(dataset.get("license", "Open Data Common")),
            "official_statistics": bool(dataset.get("official_statistics", False)),
            **{
                key: _text(dataset.get(key))
                for key in ("name_th", "name_en", "definition", "source", "contact_name", "contact_email", "contact_phone")
            },
        }
        obj = _upsert(Dataset, _text(dataset["code"]), values, result, "datasets")
        for element_order, element in enumerate(dataset["elements"], start=1):
            element_values = {
                "dataset": obj,
                "name_th": _text(element.get("name_th")),
                "name_en": _text(element.get("name_en")),
                "description": _text(element.get("description")),
                "value_type": element.get("value_type", ValueType.INTEGER),
                "unit": _text(element.get("unit")),
                "min_value": _number(element["min"]) if element.get("min") is not None else None,
                "max_value": _number(element["max"]) if element.get("max") is not None else None,
                "required": element.get("required", True),
                "aggregation": element.get("aggregation", Aggregation.SUM),
                "options": list(element.get("options") or []),
                "category_combo": _combo(combos, element.get("categories")),
                "order": element_order,
            }
            _upsert(DataElement, _text(element["code"]), element_values, result, "elements")


def _combo(combos: dict[str, CategoryCombo], code: Any) -> CategoryCombo | None:
    code = _text(code)
    return (combos.get(code) or CategoryCombo.objects.get(code=code)) if code else None


def _load_categories(catalogue: Catalogue, result: CatalogueResult) -> dict[str, CategoryCombo]:
    """Categories with their options (in file order), combinations with their members, then each combination's cells.

    An option dropped from a file is deleted; if values use it, the combination's sync refuses and the load rolls back.
    """
    categories: dict[str, Category] = {}
    for order, category in enumerate(catalogue.categories, start=1):
        values = {"name_th": _text(category.get("name_th")), "name_en": _text(category.get("name_en")), "order": order}
        obj = categories[_text(category["code"])] = _upsert(Category, _text(category["code"]), values, result, "categories")
        existing = {option.code: option for option in obj.options.all()}
        codes = []
        for option_order, option in enumerate(category["options"], start=1):
            code = _text(option["code"])
            codes.append(code)
            wanted = {"name_th": _text(option.get("name_th")), "name_en": _text(option.get("name_en")), "order": option_order}
            current = existing.get(code)
            if current is None:
                CategoryOption.objects.create(category=obj, code=code, **wanted)
            elif any(getattr(current, k) != v for k, v in wanted.items()):
                CategoryOption.objects.filter(pk=current.pk).update(**wanted)
        obj.options.exclude(code__in=codes).delete()
    combos: dict[str, CategoryCombo] = {}
    touched = {c.pk for c in categories.values()}
    for combo in catalogue.combos:
        values = {"name_th": _text(combo.get("name_th")), "name_en": _text(combo.get("name_en"))}
        obj = combos[_text(combo["code"])] = _upsert(CategoryCombo, _text(combo["code"]), values, result, "category_combos")
        wanted_ids = [(categories.get(_text(c)) or Category.objects.get(code=_text(c))).pk for c in combo["categories"]]
        if list(obj.members.order_by("order", "pk").values_list("category_id", flat=True)) != wanted_ids:
            obj.members.all().delete()
            CategoryComboMember.objects.bulk_create(
                [CategoryComboMember(combo=obj, category_id=pk, order=order) for order, pk in enumerate(wanted_ids)]
            )
    # Every combination over a category of the files, those of the files or not, follows its options.
    over_touched = CategoryCombo.objects.filter(members__category_id__in=touched).values_list("pk", flat=True)
    combo_ids = {c.pk for c in combos.values()} | set(over_touched)
    for obj in CategoryCombo.objects.filter(pk__in=combo_ids).order_by("code"):
        try:
            categorycombo_sync(combo=obj)
        except ValidationError as exc:
            result.errors.extend(exc.messages)
    return combos

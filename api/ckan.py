"""Our public datasets as CKAN packages, in the field set of Thailand's Government Data Catalog (ckanext-thai_gdc),
so a CKAN harvester (the national GD Catalog or a province's own CKAN) can pull them.

Only public, active datasets appear (``access.public_datasets``), whoever asks. Most fields derive from the
catalogue (period type → update frequency, collection level and the elements' categories → disaggregation, element units → unit of measure,
years with values → first/last year); objective, licence and official statistics are stored on the dataset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Max, Min, Q
from django.urls import reverse

from api import access
from datasets.models import Dataset, DatasetQuerySet, DataValue, format_number
from poc.models import OrgUnitLevel
from poc.periods import PeriodType

# Update frequency in the GD Catalog's units: (unit, times per unit).
FREQUENCY = {
    PeriodType.MONTHLY: ("เดือน", 1),
    PeriodType.BIMONTHLY: ("เดือน", 2),
    PeriodType.QUARTERLY: ("ไตรมาส", 1),
    PeriodType.HALF_YEAR: ("ครึ่งปี", 1),
    PeriodType.FISCAL_YEAR: ("ปี", 1),
    PeriodType.CALENDAR_YEAR: ("ปี", 1),
    PeriodType.WEEKLY: ("สัปดาห์", 1),
    PeriodType.DAILY: ("วัน", 1),
}
LEVEL_WORDS = {
    OrgUnitLevel.PROVINCE: "จังหวัด",
    OrgUnitLevel.DISTRICT: "อำเภอ",
    OrgUnitLevel.SUBDISTRICT: "ตำบล",
    OrgUnitLevel.VILLAGE: "หมู่บ้าน",
}
# The option combination last (empty for an element without categories), so readers by position keep working.
CSV_COLUMNS = ["period", "period_start", "period_end", "orgunit_code", "orgunit_name", "element_code", "element_name", "value", "unit"]
CSV_COLUMNS += ["option_combo_code", "option_combo_name"]


def slug(code: str) -> str:
    """A CKAN name: lower case letters, digits, ``-`` and ``_``."""
    return re.sub(r"[^a-z0-9_-]+", "-", code.lower()).strip("-")


def packages() -> DatasetQuerySet:
    return (
        access.public_datasets()
        .select_related("topic", "agency")
        .prefetch_related("elements__category_combo__members__category")
        .order_by("code")
    )


def package_find(name_or_id: str) -> Dataset | None:
    """A public dataset by its CKAN name (``ds-pop``) or our code (``DS-POP``)."""
    wanted = (name_or_id or "").strip().lower()
    code = next((c for c in packages().values_list("code", flat=True) if wanted in (c.lower(), slug(c))), None)
    return packages().filter(code=code).first() if code else None


def package_search(query: str) -> DatasetQuerySet:
    datasets = packages()
    for word in (query or "").split():
        if word in ("*:*", "*"):
            continue
        datasets = datasets.filter(
            Q(name_th__icontains=word)
            | Q(name_en__icontains=word)
            | Q(code__icontains=word)
            | Q(definition__icontains=word)
            | Q(topic__name_th__icontains=word)
            | Q(topic__name_en__icontains=word)
        )
    return datasets


def _years(datasets: Iterable[Dataset]) -> dict[int, tuple[int | None, int | None, object]]:
    """Per dataset: first and last fiscal year (BE) with values, and when a value last changed; one query."""
    rows = (
        DataValue.objects.filter(element__dataset__in=list(datasets))
        .values("element__dataset_id")
        .annotate(first=Min("period__fiscal_year"), last=Max("period__fiscal_year"), modified=Max("updated_at"))
        .order_by()
    )
    return {r["element__dataset_id"]: (r["first"], r["last"], r["modified"]) for r in rows}


def package_dicts(datasets: Iterable[Dataset], request) -> list[dict]:
    datasets = list(datasets)
    years = _years(datasets)
    return [package_dict(d, request, years.get(d.pk, (None, None, None))) for d in datasets]


def disaggregation(dataset: Dataset, elements: list) -> list[str]:
    """What the dataset's figures are broken down by: its org-unit levels, then its elements' categories (Thai names,
    each once, in element and combination order), e.g. ``["จังหวัด", "อำเภอ", "ตำบล", "เพศ", "เขตการปกครอง"]``."""
    words = [LEVEL_WORDS[level] for level in sorted(LEVEL_WORDS) if level <= dataset.collection_level]
    for element in elements:
        if element.category_combo is not None:
            words += [m.category.name_th for m in element.category_combo.members.all() if m.category.name_th not in words]
    return words


def package_dict(dataset: Dataset, request, years: tuple) -> dict:
    first, last, modified = years
    unit, interval = FREQUENCY[PeriodType(dataset.period_type)]
    elements = list(dataset.elements.all())
    units = sorted({e.unit for e in elements if e.unit})
    agency = dataset.agency
    tags = [t for t in (dataset.topic.name_th, dataset.topic.domain_th) if t]
    csv_url = request.build_absolute_uri(reverse("open_data_csv", args=[dataset.code]))
    return {
        "id": dataset.code,
        "name": slug(dataset.code),
        "title": dataset.name_th,
        "title_en": dataset.name_en,
        "type": "dataset",
        "state": "active" if dataset.is_active else "deleted",
        "private": False,
        "notes": dataset.definition,
        "url": request.build_absolute_uri(reverse("open_data:detail", args=[dataset.code])),
        "owner_org": slug(agency.code),
        "organization": {"id": agency.code, "name": slug(agency.code), "title": agency.name_th, "description": agency.name_en},
        "maintainer": dataset.contact_name or agency.name_th,
        "maintainer_email": dataset.contact_email or agency.email,
        "tags": [{"name": t, "display_name": t} for t in tags],
        "num_tags": len(tags),
        "data_type": "ข้อมูลสถิติ",
        "objective": [dataset.objective] if dataset.objective else [],
        "update_frequency_unit": unit,
        "update_frequency_interval": str(interval),
        "geo_coverage": "จังหวัด",
        "data_source": dataset.source or agency.name_th,
        "data_format": ["CSV"],
        "data_category": "ข้อมูลสาธารณะ",
        "license_id": dataset.license,
        "license_title": dataset.license,
        "accessible_condition": "เปิดเผยได้โดยไม่มีเงื่อนไข",
        "first_year_of_data": str(first) if first else "",
        "last_year_of_data": str(last) if last else "",
        "disaggregate": disaggregation(dataset, elements),
        "unit_of_measure": ", ".join(units),
        "official_statistics": "ใช่" if dataset.official_statistics else "ไม่ใช่",
        "metadata_modified": modified.isoformat() if modified else None,
        "resources": [
            {
                "id": f"{dataset.code}-csv",
                "package_id": dataset.code,
                "name": f"{dataset.name_th} (CSV)",
                "format": "CSV",
                "mimetype": "text/csv",
                "url": csv_url,
                "description": "Columns: " + ", ".join(CSV_COLUMNS),
            }
        ],
        "num_resources": 1,
    }


def csv_rows(dataset: Dataset) -> Iterable[list[str]]:
    """Every value of a public dataset, one row each, under English column names without spaces; a broken-down
    element's value names its option combination (code and English name: the columns are English)."""
    yield CSV_COLUMNS
    values = (
        DataValue.objects.filter(element__dataset=dataset, not_available="")
        .select_related("element", "orgunit", "period", "option_combo")
        .order_by("period__start_date", "orgunit__path", "element__order", "element__code", "option_combo__order")
    )
    for v in values.iterator(chunk_size=5000):
        value = format_number(v.value_num) if v.value_num is not None else v.value_text
        yield [
            v.period.code,
            v.period.start_date.isoformat(),
            v.period.end_date.isoformat(),
            v.orgunit.code,
            v.orgunit.name_en or v.orgunit.name_th,
            v.element.code,
            v.element.name_en or v.element.name_th,
            value,
            v.element.unit,
            v.option_combo.code if v.option_combo else "",
            (v.option_combo.name_en or v.option_combo.name_th) if v.option_combo else "",
        ]

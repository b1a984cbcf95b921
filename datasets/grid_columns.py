"""The entry grid's columns and header rows.

An element without categories is one column. An element broken down by categories is one column per option
combination, in the combination's order, then (for a summed number) a total column that the browser computes as the
clerk types and that is never posted: totals are derived, not entered. The header has one row for the element names
and one row per category below them; neighbouring option combinations that share their first options share a header
cell, so SEX × AREA reads ชาย / หญิง over ในเขตเทศบาล / นอกเขตเทศบาล.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from datasets.models import Aggregation, CategoryComboMember, CategoryOption, CategoryOptionCombo, DataElement, ValueType

# Figures whose parts and rows add up (a percentage or a yes/no does not).
SUMMED_TYPES = (ValueType.INTEGER, ValueType.DECIMAL)


def is_summed(element: DataElement) -> bool:
    return element.value_type in SUMMED_TYPES and element.aggregation == Aggregation.SUM


@dataclass(frozen=True)
class GridColumn:
    element: DataElement
    option_combo: CategoryOptionCombo | None = None
    options: tuple[CategoryOption, ...] = ()  # the option combination's options in its category order
    is_total: bool = False  # a broken-down element's sum of its parts: display only
    group_start: bool = False  # the first column of a broken-down element (set apart by a border)

    @property
    def key(self) -> str:
        """Names the column for its total at the bottom of the grid (``data-col``)."""
        if self.is_total:
            return f"{self.element.pk}-total"
        return f"{self.element.pk}-{self.option_combo.pk}" if self.option_combo else str(self.element.pk)

    @property
    def summed(self) -> bool:
        """Its figures add up down the rows, so the grid shows their sum at the bottom."""
        return is_summed(self.element)

    @property
    def label(self) -> str:
        """The column as an error message names it: ``ประชากร · หญิง, ในเขตเทศบาล``."""
        if self.is_total:
            return f"{self.element.name} · {_('Total')}"
        return f"{self.element.name} · {self.option_combo.name}" if self.option_combo else self.element.name


@dataclass(frozen=True)
class HeaderCell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    element: DataElement | None = None  # the top row: the element's name, required mark and unit
    css: str = ""


def grid_columns(elements: list[DataElement]) -> list[GridColumn]:
    """The grid's value columns, left to right (two queries for all broken-down elements together)."""
    combo_ids = {e.category_combo_id for e in elements if e.category_combo_id is not None}
    parts: dict[int, list[CategoryOptionCombo]] = defaultdict(list)
    positions: dict[int, dict[int, int]] = defaultdict(dict)  # combo → category → its place in the combo
    if combo_ids:
        members = CategoryComboMember.objects.filter(combo_id__in=combo_ids).order_by("combo", "order", "pk")
        for combo_id, category_id in members.values_list("combo_id", "category_id"):
            positions[combo_id].setdefault(category_id, len(positions[combo_id]))
        option_combos = CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).prefetch_related("options").order_by("order", "code")
        for option_combo in option_combos:
            parts[option_combo.combo_id].append(option_combo)
    columns = []
    for element in elements:
        if element.category_combo_id is None:
            columns.append(GridColumn(element))
            continue
        place = positions[element.category_combo_id]
        for index, option_combo in enumerate(parts[element.category_combo_id]):
            options = tuple(sorted(option_combo.options.all(), key=lambda o: place.get(o.category_id, len(place))))
            columns.append(GridColumn(element, option_combo, options, group_start=index == 0))
        if parts[element.category_combo_id] and is_summed(element):
            columns.append(GridColumn(element, is_total=True))
    return columns


def header_rows(columns: list[GridColumn]) -> list[list[HeaderCell]]:
    """Header rows: the org unit and each element on top, then one row per category of the broken-down elements."""
    groups: list[list[GridColumn]] = []
    for column in columns:
        if groups and groups[-1][0].element.pk == column.element.pk:
            groups[-1].append(column)
        else:
            groups.append([column])
    depth = 1 + max((len(c.options) for c in columns), default=0)
    rows: list[list[HeaderCell]] = [[] for _row in range(depth)]
    rows[0].append(HeaderCell(_("Org unit"), rowspan=depth))
    for group in groups:
        element = group[0].element
        if group[0].option_combo is None and not group[0].is_total:
            rows[0].append(HeaderCell(rowspan=depth, element=element))
            continue
        rows[0].append(HeaderCell(colspan=len(group), element=element, css="ds-group-start"))
        parts = [c for c in group if not c.is_total]
        levels = len(parts[0].options)
        for level in range(levels):
            rowspan = depth - 1 - level if level == levels - 1 else 1
            for run in _runs(parts, level + 1):
                css = "ds-group-start" if run[0].group_start else ""
                rows[1 + level].append(HeaderCell(run[0].options[level].name, colspan=len(run), rowspan=rowspan, css=css))
        if len(parts) < len(group):
            rows[1].append(HeaderCell(_("Total"), rowspan=depth - 1, css="ds-total"))
    return rows


def _runs(parts: list[GridColumn], prefix: int) -> list[list[GridColumn]]:
    """Neighbouring columns grouped by their first ``prefix`` options (one header cell each)."""
    runs: list[list[GridColumn]] = []
    for column in parts:
        if runs and runs[-1][0].options[:prefix] == column.options[:prefix]:
            runs[-1].append(column)
        else:
            runs.append([column])
    return runs


def parse_figure(text: str) -> float | None:
    """A figure as typed in the grid (``1,210``, Thai digits, a trailing %), or None when it is not a number."""
    cleaned = str(text).replace(",", "").replace(" ", "").strip().removesuffix("%")
    try:
        return float(cleaned) if cleaned else None  # float() reads Thai digits too
    except ValueError:
        return None


def format_total(value: float | None) -> str:
    """A total as the grid shows it, the same way entry.js does (``1,210``, at most two decimals)."""
    if value is None:
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".")

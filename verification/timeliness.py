"""Timeliness: who is expected to report a dataset's period, when values first came, the responsibility matrix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.models import DataElement, Dataset, DataValue
from datasets.selectors import due_date, expected_orgunits
from poc.models import Agency, OrgUnit, User
from poc.periods import PeriodSpec, period_containing
from verification.cells import GEOMETRY


def units_expected_to_report(dataset: Dataset, period: PeriodSpec) -> list[OrgUnit]:
    """Org units expected to report: in the agency's area, at the collection level, assigned and open
    (the same rule as the completeness figures, so reporting rates never exceed 100%)."""
    units = OrgUnit.objects.filter(level=dataset.collection_level, path__startswith=dataset.agency.orgunit.path)
    return expected_orgunits(dataset, units.only("pk", "code", "path", "level", "valid_from", "valid_to"), period)


def first_entries(dataset: Dataset, periods: Iterable[PeriodSpec]) -> dict[tuple[str, int], dt.datetime]:
    """When each (period code, org unit) was reported, the basis of timeliness: its first value of the dataset.

    A required broken-down element is reported only with every option combination (a value or "not available"):
    until then the form is missing, and it is reported when the last of those cells was first entered, if that is
    later than the form's first value. Elements without categories keep the first-value rule.
    """
    codes = [p.code for p in periods]
    rows = (
        DataValue.objects.filter(element__dataset=dataset, period__code__in=codes)
        .values("period__code", "orgunit_id")
        .annotate(first=Min("created_at"))
        .values_list("period__code", "orgunit_id", "first")
    )
    result = {(code, unit): first for code, unit, first in rows}
    required = dict(
        DataElement.objects.filter(dataset=dataset, required=True, category_combo__isnull=False)
        .annotate(cells=Count("category_combo__option_combos"))
        .values_list("pk", "cells")
    )
    if not required or not result:
        return result
    parts = (
        DataValue.objects.filter(element_id__in=list(required), period__code__in=codes, option_combo__isnull=False)
        .values_list("period__code", "orgunit_id", "element_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by()
    )
    complete: dict[tuple[str, int], list[int]] = {}  # form → required elements with every cell
    reported_at: dict[tuple[str, int], dt.datetime] = {}
    for code, unit, element_id, n, last in parts:
        if n >= required[element_id]:
            complete.setdefault((code, unit), []).append(element_id)
            reported_at[(code, unit)] = max(last, reported_at.get((code, unit), last))
    return {key: max(first, reported_at[key]) for key, first in result.items() if len(complete.get(key, ())) == len(required)}


class Timeliness:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MISSING = "missing"


TIMELINESS_DOTS = {"on_time": "green", "due_soon": "amber", "overdue": "red", "missing": "grey"}


def timeliness_label(status: str) -> str:
    return {
        Timeliness.ON_TIME: _("On time"),
        Timeliness.DUE_SOON: _("Due soon"),
        Timeliness.OVERDUE: _("Overdue"),
        Timeliness.MISSING: _("Missing"),
    }[status]


@dataclass
class MatrixRow:
    dataset: Dataset
    awaited: PeriodSpec
    due: dt.date
    last_update: dt.datetime | None
    status: str
    reported_units: int
    expected_units: int

    @property
    def dot(self) -> str:
        return TIMELINESS_DOTS[self.status]

    @property
    def status_label(self) -> str:
        return timeliness_label(self.status)


def reminder_days_before() -> int:
    return int(getattr(settings, "POC_REMINDER_DAYS_BEFORE", 7))


def responsibility_matrix(*, user: User, today: dt.date | None = None, agency: Agency | None = None) -> list[MatrixRow]:
    """Every active dataset with its owner, awaited period, due date, last update and timeliness status.

    The awaited period is the latest completed one if it is not fully reported, else the running one.
    Missing: the dataset has never had a value; overdue: the awaited period is past its due date.
    Restricted datasets (contacts, last update) appear only to those who may read them.
    """
    today = today or timezone.localdate()
    datasets = (
        Dataset.objects.restrict(user, "view")
        .filter(is_active=True)
        .select_related("agency__orgunit", "topic")
        .defer(*(f"agency__orgunit__{f}" for f in GEOMETRY))
        .with_assigned_units()
    )
    if agency is not None:
        datasets = datasets.filter(agency=agency)
    datasets = datasets.annotate(last_update=Max("elements__values__updated_at"))
    soon = reminder_days_before()
    rows = []
    for dataset in datasets:
        running = period_containing(dataset.period_type, today)
        completed = running.previous()
        expected = len(units_expected_to_report(dataset, completed))
        reported = len({u for (_code, u) in first_entries(dataset, [completed])})
        awaited = running if expected and reported >= expected else completed
        due = due_date(dataset, awaited)
        if dataset.last_update is None:
            status = Timeliness.MISSING
        elif today > due:
            status = Timeliness.OVERDUE
        elif awaited == completed and (due - today).days <= soon:
            status = Timeliness.DUE_SOON
        else:
            status = Timeliness.ON_TIME
        rows.append(MatrixRow(dataset, awaited, due, dataset.last_update, status, reported, expected))
    return rows

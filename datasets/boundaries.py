"""Element values re-mapped onto today's org units ("today's boundaries" view of history)."""

from __future__ import annotations

import datetime as dt

from datasets.models import DataElement
from datasets.selectors import element_values
from poc.boundary_changes import remap_to_current
from poc.models import OrgUnit, Period
from poc.periods import PeriodSpec


def element_values_current_boundaries(
    element: DataElement, level: int, period: Period | PeriodSpec, day: dt.date | None = None
) -> dict[int, float]:
    """Values of every unit at ``level`` (closed ones included) re-mapped onto units open on ``day``."""
    unit_ids = list(OrgUnit.objects.filter(level=level).values_list("pk", flat=True))
    values = element_values([element], unit_ids, period)
    return remap_to_current({orgunit_id: value for (_e, orgunit_id), value in values.items()}, day)

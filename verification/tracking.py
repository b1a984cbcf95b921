"""The bimonthly update-tracking report: per agency and dataset, reports due in a window on time, late or missing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.models import Dataset
from datasets.selectors import due_date
from poc.models import Agency, User
from poc.periods import PeriodSpec, parse_period, period_containing
from verification.cells import GEOMETRY
from verification.timeliness import first_entries, units_expected_to_report


@dataclass
class TrackingLine:
    dataset: Dataset
    periods: list[PeriodSpec]
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    previous_completeness: float | None = None
    overdue_periods: list[PeriodSpec] = field(default_factory=list)

    @property
    def completeness(self) -> float | None:
        return None if not self.expected else 100 * (self.on_time + self.late) / self.expected

    @property
    def change(self) -> float | None:
        if self.completeness is None or self.previous_completeness is None:
            return None
        return self.completeness - self.previous_completeness


@dataclass
class AgencyTracking:
    agency: Agency
    lines: list[TrackingLine]

    def _sum(self, name: str) -> int:
        return sum(getattr(line, name) for line in self.lines)

    @property
    def expected(self) -> int:
        return self._sum("expected")

    @property
    def on_time(self) -> int:
        return self._sum("on_time")

    @property
    def late(self) -> int:
        return self._sum("late")

    @property
    def missing(self) -> int:
        return self._sum("missing")

    @property
    def completeness(self) -> float | None:
        return None if not self.expected else 100 * (self.on_time + self.late) / self.expected

    @property
    def previous_completeness(self) -> float | None:
        lines = [line for line in self.lines if line.previous_completeness is not None]
        if not lines:
            return None
        expected = sum(line.expected for line in lines)
        return sum(line.previous_completeness * line.expected for line in lines) / expected if expected else None

    @property
    def change(self) -> float | None:
        if self.completeness is None or self.previous_completeness is None:
            return None
        return self.completeness - self.previous_completeness

    @property
    def is_lagging(self) -> bool:
        return self.missing > 0 or self.late > 0

    @property
    def overdue_lines(self) -> list[TrackingLine]:
        return [line for line in self.lines if line.missing]


@dataclass
class TrackingReport:
    window: PeriodSpec
    as_of: dt.datetime
    agencies: list[AgencyTracking]

    @property
    def lagging(self) -> list[AgencyTracking]:
        return [a for a in self.agencies if a.is_lagging]


def _periods_due_in(dataset: Dataset, window: PeriodSpec) -> list[PeriodSpec]:
    """Reporting periods of the dataset whose due date falls inside the report window."""
    latest = period_containing(dataset.period_type, window.end)
    result, current = [], latest
    while due_date(dataset, current) >= window.start:
        if due_date(dataset, current) <= window.end:
            result.append(current)
        current = current.previous()
    return sorted(result)


def _tracking_line(dataset: Dataset, window: PeriodSpec, as_of: dt.datetime) -> TrackingLine:
    periods = _periods_due_in(dataset, window)
    line = TrackingLine(dataset, periods)
    entries = first_entries(dataset, periods)
    tz = timezone.get_current_timezone()
    for spec in periods:
        deadline = dt.datetime.combine(due_date(dataset, spec) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        missing_before = line.missing
        for unit_id in (u.pk for u in units_expected_to_report(dataset, spec)):
            line.expected += 1
            first = entries.get((spec.code, unit_id))
            if first is None or first >= as_of:
                line.missing += 1
            elif first < deadline:
                line.on_time += 1
            else:
                line.late += 1
        if line.missing > missing_before:
            line.overdue_periods.append(spec)
    return line


def _window_cutoff(window: PeriodSpec, now: dt.datetime) -> dt.datetime:
    end = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
    return min(end, now)


def tracking_report(window_code: str, *, user: User | None, agency: Agency | None = None, now: dt.datetime | None = None) -> TrackingReport:
    """Per agency and dataset: reports due in the two-month window that came on time, late or not at all.

    A report is judged as of the end of the window (or now, if earlier), so a published report does
    not change afterwards; ``change`` compares completeness with the previous window judged the same way.
    ``user``: whose report (restricted datasets only if they may read them); ``None`` for the whole
    province, as the ``tracking_report`` command run by the operator prints it.
    """
    window = parse_period(window_code)
    if window.type != "B":
        raise ValueError(_("The tracking report covers a two-month period such as 2568-B1."))
    now = now or timezone.now()
    as_of, previous_window = _window_cutoff(window, now), window.previous()
    previous_as_of = _window_cutoff(previous_window, now)
    datasets = (
        (Dataset.objects.all() if user is None else Dataset.objects.restrict(user, "view"))
        .filter(is_active=True)
        .select_related("agency__orgunit")
        .defer(*(f"agency__orgunit__{f}" for f in GEOMETRY))
        .with_assigned_units()
        .order_by("agency__code", "code")
    )
    if agency is not None:
        datasets = datasets.filter(agency=agency)
    by_agency: dict[int, AgencyTracking] = {}
    for dataset in datasets:
        line = _tracking_line(dataset, window, as_of)
        if not line.expected:
            continue
        before = _tracking_line(dataset, previous_window, previous_as_of)
        line.previous_completeness = before.completeness
        by_agency.setdefault(dataset.agency_id, AgencyTracking(dataset.agency, [])).lines.append(line)
    return TrackingReport(window, as_of, list(by_agency.values()))

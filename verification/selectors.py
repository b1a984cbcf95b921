"""Reads for verification's queues: the submissions a user works on, a submission's values against the previous
period, violations, and each form's status. Rules, outliers, timeliness, tracking and approvals have their modules."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from datasets.formstate import FormStatus
from datasets.models import Aggregation, CategoryOptionCombo, DataElement, Dataset
from poc.models import OrgUnit, Period, User
from verification.cells import GEOMETRY, NAME_SEPARATOR, cell_values, element_combos, option_cell_values
from verification.models import LOCKED_STATUSES, OutlierConfirmation, RuleSeverity, Status, Submission, Violation
from verification.outliers import OutlierFlag, confirmations, option_outlier_flags, outlier_flags


def submissions_visible(user: User) -> QuerySet[Submission]:
    """Submissions a user works on: their agency's (to submit) and those they verify."""
    queryset = Submission.objects.restrict(user, "view").select_related("dataset__agency", "orgunit", "period")
    return queryset.defer(*(f"orgunit__{f}" for f in GEOMETRY))


@dataclass
class DiffRow:
    """One line of a submission's values: an element (a broken-down element's total), or one of its option cells."""

    element: DataElement
    current: float | None
    previous: float | None
    flag: OutlierFlag | None = None
    confirmation: OutlierConfirmation | None = None
    option_combo: CategoryOptionCombo | None = None

    @property
    def label(self) -> str:
        """``ประชากร`` or ``ประชากร · หญิง, ในเขตเทศบาล`` (English names when the page is in English)."""
        return f"{self.element.name}{NAME_SEPARATOR}{self.option_combo.name}" if self.option_combo else self.element.name

    @property
    def change(self) -> float | None:
        return None if self.current is None or self.previous is None else self.current - self.previous

    @property
    def change_pct(self) -> float | None:
        return None if self.change is None or not self.previous else 100 * self.change / self.previous


def submission_values(submission: Submission) -> list[DiffRow]:
    """Each element's value against the previous period, with outlier flags and confirmations; a broken-down
    element's total is followed by each of its option cells, judged on their own histories."""
    elements = list(submission.dataset.elements.select_related("dataset"))
    unit, period = submission.orgunit, submission.period
    previous = Period.objects.for_spec(period.spec.previous())
    values = cell_values(elements, [unit], [period, previous])
    parts = option_cell_values(elements, [unit], [period, previous])
    flags = outlier_flags(elements, [unit], period)
    option_flags = option_outlier_flags(elements, [unit], period)
    confirmed = confirmations(elements, [unit], period)
    combos = element_combos(elements)

    def confirmation_of(key: tuple[int, int, int | None], current: float | None) -> OutlierConfirmation | None:
        confirmation = confirmed.get(key)
        return confirmation if confirmation and confirmation.value == current else None

    def part(e: DataElement, combo_id: int, period_id: int) -> float | None:
        total, count = parts.get((e.pk, combo_id, unit.pk, period_id), (0.0, 0))
        return None if not count else (total / count if e.aggregation == Aggregation.AVERAGE else total)

    rows = []
    for e in elements:
        current = values.get((e.pk, unit.pk, period.pk))
        before = values.get((e.pk, unit.pk, previous.pk))
        rows.append(DiffRow(e, current, before, flags.get((e.pk, unit.pk)), confirmation_of((e.pk, unit.pk, None), current)))
        for combo in combos.get(e.pk, []):
            current = part(e, combo.pk, period.pk)
            flag, confirmation = option_flags.get((e.pk, combo.pk, unit.pk)), confirmation_of((e.pk, unit.pk, combo.pk), current)
            rows.append(DiffRow(e, current, part(e, combo.pk, previous.pk), flag, confirmation, option_combo=combo))
    return rows


# --- Violations analysis ------------------------------------------------------------------------
def violations_visible(user: User) -> QuerySet[Violation]:
    queryset = Violation.objects.restrict(user, "view").select_related("rule", "orgunit", "period", "dataset")
    return queryset.defer(*(f"orgunit__{f}" for f in GEOMETRY))


def violation_hotspots(violations: QuerySet[Violation]) -> dict[str, int]:
    """Violations per org unit code (counted in the database)."""
    return dict(violations.order_by().values_list("orgunit__code").annotate(n=Count("id")).values_list("orgunit__code", "n"))


def violation_trend(violations: QuerySet[Violation]) -> list[tuple[str, int, int]]:
    """(period code, errors, warnings) in period order."""
    rows = (
        violations.order_by()
        .values("period__code", "period__start_date")
        .annotate(errors=Count("id", filter=Q(severity=RuleSeverity.ERROR)), warnings=Count("id", filter=Q(severity=RuleSeverity.WARNING)))
        .order_by("period__start_date")
    )
    return [(r["period__code"], r["errors"], r["warnings"]) for r in rows]


def data_entry_users(dataset: Dataset) -> QuerySet[User]:
    """The people responsible for entering a dataset: active data-entry users of its agency."""
    return User.objects.filter(agency=dataset.agency, is_active=True, groups__name="data_entry").distinct()


def ancestors_or_self_codes(orgunit: OrgUnit) -> list[str]:
    return [*orgunit.ancestor_codes, orgunit.code]


def form_statuses(dataset: Dataset, orgunits: list[OrgUnit], codes: list[str]) -> dict[tuple[int, str], FormStatus]:
    """Registered in datasets.formstate: each unit's submission status per period code, one query.

    A verified submission of an ancestor locks the unit too (as :func:`verification.services.values_locked` does), and
    says who verified when; other statuses are the unit's own.
    """
    if not orgunits or not codes:
        return {}
    lineage = {unit.pk: ancestors_or_self_codes(unit) for unit in orgunits}
    submissions = Submission.objects.filter(
        dataset=dataset, period__code__in=codes, orgunit__code__in={c for cs in lineage.values() for c in cs}
    ).values_list(
        "orgunit__code",
        "period__code",
        "status",
        "verified_at",
        "verified_by__first_name",
        "verified_by__last_name",
        "verified_by__username",
    )
    by_form = {(unit_code, code): rest for unit_code, code, *rest in submissions}
    result: dict[tuple[int, str], FormStatus] = {}
    for unit in orgunits:
        for code in codes:
            own = by_form.get((unit.code, code))
            ancestors = (by_form.get((c, code)) for c in lineage[unit.pk])
            row = next((r for r in ancestors if r and r[0] in LOCKED_STATUSES), None) or own
            if row is None:
                continue
            status, at, first, last, username = row
            result[(unit.pk, code)] = FormStatus(
                status=status,
                label=Status(status).label,
                locked=status in LOCKED_STATUSES,
                by=f"{first} {last}".strip() or (username or ""),
                at=at,
            )
    return result

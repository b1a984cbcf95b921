"""Computing, materialising and loading indicators.

:func:`indicator_values_refresh` is the one way :class:`IndicatorValue` rows are written: the
``values_changed`` receiver (through a Celery task), ``refresh_indicators`` and the demo seed
all call it. Inputs come from ``datasets.selectors.element_values`` (hierarchy sums kept by every
write), so a refresh of one org unit chain over one fiscal year is a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.aggregates import ancestor_ids
from datasets.models import AggregateValue, DataElement
from datasets.selectors import element_values_over, reads
from indicators.expressions import evaluate
from indicators.models import Indicator, IndicatorTarget, IndicatorValue, Polarity
from indicators.references import InputReference, indicator_references
from indicators.signals import indicator_values_changed
from poc import cache_versions
from poc.models import Agency, OrgUnit, Period
from poc.periods import PeriodSpec, PeriodType, fiscal_year_of, period_for_fiscal_year, periods_in_fiscal_year

CATALOGUE = Path(__file__).resolve().parent / "catalogue" / "indicators.yaml"
VERSION = "indicators"


def indicators_version() -> int:
    """Bumped on every refresh of any indicator: pages that read all indicators at once key on it."""
    return cache_versions.current(VERSION)


def _indicator_name(pk: int) -> str:
    return f"{VERSION}:{pk}"


def indicator_versions(pks: Iterable[int]) -> dict[int, int]:
    """Each indicator's own version (one cache round trip): cockpit tiles and drill-downs key on it, so a write
    redraws only the indicators fed by the elements it changed, not every cached cockpit."""
    pks = list(pks)
    found = cache_versions.current_many(_indicator_name(pk) for pk in pks)
    return {pk: found[_indicator_name(pk)] for pk in pks}


def version_names(pks: Iterable[int]) -> list[str]:
    """The counters behind :func:`indicators_version` and :func:`indicator_versions` of ``pks``: a page reading them
    all names them to ``cache_versions.current_many`` first, and the request reads them in one round trip."""
    return [VERSION, *(_indicator_name(pk) for pk in pks)]


def bump_indicators(pks: Iterable[int]) -> None:
    """Forget what is cached about these indicators (their own versions) and whatever keys on the global version."""
    cache_versions.bump_many(_indicator_name(pk) for pk in set(pks))
    cache_versions.bump(VERSION)


def compute(indicator: Indicator, inputs: dict[str, float | None]) -> tuple[float | None, float | None, float | None]:
    """(value, numerator, denominator) from input values by term (``POP``, ``POP.F``)."""
    numerator = evaluate(indicator.numerator, inputs)
    if not indicator.denominator.strip():
        return (None if numerator is None else numerator * indicator.factor), numerator, None
    denominator = evaluate(indicator.denominator, inputs)
    if numerator is None or denominator is None or denominator == 0:
        return None, numerator, denominator
    return numerator / denominator * indicator.factor, numerator, denominator


def _levels(indicator: Indicator) -> int:
    """Deepest org-unit level worth materialising: where the inputs are collected."""
    return max((e.dataset.collection_level for e in indicator.inputs.all()), default=1)


def _periods(indicator: Indicator, fiscal_year: int) -> list[PeriodSpec]:
    specs = [period_for_fiscal_year(fiscal_year)]
    if indicator.period_type != PeriodType.FISCAL_YEAR:
        specs += periods_in_fiscal_year(indicator.period_type, fiscal_year)
    return specs


@dataclass(frozen=True)
class ValuesChange:
    """What a write changed: values of these elements in these stored periods (``datasets.signals.values_changed``)."""

    element_ids: frozenset[int]
    periods: tuple[Period, ...]

    def feeds(self, indicator: Indicator, spec: PeriodSpec) -> bool:
        """Whether the indicator's value over ``spec`` reads a changed value (its other periods cannot have moved)."""
        inputs = [e for e in indicator.inputs.all() if e.pk in self.element_ids]
        return any(reads(element, spec, period) for element in inputs for period in self.periods)

    @property
    def fiscal_years(self) -> set[int]:
        """The fiscal years whose periods may read a changed value: a calendar year (population) is read by the
        periods ending in it, which lie in two fiscal years (October–December in the next one)."""
        return {fiscal_year_of(day) for period in self.periods for day in (period.spec.anchor, period.end_date)}


def _input_values(references: Iterable[InputReference], unit_ids: list[int], period: Period) -> dict[int, dict[str, float | None]]:
    """Values of the terms by unit id and term text: totals in one read, each option filter in one more."""
    by_filter: dict[tuple[int, ...] | None, dict[str, InputReference]] = defaultdict(dict)
    for reference in references:
        by_filter[reference.option_combo_ids][reference.text] = reference
    by_unit: dict[int, dict[str, float | None]] = defaultdict(dict)
    for option_combo_ids, group in by_filter.items():
        elements = list({r.element.pk: r.element for r in group.values()}.values())
        values = element_values_over(elements, unit_ids, period, option_combo_ids=option_combo_ids)
        for text, reference in group.items():
            for unit_id in unit_ids:
                by_unit[unit_id][text] = values[(reference.element.pk, unit_id)]
    return by_unit


def _references(indicator: Indicator) -> list[InputReference]:
    """The indicator's terms; one no longer readable (an option removed since it was saved) reads as no value."""
    elements = {e.code: e for e in indicator.inputs.all()}
    references, _errors = indicator_references(indicator.numerator, indicator.denominator, elements)
    return references


@transaction.atomic
def indicator_values_refresh(
    *,
    indicators: Iterable[Indicator] | None = None,
    orgunit_ids: Iterable[int] | None = None,
    fiscal_years: Iterable[int] | None = None,
    change: ValuesChange | None = None,
) -> int:
    """Recompute and store values; ``None`` arguments mean all. Returns the number of rows written.

    With ``change`` only the periods that read a changed value are recomputed (one cell of March: March and the
    fiscal year, not the other eleven months, whose values cannot have moved)."""
    indicators = list(
        (
            Indicator.objects.filter(is_active=True) if indicators is None else Indicator.objects.filter(pk__in=[i.pk for i in indicators])
        ).prefetch_related("inputs__dataset")
    )
    if not indicators:
        return 0
    all_inputs = {e.pk: e for i in indicators for e in i.inputs.all()}
    if fiscal_years is None:
        fiscal_years = set(
            AggregateValue.objects.filter(element_id__in=list(all_inputs)).values_list("period__fiscal_year", flat=True).distinct()
        )
    units = OrgUnit.objects.all() if orgunit_ids is None else OrgUnit.objects.filter(pk__in=list(orgunit_ids))
    unit_levels = dict(units.filter(level__lte=max(_levels(i) for i in indicators)).values_list("pk", "level"))
    now = timezone.now()
    rows: list[IndicatorValue] = []
    changed_periods: set[int] = set()
    references = {indicator.pk: _references(indicator) for indicator in indicators}
    wanted: dict[int, list[tuple[PeriodSpec, Indicator]]] = {}
    for fiscal_year in sorted(set(fiscal_years)):
        wanted[fiscal_year] = [
            (spec, indicator)
            for indicator in indicators
            for spec in _periods(indicator, fiscal_year)
            if change is None or change.feeds(indicator, spec)
        ]
    stored = Period.objects.for_specs(spec for pairs in wanted.values() for spec, _indicator in pairs)
    for pairs in wanted.values():
        by_period: dict[int, tuple[Period, list[Indicator]]] = {}
        for spec, indicator in pairs:
            period = stored[spec.code]
            by_period.setdefault(period.pk, (period, []))[1].append(indicator)
        for period, group in by_period.values():
            by_unit = _input_values([r for i in group for r in references[i.pk]], list(unit_levels), period)
            for indicator in group:
                depth = _levels(indicator)
                for unit_id, level in unit_levels.items():
                    if level > depth:
                        continue
                    value, numerator, denominator = compute(indicator, by_unit[unit_id])
                    rows.append(
                        IndicatorValue(
                            indicator=indicator,
                            orgunit_id=unit_id,
                            period=period,
                            value=value,
                            numerator=numerator,
                            denominator=denominator,
                            computed_at=now,
                        )
                    )
            changed_periods.add(period.pk)
    IndicatorValue.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator", "orgunit", "period"],
        update_fields=["value", "numerator", "denominator", "computed_at"],
    )
    if rows:
        changed = {"indicator_ids": {i.pk for i in indicators}, "orgunit_ids": set(unit_levels), "period_ids": changed_periods}
        transaction.on_commit(lambda: bump_indicators(changed["indicator_ids"]))
        transaction.on_commit(lambda: indicator_values_changed.send(sender=IndicatorValue, **changed))
    return len(rows)


def refresh_for_change(*, element_ids: Iterable[int], orgunit_ids: Iterable[int], period_ids: Iterable[int]) -> int:
    """Refresh indicators fed by the changed elements, for the changed units and their ancestors."""
    element_ids = frozenset(element_ids)
    indicators = list(Indicator.objects.filter(is_active=True, inputs__in=element_ids).distinct())
    if not indicators:
        return 0
    chains = ancestor_ids(OrgUnit.objects.without_shapes().filter(pk__in=list(orgunit_ids)).only("pk", "path"))
    units = {pk for chain in chains.values() for pk in chain}
    change = ValuesChange(element_ids, tuple(Period.objects.filter(pk__in=list(period_ids))))
    return indicator_values_refresh(indicators=indicators, orgunit_ids=units, fiscal_years=change.fiscal_years, change=change)


def indicator_save(*, indicator: Indicator) -> Indicator:
    """Validate and save an indicator, linking the data elements its expressions use."""
    indicator.full_clean()
    codes = indicator.input_codes()
    inputs = list(DataElement.objects.filter(code__in=codes))
    missing = sorted(codes - {e.code for e in inputs})
    if missing:
        raise ValidationError(_("Unknown data elements: %(codes)s") % {"codes": ", ".join(missing)}, code="unknown_element")
    _resolved, errors = indicator_references(indicator.numerator, indicator.denominator, {e.code: e for e in inputs})
    if errors:
        raise ValidationError("; ".join(errors), code="unknown_option")
    with transaction.atomic():
        indicator.save()
        indicator.inputs.set(inputs)
        # A changed definition or setting (approved data only) redraws this indicator's tile and pages.
        transaction.on_commit(lambda: bump_indicators([indicator.pk]))
    return indicator


# --- Catalogue --------------------------------------------------------------------------------
@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    targets: int = 0
    errors: list[str] = field(default_factory=list)


_FIELDS = (
    "name_th",
    "name_en",
    "definition",
    "source_note",
    "numerator",
    "denominator",
    "factor",
    "unit_th",
    "unit_en",
    "decimals",
    "polarity",
    "period_type",
    "perspective_th",
    "perspective_en",
    "strategy",
)


def indicators_load(*, path: Path = CATALOGUE) -> LoadResult:
    """Create or update indicators and targets from a YAML catalogue — all or nothing."""
    result = LoadResult()
    try:
        entries = (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("indicators") or []
    except (OSError, yaml.YAMLError) as exc:
        result.errors.append(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc})
        return result
    elements = {e.code: e for e in DataElement.objects.all()}
    agencies = {a.code: a for a in Agency.objects.all()}
    planned: list[tuple[Indicator, list[DataElement], list[dict]]] = []
    for number, entry in enumerate(entries, start=1):
        code = str(entry.get("code", "")).strip()
        label = _("Indicator %(n)d %(code)s") % {"n": number, "code": code}
        indicator = Indicator.objects.filter(code=code).first() or Indicator(code=code)
        for name in _FIELDS:
            if name in entry:
                setattr(indicator, name, entry[name] if entry[name] is not None else "")
        indicator.order = number
        indicator.agency = agencies.get(entry.get("agency", ""))
        try:
            indicator.full_clean(exclude=["agency"])
        except ValidationError as exc:
            result.errors.append(f"{label}: {'; '.join(exc.messages)}")
            continue
        missing = sorted(indicator.input_codes() - set(elements))
        if missing:
            result.errors.append(_("%(label)s: unknown data elements %(codes)s") % {"label": label, "codes": ", ".join(missing)})
            continue
        _resolved, option_errors = indicator_references(indicator.numerator, indicator.denominator, elements)
        if option_errors:
            result.errors.append(f"{label}: {'; '.join(option_errors)}")
            continue
        if indicator.polarity not in Polarity.values:
            result.errors.append(_("%(label)s: unknown polarity") % {"label": label})
            continue
        planned.append((indicator, [elements[c] for c in sorted(indicator.input_codes())], entry.get("targets") or []))
    if result.errors:
        return result
    with transaction.atomic():
        for indicator, inputs, targets in planned:
            if indicator.pk:
                result.updated += 1
            else:
                result.created += 1
            indicator.save()
            indicator.inputs.set(inputs)
            for target in targets:
                IndicatorTarget.objects.update_or_create(
                    indicator=indicator,
                    fiscal_year=int(target["fy"]),
                    orgunit=None,
                    defaults={
                        "target": float(target["target"]),
                        "green_at": target.get("green"),
                        "red_at": target.get("red"),
                        "tolerance": float(target.get("tolerance", 10)),
                    },
                )
                result.targets += 1
    return result

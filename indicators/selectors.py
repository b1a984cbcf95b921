"""Reading materialised indicator values and judging them against targets (no computation here)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from indicators.models import Indicator, IndicatorTarget, IndicatorValue, Light, Polarity
from poc.models import OrgUnit, Period
from poc.periods import PeriodSpec, parse_period


def _period_code(period: Period | PeriodSpec | str) -> str:
    if isinstance(period, Period):
        return period.code
    if isinstance(period, PeriodSpec):
        return period.code
    return parse_period(period).code


def indicator_values(
    indicator: Indicator, orgunit_ids: Iterable[int] | QuerySet[OrgUnit], period: Period | PeriodSpec | str
) -> dict[int, float | None]:
    """Value of ``indicator`` for each org unit over ``period`` (None when not computed or no data).

    An OrgUnit queryset is joined as a subquery rather than sent as a long list of ids.
    """
    if isinstance(orgunit_ids, QuerySet):
        units = orgunit_ids.values("pk")
        orgunit_ids = list(orgunit_ids.values_list("pk", flat=True))
    else:
        orgunit_ids = units = list(orgunit_ids)
    result: dict[int, float | None] = dict.fromkeys(orgunit_ids)
    rows = IndicatorValue.objects.filter(indicator=indicator, orgunit_id__in=units, period__code=_period_code(period))
    result.update(dict(rows.values_list("orgunit_id", "value")))
    return result


def indicator_series(indicator: Indicator, orgunit_id: int, periods: Iterable[Period | PeriodSpec | str]) -> list[float | None]:
    """Values of one org unit over ``periods`` in the given order. One query."""
    codes = [_period_code(p) for p in periods]
    rows = dict(
        IndicatorValue.objects.filter(indicator=indicator, orgunit_id=orgunit_id, period__code__in=codes).values_list(
            "period__code", "value"
        )
    )
    return [rows.get(code) for code in codes]


def thresholds(indicator: Indicator, target: IndicatorTarget | None) -> tuple[float, float] | None:
    """(green_at, red_at) for a target: explicit, or the rule 'green at target, red beyond tolerance %'."""
    if target is None or indicator.polarity == Polarity.CONTEXT:
        return None
    sign = 1 if indicator.polarity == Polarity.HIGHER_BETTER else -1
    green = target.green_at if target.green_at is not None else target.target
    red = target.red_at if target.red_at is not None else target.target - sign * abs(target.target) * target.tolerance / 100
    return green, red


def traffic_light(indicator: Indicator, value: float | None, target: IndicatorTarget | None) -> str:
    """Green when the target is reached, red beyond the red threshold, amber in between — honouring polarity."""
    cut = thresholds(indicator, target)
    if value is None or cut is None:
        return Light.GREY
    green, red = cut
    if indicator.polarity == Polarity.HIGHER_BETTER:
        return Light.GREEN if value >= green else Light.RED if value < red else Light.AMBER
    return Light.GREEN if value <= green else Light.RED if value > red else Light.AMBER


def targets_by_year(indicators: Iterable[Indicator], fiscal_years: Iterable[int]) -> dict[tuple[int, int], IndicatorTarget]:
    rows = IndicatorTarget.objects.filter(indicator__in=list(indicators), fiscal_year__in=list(fiscal_years))
    return {(t.indicator_id, t.fiscal_year): t for t in rows}


def latest_fiscal_year(orgunit_id: int) -> int | None:
    """The fiscal year to show by default: the latest one among those with the most computed values
    (a fiscal year that has just begun holds only a few monthly figures)."""
    rows = (
        IndicatorValue.objects.filter(orgunit_id=orgunit_id, value__isnull=False, period__period_type="FY")
        .values("period__fiscal_year")
        .annotate(n=Count("id"))
        .order_by("-n", "-period__fiscal_year")
        .values_list("period__fiscal_year", flat=True)
    )
    return rows.first()

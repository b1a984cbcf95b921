"""Traffic lights: targets and the green / amber / red thresholds that colour the cockpit's tiles and maps."""

from __future__ import annotations

from collections.abc import Iterable

from indicators.models import Indicator, IndicatorTarget, Light, Polarity


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
    """The province's targets (no org unit), keyed (indicator, fiscal year)."""
    rows = IndicatorTarget.objects.filter(indicator__in=list(indicators), fiscal_year__in=list(fiscal_years), orgunit__isnull=True)
    return {(t.indicator_id, t.fiscal_year): t for t in rows}


def area_targets(indicator: Indicator, orgunit_ids: Iterable[int], fiscal_year: int) -> dict[int, IndicatorTarget]:
    """Areas' own targets for one fiscal year, keyed by org unit id (areas without one are absent)."""
    rows = IndicatorTarget.objects.filter(indicator=indicator, fiscal_year=fiscal_year, orgunit_id__in=list(orgunit_ids))
    return {t.orgunit_id: t for t in rows}

"""The epidemic threshold of Thai disease surveillance: the median of the same week of the past five years plus 2 SD.

Notifiable diseases (dengue above all) are judged against their own season, not a fixed number: a
week's cases are an outbreak signal when they exceed the median of the same ISO week in the five
previous years plus two standard deviations of those five values. Fewer than three years of history
give no threshold (a median and spread of one or two values mean nothing), so the rule stays quiet.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from poc.models import Period

HISTORY_YEARS = 5
MIN_HISTORY_YEARS = 3


def epidemic_threshold(history: list[float]) -> float | None:
    """Median + 2 × sample standard deviation of the past values, or None with too little history."""
    if len(history) < MIN_HISTORY_YEARS:
        return None
    return statistics.median(history) + 2 * statistics.stdev(history)


def past_seasons(period: Period) -> list[Period]:
    """The stored same periods (same ISO week, same month…) of the past five years, newest first."""
    codes = [period.spec.same_season(years).code for years in range(1, HISTORY_YEARS + 1)]
    found = {p.code: p for p in Period.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def epidemic_thresholds(values_of: Callable[[Period], dict[int, float | None]], period: Period) -> dict[int, float | None]:
    """Each unit's threshold for ``period``; ``values_of(period)`` reads the rule's values per unit id."""
    history: dict[int, list[float]] = {}
    for past in past_seasons(period):
        for unit_id, value in values_of(past).items():
            if value is not None:
                history.setdefault(unit_id, []).append(value)
    return {unit_id: epidemic_threshold(values) for unit_id, values in history.items()}

"""Consecutive monthly periods for tests that need many cells (large saves cross the COPY thresholds)."""

from poc.models import Period
from poc.periods import parse_period


def months(first: str, count: int) -> list[Period]:
    """``count`` monthly periods from ``first`` (``"2550-01"``), created as needed."""
    spec, periods = parse_period(first), []
    for _month in range(count):
        periods.append(Period.objects.for_spec(spec))
        spec = spec.next()
    return periods

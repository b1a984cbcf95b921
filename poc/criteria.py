"""How an app contributes evidence to the self-assessment without the assessment app importing it.

The rubric (levels, codes, titles, targets) belongs to ``assessment``; each app measures the criteria about
its own data and registers the measure under the criterion's code, in its ``AppConfig.ready()``::

    from poc.criteria import Measure, measures

    @measures("5.1")
    def verified_backups(evidence) -> Measure: ...

A criterion nobody measures (its app is not installed) is reported as not met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.utils import timezone

from poc import registry
from poc.periods import fiscal_year_bounds


@dataclass
class Measure:
    """What one criterion found: the figure shown, whether the target is met, and a few examples."""

    figure: str
    met: bool
    evidence: list[str] = field(default_factory=list)


class Evidence(Protocol):
    """What a measure may ask of the assessment (``assessment.services.Evidence``)."""

    fy: int
    user: object

    def dataset_label(self, dataset) -> str: ...


Measurer = Callable[[Evidence], Measure]


def measures(code: str) -> Callable[[Measurer], Measurer]:
    def register(func: Measurer) -> Measurer:
        registry.CRITERIA.register((code, func))
        return func

    return register


def measure_for(code: str) -> Measurer | None:
    return next((func for registered, func in registry.CRITERIA if registered == code), None)


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def fiscal_year_datetimes(fy: int) -> tuple[dt.datetime, dt.datetime]:
    """The fiscal year as aware datetimes: 1 Oct 00:00 to 30 Sep 23:59:59.999999, local time."""
    start, end = fiscal_year_bounds(fy)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time.min, tz), dt.datetime.combine(end, dt.time.max, tz)

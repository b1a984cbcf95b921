"""Self-assessment measures of the indicators app (rubric in ``assessment.services``)."""

from __future__ import annotations

from indicators.models import Indicator, IndicatorValue
from poc.criteria import Evidence, Measure, measures


@measures("1.2")
def indicators_defined(evidence: Evidence) -> Measure:
    total = Indicator.objects.count()
    defined = Indicator.objects.exclude(numerator="").count()
    return Measure(f"{defined}/{total}", defined >= 33 and defined == total)


@measures("4.3")
def cockpit_indicators(evidence: Evidence) -> Measure:
    total = Indicator.objects.count()
    with_values = IndicatorValue.objects.filter(period__fiscal_year=evidence.fy, value__isnull=False).values("indicator").distinct()
    count = with_values.count()
    return Measure(f"{count}/{total}", total > 0 and count == total)

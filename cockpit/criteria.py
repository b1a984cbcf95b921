"""Self-assessment measures of the cockpit app (rubric in ``assessment.services``)."""

from __future__ import annotations

from poc.criteria import Evidence, Measure, measures


@measures("5.2")
def warning_rules(evidence: Evidence) -> Measure:
    from cockpit.models import WarningRule

    active = WarningRule.objects.filter(is_active=True)
    return Measure(str(active.count()), active.exists(), [str(rule) for rule in active[:10]])

"""Self-assessment measures of the verification app (rubric in ``assessment.services``)."""

from __future__ import annotations

from django.db.models import Q

from poc.criteria import Evidence, Measure, measures, pct


@measures("3.1")
def verification_coverage(evidence: Evidence) -> Measure:
    """A dataset is under verification when it has validation rules, or every numeric element has a range check."""
    from datasets.models import NUMERIC_TYPES, Dataset
    from verification.models import ValidationRule

    active = Dataset.objects.filter(is_active=True)
    unchecked = active.filter(
        elements__value_type__in=list(NUMERIC_TYPES), elements__min_value__isnull=True, elements__max_value__isnull=True
    )
    verified = Q(pk__in=ValidationRule.objects.values("dataset")) | ~Q(pk__in=unchecked.values("pk"))
    covered = active.filter(verified).count()
    rate = pct(covered, active.count())
    gaps = [evidence.dataset_label(d) for d in active.exclude(verified).only("pk", "code")[:10]]
    return Measure(f"{covered}/{active.count()} ({rate}%)", rate >= 90, gaps)

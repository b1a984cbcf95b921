"""Self-assessment measures of the documents app (rubric in ``assessment.services``)."""

from __future__ import annotations

from poc.criteria import Evidence, Measure, measures
from poc.periods import fiscal_year_bounds


@measures("4.2")
def document_library(evidence: Evidence) -> Measure:
    from documents.models import Document

    count = Document.objects.filter(date__range=fiscal_year_bounds(evidence.fy)).count()
    return Measure(str(count), count > 0)

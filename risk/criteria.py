"""Self-assessment measures of the risk survey (rubric in ``assessment.services``)."""

from __future__ import annotations

from poc.criteria import Evidence, Measure, fiscal_year_datetimes, measures, pct


@measures("5.3")
def risk_assessment_done(evidence: Evidence) -> Measure:
    """The fiscal year's best campaign: the share of invited agencies that submitted by 30 September."""
    from risk.models import ResponseStatus, RiskCampaign

    _start, end = fiscal_year_datetimes(evidence.fy)
    best = (0.0, None)
    for campaign in RiskCampaign.objects.filter(fiscal_year=evidence.fy):
        invited = campaign.agencies.count()
        answered = campaign.responses.filter(status=ResponseStatus.SUBMITTED, submitted_at__lte=end).count()
        best = max(best, (pct(answered, invited), campaign.title), key=lambda pair: pair[0])
    return Measure(f"{best[0]}%", best[0] >= 80, [best[1]] if best[1] else [])

"""The province's self-assessment: the five rubric levels scored from the system's own evidence.

The rubric (``RUBRIC``) lists each criterion's level, title and target; the app owning the data measures
it — a small function registered for the criterion's code (``poc.criteria.measures``, in the app's
``ready()``) that reads one figure and says whether the target is met. A level is reached when its
criteria and those of every level below are met (the rubric is cumulative). The report follows the seed's structure: indicator,
criteria, result per step, evidence, weighted score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from datasets.selectors import Tally
from indicators.reporting import reporting_year
from poc.criteria import Measure, measure_for, measures, pct
from poc.periods import fiscal_year_bounds

LEVEL_TITLES = {
    1: _("Data: topic datasets and indicators with history"),
    2: _("Information for executives and staff development"),
    3: _("Reliable, timely data"),
    4: _("Decision support: GIS, documents, cockpit"),
    5: _("Risk management: backups, warnings, risk assessment"),
}
LEVEL_WEIGHT = 20.0  # five equal levels → 100 points


@dataclass
class Criterion:
    level: int
    code: str
    title: str | Promise
    target: str | Promise
    figure: str
    met: bool
    evidence: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    fiscal_year: int
    criteria: list[Criterion]

    def level_criteria(self, level: int) -> list[Criterion]:
        return [c for c in self.criteria if c.level == level]

    def level_met(self, level: int) -> bool:
        items = self.level_criteria(level)
        return bool(items) and all(c.met for c in items)

    @property
    def reached(self) -> int:
        """Highest level n such that levels 1..n are all met."""
        level = 0
        while level < 5 and self.level_met(level + 1):
            level += 1
        return level

    @property
    def score(self) -> float:
        """Weighted score out of 100: each level weighs 20, shared by its criteria."""
        total = 0.0
        for level in LEVEL_TITLES:
            items = self.level_criteria(level)
            if items:
                total += LEVEL_WEIGHT * sum(c.met for c in items) / len(items)
        return round(total, 1)

    def levels(self) -> list[dict]:
        return [{"level": n, "title": LEVEL_TITLES[n], "met": self.level_met(n), "criteria": self.level_criteria(n)} for n in LEVEL_TITLES]


class Evidence:
    """What the criteria read, computed once per assessment."""

    def __init__(self, fiscal_year: int, user=None) -> None:
        self.fy = fiscal_year
        self.user = user  # whose report: evidence names only the datasets they may read (None: the operator, all)

    def dataset_label(self, dataset) -> str:
        """A dataset's code in the evidence, or a mention without it when the reader may not read that dataset."""
        from datasets.models import Dataset

        if self.user is None or Dataset.objects.restrict(self.user, "view").filter(pk=dataset.pk).exists():
            return dataset.code
        return str(_("(restricted dataset)"))

    @cached_property
    def completeness(self) -> Tally:
        from datasets.models import Dataset
        from datasets.selectors import completeness
        from poc.models import OrgUnit, OrgUnitLevel

        total = Tally()
        datasets = list(Dataset.objects.filter(is_active=True).prefetch_related("elements").with_assigned_units())
        for province in OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE):
            total.add(completeness(datasets=datasets, fiscal_years=[self.fy], within=province).total)
        return total


@dataclass(frozen=True)
class Rule:
    """One line of the rubric; the app named in ``app`` measures it (``poc.criteria.measures``)."""

    level: int
    code: str
    title: str | Promise
    target: str | Promise
    app: str


RUBRIC = [
    Rule(1, "1.1", _("Topic groups with data for the fiscal year"), _("all topic groups (at least 45)"), "datasets"),
    Rule(1, "1.2", _("Integrated-management indicators defined"), _("at least 33, each with a definition and formula"), "indicators"),
    Rule(1, "1.3", _("Datasets with the current fiscal year and the 3 before"), _("100% of active datasets"), "datasets"),
    Rule(1, "1.4", _("Completeness of the fiscal year's data"), _("at least 95% of expected cells"), "datasets"),
    Rule(2, "2.1", _("Executives use the cockpit and their dashboards"), _("executive visits recorded in the fiscal year"), "operations"),
    Rule(2, "2.2", _("IT staff development plan for the fiscal year"), _("at least one planned course"), "operations"),
    Rule(3, "3.1", _("Datasets under verification rules or range checks"), _("at least 90% of active datasets"), "verification"),
    Rule(3, "3.2", _("Values entered by their due date"), _("at least 80%"), "datasets"),
    Rule(3, "3.3", _("Training executed"), _("at least 80% of registered participants completed"), "operations"),
    Rule(4, "4.1", _("GIS: boundaries and thematic layers"), _("boundaries for every district and at least one thematic layer"), "gis"),
    Rule(4, "4.2", _("Document library in use"), _("documents published in the fiscal year"), "documents"),
    Rule(4, "4.3", _("Management cockpit fed with indicator values"), _("every indicator has a value for the fiscal year"), "indicators"),
    Rule(5, "5.1", _("Verified backup"), _("a backup verified by restore within the last 2 days"), "operations"),
    Rule(5, "5.2", _("Warning system"), _("at least one active warning rule"), "cockpit"),
    Rule(
        5,
        "5.3",
        _("IT risk assessment reported by 30 September"),
        _("a campaign of the fiscal year with at least 80% of agencies answering by 30 Sep"),
        "risk",
    ),
]


def _criterion(rule: Rule, evidence: Evidence) -> Criterion:
    measure = measure_for(rule.code)
    if measure is None:  # the app that measures it is not installed: the criterion cannot be met
        return Criterion(rule.level, rule.code, rule.title, rule.target, _("module %(app)s not installed") % {"app": rule.app}, False)
    found = measure(evidence)
    return Criterion(rule.level, rule.code, rule.title, rule.target, found.figure, found.met, found.evidence)


# --- Measured from the datasets the assessment is built on ----------------------------------------
@measures("1.1")
def topics_with_current_data(evidence: Evidence) -> Measure:
    from datasets.models import Topic

    start, end = fiscal_year_bounds(evidence.fy)
    topics = Topic.objects.annotate(
        filled=Count("datasets__elements__values", filter=Q(datasets__elements__values__period__start_date__range=(start, end)))
    )
    total = topics.count()
    covered = [t for t in topics if t.filled]
    gaps = [f"{t.code} {t.name}" for t in topics if not t.filled][:10]
    return Measure(f"{len(covered)}/{total}", total >= 45 and len(covered) == total, gaps)


@measures("1.3")
def history_of_four_years(evidence: Evidence) -> Measure:
    from datasets.models import Dataset

    fy = evidence.fy
    years = [fy - 3, fy - 2, fy - 1, fy]
    datasets = list(Dataset.objects.filter(is_active=True))
    with_history = []
    for dataset in datasets:
        present = set(
            dataset.elements.filter(values__period__fiscal_year__in=years).values_list("values__period__fiscal_year", flat=True).distinct()
        )
        if present >= set(years):
            with_history.append(dataset)
    gaps = [evidence.dataset_label(d) for d in datasets if d not in with_history]
    figure = f"{len(with_history)}/{len(datasets)} ({pct(len(with_history), len(datasets))}%)"
    return Measure(figure, bool(datasets) and len(with_history) == len(datasets), gaps[:10])


@measures("1.4")
def completeness(evidence: Evidence) -> Measure:
    tally = evidence.completeness
    rate = round(tally.rate or 0.0, 1)
    figure = _("%(rate)s%% (%(reported)d of %(expected)d cells; %(na)d not available)") % {
        "rate": rate,
        "reported": tally.reported,
        "expected": tally.expected,
        "na": tally.not_available,
    }
    return Measure(figure, rate >= 95)


@measures("3.2")
def timeliness(evidence: Evidence) -> Measure:
    tally = evidence.completeness
    rate = round(tally.on_time_rate or 0.0, 1)
    return Measure(f"{rate}% ({tally.on_time}/{tally.expected})", rate >= 80)


def default_fiscal_year() -> int:
    """The year every page opens on (:func:`indicators.reporting.reporting_year`): the latest whose data are
    complete enough to judge — a year that has ended, since reports not yet due count as missing."""
    return reporting_year().fiscal_year


def assess(fiscal_year: int | None = None, *, user=None) -> Assessment:
    evidence = Evidence(fiscal_year or default_fiscal_year(), user)
    return Assessment(evidence.fy, [_criterion(rule, evidence) for rule in RUBRIC])

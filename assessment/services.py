"""The province's self-assessment: the five rubric levels scored from the system's own evidence.

Each criterion is a small function registered for a level; it measures one figure in the database
and says whether the criterion is met. A level is reached when its criteria and those of every
level below are met (the rubric is cumulative). The report follows the seed's structure: indicator,
criteria, result per step, evidence, weighted score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from datasets.selectors import Tally
from indicators.reporting import reporting_year
from poc import registry
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


CRITERIA = registry.CRITERIA


def criterion(level: int) -> Callable:
    def register(func: Callable[[Evidence], Criterion]) -> Callable[[Evidence], Criterion]:
        CRITERIA.register((level, func))
        return func

    return register


def _model(label: str) -> type | None:
    """A model of another app, or None when that app is not installed (the criterion is then not met)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _fy_datetimes(fy: int) -> tuple[dt.datetime, dt.datetime]:
    start, end = fiscal_year_bounds(fy)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time.min, tz), dt.datetime.combine(end, dt.time.max, tz)


def _missing(level: int, code: str, title: str | Promise, target: str | Promise, app: str) -> Criterion:
    return Criterion(level, code, title, target, _("module %(app)s not installed") % {"app": app}, False)


# --- Level 1 ---------------------------------------------------------------------------------
@criterion(1)
def topics_with_current_data(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    from datasets.models import Topic

    start, end = fiscal_year_bounds(fy)
    topics = Topic.objects.annotate(
        filled=Count("datasets__elements__values", filter=Q(datasets__elements__values__period__start_date__range=(start, end)))
    )
    total = topics.count()
    covered = [t for t in topics if t.filled]
    return Criterion(
        1, "1.1", _("Topic groups with data for the fiscal year"), _("all topic groups (at least 45)"),
        f"{len(covered)}/{total}", total >= 45 and len(covered) == total,
        [f"{t.code} {t.name}" for t in topics if not t.filled][:10],
    )  # fmt: skip


@criterion(1)
def indicators_defined(evidence: Evidence) -> Criterion:
    title, target = _("Integrated-management indicators defined"), _("at least 33, each with a definition and formula")
    indicator = _model("indicators.Indicator")
    if indicator is None:
        return _missing(1, "1.2", title, target, "indicators")
    total = indicator.objects.count()
    defined = indicator.objects.exclude(numerator="").count()
    return Criterion(1, "1.2", title, target, f"{defined}/{total}", defined >= 33 and defined == total)


@criterion(1)
def history_of_four_years(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    from datasets.models import Dataset

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
    return Criterion(
        1, "1.3", _("Datasets with the current fiscal year and the 3 before"), _("100% of active datasets"),
        f"{len(with_history)}/{len(datasets)} ({_pct(len(with_history), len(datasets))}%)",
        bool(datasets) and len(with_history) == len(datasets), gaps[:10],
    )  # fmt: skip


@criterion(1)
def completeness(evidence: Evidence) -> Criterion:
    tally = evidence.completeness
    rate = round(tally.rate or 0.0, 1)
    figure = _("%(rate)s%% (%(reported)d of %(expected)d cells; %(na)d not available)") % {
        "rate": rate, "reported": tally.reported, "expected": tally.expected, "na": tally.not_available,
    }  # fmt: skip
    return Criterion(1, "1.4", _("Completeness of the fiscal year's data"), _("at least 95% of expected cells"), figure, rate >= 95)


# --- Level 2 ---------------------------------------------------------------------------------
@criterion(2)
def executive_views(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    title, target = _("Executives use the cockpit and their dashboards"), _("executive visits recorded in the fiscal year")
    page_view = _model("risk.PageView")
    if page_view is None:
        return _missing(2, "2.1", title, target, "risk")
    from risk.usage import flush_page_views

    flush_page_views()
    start, end = _fy_datetimes(fy)
    visits = page_view.objects.filter(at__range=(start, end), user__groups__name="executive", view_name__startswith="cockpit")
    users = visits.values("user").distinct().count()
    return Criterion(2, "2.1", title, target, _("%(v)d visits by %(u)d executives") % {"v": visits.count(), "u": users}, visits.exists())


@criterion(2)
def training_plan(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    title, target = _("IT staff development plan for the fiscal year"), _("at least one planned course")
    course = _model("risk.Course")
    if course is None:
        return _missing(2, "2.2", title, target, "risk")
    courses = course.objects.filter(fiscal_year=fy)
    return Criterion(2, "2.2", title, target, str(courses.count()), courses.exists(), [c.title for c in courses[:10]])


# --- Level 3 ---------------------------------------------------------------------------------
@criterion(3)
def verification_coverage(evidence: Evidence) -> Criterion:
    """A dataset is under verification when it has validation rules, or every numeric element has a range check."""
    from datasets.models import NUMERIC_TYPES, Dataset

    title, target = _("Datasets under verification rules or range checks"), _("at least 90% of active datasets")
    rule = _model("verification.ValidationRule")
    if rule is None:
        return _missing(3, "3.1", title, target, "verification")
    active = Dataset.objects.filter(is_active=True)
    unchecked = active.filter(
        elements__value_type__in=list(NUMERIC_TYPES), elements__min_value__isnull=True, elements__max_value__isnull=True
    )
    verified = Q(pk__in=rule.objects.values("dataset")) | ~Q(pk__in=unchecked.values("pk"))
    covered = active.filter(verified).count()
    rate = _pct(covered, active.count())
    gaps = [evidence.dataset_label(d) for d in active.exclude(verified).only("pk", "code")[:10]]
    return Criterion(3, "3.1", title, target, f"{covered}/{active.count()} ({rate}%)", rate >= 90, gaps)


@criterion(3)
def timeliness(evidence: Evidence) -> Criterion:
    tally = evidence.completeness
    rate = round(tally.on_time_rate or 0.0, 1)
    return Criterion(
        3, "3.2", _("Values entered by their due date"), _("at least 80%"), f"{rate}% ({tally.on_time}/{tally.expected})", rate >= 80
    )


@criterion(3)
def training_executed(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    title, target = _("Training executed"), _("at least 80% of registered participants completed")
    participant = _model("risk.Participant")
    if participant is None:
        return _missing(3, "3.3", title, target, "risk")
    registered = participant.objects.filter(course__fiscal_year=fy)
    done = registered.filter(status="completed").count()
    rate = _pct(done, registered.count())
    return Criterion(3, "3.3", title, target, f"{rate}% ({done}/{registered.count()})", registered.exists() and rate >= 80)


# --- Level 4 ---------------------------------------------------------------------------------
@criterion(4)
def gis_layers(evidence: Evidence) -> Criterion:
    from poc.models import OrgUnit

    title, target = _("GIS: boundaries and thematic layers"), _("boundaries for every district and at least one thematic layer")
    layer = _model("maps.ThematicLayer")  # the gis app is labelled "maps" (django.contrib.gis owns "gis")
    if layer is None:
        return _missing(4, "4.1", title, target, "gis")
    without = OrgUnit.objects.filter(level=2, geom__isnull=True).count()
    layers = layer.objects.count()
    return Criterion(
        4,
        "4.1",
        title,
        target,
        _("%(l)d layers; %(d)d districts without boundary") % {"l": layers, "d": without},
        layers > 0 and without == 0,
    )


@criterion(4)
def document_library(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    title, target = _("Document library in use"), _("documents published in the fiscal year")
    document = _model("documents.Document")
    if document is None:
        return _missing(4, "4.2", title, target, "documents")
    start, end = fiscal_year_bounds(fy)
    count = document.objects.filter(date__range=(start, end)).count()
    return Criterion(4, "4.2", title, target, str(count), count > 0)


@criterion(4)
def cockpit_indicators(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    title, target = _("Management cockpit fed with indicator values"), _("every indicator has a value for the fiscal year")
    indicator = _model("indicators.Indicator")
    value = _model("indicators.IndicatorValue")
    if indicator is None or value is None:
        return _missing(4, "4.3", title, target, "indicators")
    total = indicator.objects.count()
    with_values = value.objects.filter(period__fiscal_year=fy, value__isnull=False).values("indicator").distinct().count()
    return Criterion(4, "4.3", title, target, f"{with_values}/{total}", total > 0 and with_values == total)


# --- Level 5 ---------------------------------------------------------------------------------
@criterion(5)
def verified_backups(evidence: Evidence) -> Criterion:
    title, target = _("Verified backup"), _("a backup verified by restore within the last 2 days")
    backup = _model("risk.BackupRecord")
    if backup is None:
        return _missing(5, "5.1", title, target, "risk")
    last = backup.objects.filter(verification_status="ok").order_by("-created_at").first()
    recent = last is not None and last.created_at >= timezone.now() - dt.timedelta(days=2)
    figure = timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M") if last else _("none")
    return Criterion(5, "5.1", title, target, figure, recent)


@criterion(5)
def warning_rules(evidence: Evidence) -> Criterion:
    title, target = _("Warning system"), _("at least one active warning rule")
    rule = _model("cockpit.WarningRule")
    if rule is None:
        return _missing(5, "5.2", title, target, "cockpit")
    active = rule.objects.filter(is_active=True) if any(f.name == "is_active" for f in rule._meta.fields) else rule.objects.all()
    return Criterion(5, "5.2", title, target, str(active.count()), active.exists(), [str(r) for r in active[:10]])


@criterion(5)
def risk_assessment_done(evidence: Evidence) -> Criterion:
    fy = evidence.fy
    title, target = (
        _("IT risk assessment reported by 30 September"),
        _("a campaign of the fiscal year with at least 80% of agencies answering by 30 Sep"),
    )
    campaign = _model("risk.RiskCampaign")
    if campaign is None:
        return _missing(5, "5.3", title, target, "risk")
    _start, end = _fy_datetimes(fy)
    best = (0.0, None)
    for item in campaign.objects.filter(fiscal_year=fy):
        invited = item.agencies.count()
        answered = item.responses.filter(status="submitted", submitted_at__lte=end).count()
        best = max(best, (_pct(answered, invited), item.title), key=lambda pair: pair[0])
    return Criterion(5, "5.3", title, target, f"{best[0]}%", best[0] >= 80, [best[1]] if best[1] else [])


def default_fiscal_year() -> int:
    """The year every page opens on (:func:`indicators.reporting.reporting_year`): the latest whose data are
    complete enough to judge — a year that has ended, since reports not yet due count as missing."""
    return reporting_year().fiscal_year


def assess(fiscal_year: int | None = None, *, user=None) -> Assessment:
    evidence = Evidence(fiscal_year or default_fiscal_year(), user)
    return Assessment(evidence.fy, [func(evidence) for _level, func in sorted(CRITERIA, key=lambda pair: pair[0])])

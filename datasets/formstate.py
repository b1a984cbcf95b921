"""Where each form (dataset × org unit × period) stands: due date, and review status contributed by other apps.

The verification app knows submissions and who verified them; datasets shows that in period pickers, the entry
grid (verified cells read-only, "verified by … on …") and the clerk's home page without depending on it. A provider
is ``f(dataset, orgunits, period_codes) -> {(orgunit_id, period_code): FormStatus}``; register it in the
providing app's ``AppConfig.ready()`` with :func:`register`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.models import Dataset
from datasets.selectors import due_date
from poc import registry
from poc.models import OrgUnit
from poc.periods import PeriodSpec, format_date_be, recent_periods


@dataclass(frozen=True)
class FormStatus:
    status: str  # e.g. "submitted", "verified" (the provider's own codes)
    label: str  # the status as people read it
    locked: bool = False  # values may not change (verified)
    by: str = ""  # who verified
    at: dt.datetime | None = None  # when

    @property
    def verified_text(self) -> str:
        when = format_date_be(timezone.localtime(self.at) if self.at else None)
        return _("verified by %(who)s on %(when)s") % {"who": self.by or "–", "when": when}


StatusProvider = Callable[[Dataset, list[OrgUnit], list[str]], dict[tuple[int, str], FormStatus]]
PROVIDERS = registry.FORM_STATUSES
register = PROVIDERS.register


def form_statuses(dataset: Dataset, orgunits: Iterable[OrgUnit], codes: Iterable[str]) -> dict[tuple[int, str], FormStatus]:
    orgunits, codes = list(orgunits), list(codes)
    statuses: dict[tuple[int, str], FormStatus] = {}
    for provider in PROVIDERS:
        statuses.update(provider(dataset, orgunits, codes))
    return statuses


@dataclass(frozen=True)
class FormSituation:
    """One period of a dataset for one org unit, as a picker or a to-do list shows it."""

    period: PeriodSpec
    due: dt.date
    state: str  # "open", "overdue", or the provider's status ("submitted", "verified", ...)
    state_label: str

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    def note(self) -> str:
        return _("due %(date)s · %(state)s") % {"date": format_date_be(self.due), "state": self.state_label}


def situations(dataset: Dataset, orgunit: OrgUnit, periods: list[PeriodSpec], today: dt.date) -> list[FormSituation]:
    """Due date and state of each of ``periods`` for ``orgunit``: open, overdue (due date passed, not yet submitted), or
    the review status (submitted, verified, ...)."""
    statuses = form_statuses(dataset, [orgunit], [p.code for p in periods])
    result = []
    for period in periods:
        due = due_date(dataset, period)
        status = statuses.get((orgunit.pk, period.code))
        if status is not None and status.status != "draft":
            state, label = status.status, status.label
        elif today > due:
            state, label = "overdue", _("overdue")
        else:
            state, label = "open", _("open")
        result.append(FormSituation(period, due, state, label))
    return result


OWED_STATES = ("open", "overdue", "returned")
OWED_WINDOW_DAYS = 366


@dataclass(frozen=True)
class Obligation:
    """A form a clerk still owes: not yet submitted (or returned for correction), with its due date."""

    dataset: Dataset
    orgunit: OrgUnit
    situation: FormSituation
    today: dt.date

    @property
    def days_left(self) -> int:
        """Days until the due date (negative: days overdue)."""
        return (self.situation.due - self.today).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def obligations(datasets: Iterable[Dataset], orgunit: OrgUnit, today: dt.date) -> list[Obligation]:
    """What ``orgunit`` owes of ``datasets``: periods that ended within the last year and are not submitted yet,
    the most overdue first."""
    owed = []
    for dataset in datasets:
        since = today - dt.timedelta(days=OWED_WINDOW_DAYS)
        periods = [p for p in recent_periods(dataset.period_type, today, 12) if since <= p.end < today]
        for situation in situations(dataset, orgunit, periods, today):
            if situation.state in OWED_STATES:
                owed.append(Obligation(dataset, orgunit, situation, today))
    return sorted(owed, key=lambda o: (o.situation.due, o.dataset.code))

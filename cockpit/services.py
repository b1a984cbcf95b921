"""Warning evaluation, alert life cycle, personal dashboards and information requests.

Alerts are opened once per (rule, org unit, period) — a partial unique constraint guards it —
closed automatically when the condition clears, and acknowledged only by their recipients or the
IT group. Evaluation runs on ``values_changed`` / ``indicator_values_changed`` (Celery tasks) and
on the beat job / ``evaluate_warnings`` command; all call :func:`rule_evaluate`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cockpit.epidemic import epidemic_thresholds
from cockpit.models import Alert, AlertEvent, AlertStatus, DashboardPin, InformationRequest, RequestStatus, RuleKind, WarningRule
from datasets.models import AggregateValue
from datasets.selectors import element_values
from indicators.models import IndicatorValue
from indicators.selectors import indicator_values
from poc import cache_versions, permissions
from poc.models import OrgUnit, Period, User

ALERTS_VERSION = "alerts"


def alerts_version() -> int:
    return cache_versions.current(ALERTS_VERSION)


def _bump_alerts() -> None:
    cache_versions.bump(ALERTS_VERSION)


def rule_recipients(rule: WarningRule) -> list[User]:
    """Who gets the rule's alerts by e-mail: its recipients who may read its subject (an alert's value reveals it)."""
    users = User.objects.filter(Q(pk__in=rule.recipients.all()) | Q(groups__name__in=rule.recipient_roles or []), is_active=True).distinct()
    return [user for user in users if permissions.can(user, "view", rule)]


def _values(rule: WarningRule, units: QuerySet[OrgUnit] | list[int], period: Period) -> dict[int, float | None]:
    """Values at the rule's level; a queryset of units goes to the database as a subquery (~75,000 villages)."""
    if rule.indicator_id:
        return indicator_values(rule.indicator, units, period)
    return {unit_id: value for (_element_id, unit_id), value in element_values([rule.element], units, period).items()}


def _previous(period: Period) -> Period | None:
    return Period.objects.filter(code=period.spec.previous().code).first()


def _fires(rule: WarningRule, value: float | None, previous: float | None, period: Period, today: dt.date) -> bool:
    """``previous``: the value one period before, or for an epidemic rule the unit's threshold."""
    if rule.kind == RuleKind.MISSING:
        due = period.end_date + dt.timedelta(days=rule.element.dataset.due_days + rule.missing_days)
        return value is None and today > due
    if value is None:
        return False
    if rule.kind == RuleKind.ABOVE:
        return value > rule.high
    if rule.kind == RuleKind.BELOW:
        return value < rule.low
    if rule.kind == RuleKind.BETWEEN:
        return rule.low <= value <= rule.high
    if rule.kind == RuleKind.EPIDEMIC:
        return previous is not None and value > previous
    if previous in (None, 0):
        return False
    change = (value - previous) / abs(previous) * 100
    return change >= rule.change_pct if rule.change_pct >= 0 else change <= rule.change_pct


@dataclass
class EvaluationResult:
    opened: int = 0
    closed: int = 0


# Above this many changed units the whole level is read at once (a subquery beats a huge list of ids).
SCOPED_UNITS_MAX = 10_000


def changed_scope(orgunit_ids: Iterable[int] | None) -> set[int] | None:
    """The changed units and all their ancestors (whose aggregates the change moved); None: every unit."""
    if orgunit_ids is None:
        return None
    orgunit_ids = set(orgunit_ids)
    if len(orgunit_ids) > SCOPED_UNITS_MAX:
        return None
    from datasets.aggregates import ancestor_ids

    units = OrgUnit.objects.without_shapes().filter(pk__in=orgunit_ids).only("pk", "path")
    return {pk for chain in ancestor_ids(units).values() for pk in chain} | orgunit_ids


def rule_evaluate(
    *, rule: WarningRule, periods: Iterable[Period], today: dt.date | None = None, scope: set[int] | None = None
) -> EvaluationResult:
    """Open alerts where the rule fires, close open ones where it no longer does.

    Batched: one read of the values per period, then bulk inserts and one update, so a rule over
    ~75,000 villages costs a handful of queries rather than one per alert. ``scope`` (from
    :func:`changed_scope`) limits the work to the units a write changed: one cell written at national
    scale re-reads a village and its ancestors, not every village.
    """
    today = today or timezone.localdate()
    result = EvaluationResult()
    units = OrgUnit.objects.filter(level=rule.level)
    if scope is not None:  # a handful of ids, read once for every period rather than once per period as a subquery
        units = list(units.filter(pk__in=scope).values_list("pk", flat=True))
    new_alerts: list[Alert] = []
    with transaction.atomic():
        for period in periods:
            values = _values(rule, units, period)  # keyed by every unit at the level, None where no data
            unit_ids = list(values)
            previous: dict[int, float | None] = {}
            if rule.kind == RuleKind.CHANGE and (before := _previous(period)) is not None:
                previous = _values(rule, units, before)
            elif rule.kind == RuleKind.EPIDEMIC:
                previous = epidemic_thresholds(lambda past: _values(rule, units, past), period)
            open_alerts = dict(
                Alert.objects.select_for_update()
                .filter(rule=rule, period=period, status=AlertStatus.OPEN, **({} if scope is None else {"orgunit_id__in": scope}))
                .values_list("orgunit_id", "pk")
            )
            opening: list[Alert] = []
            closing: list[tuple[int, float | None]] = []
            for unit_id in unit_ids:
                value = values.get(unit_id)
                firing = _fires(rule, value, previous.get(unit_id), period, today)
                current = open_alerts.get(unit_id)
                if firing and current is None:
                    opening.append(Alert(rule=rule, orgunit_id=unit_id, period=period, value=value, severity=rule.severity))
                elif not firing and current is not None:
                    closing.append((current, value))
            if opening:
                # PostgreSQL and SQLite both return the new primary keys from a bulk insert.
                opening = Alert.objects.bulk_create(opening, batch_size=2000)
                AlertEvent.objects.bulk_create(
                    [AlertEvent(alert=alert, action="opened", value=alert.value) for alert in opening], batch_size=2000
                )
                new_alerts.extend(opening)
                result.opened += len(opening)
            if closing:
                Alert.objects.filter(pk__in=[pk for pk, _value in closing]).update(status=AlertStatus.CLOSED, closed_at=timezone.now())
                AlertEvent.objects.bulk_create(
                    [AlertEvent(alert_id=pk, action="closed", value=value) for pk, value in closing], batch_size=2000
                )
                result.closed += len(closing)
        if result.opened or result.closed:
            transaction.on_commit(_bump_alerts)
        if new_alerts:
            transaction.on_commit(lambda: _mail(rule, new_alerts))
    return result


def _mail(rule: WarningRule, alerts: list[Alert]) -> None:
    addresses = [u.email for u in rule_recipients(rule) if u.email]
    if not addresses:
        return
    units = dict(OrgUnit.objects.filter(pk__in=[a.orgunit_id for a in alerts]).values_list("pk", "name_th"))
    lines = [f"- {units[a.orgunit_id]} · {a.period.label}: {'' if a.value is None else f'{a.value:,.2f}'}" for a in alerts]
    subject = _("[POC alert] %(rule)s (%(n)d)") % {"rule": rule.name, "n": len(alerts)}
    body = "\n".join([rule.name, rule.description, "", *lines])
    send_mass_mail([(subject, body, None, [address]) for address in addresses], fail_silently=True)


def _latest_period(rule: WarningRule, today: dt.date) -> Period | None:
    if rule.indicator_id:
        rows = IndicatorValue.objects.filter(indicator=rule.indicator, value__isnull=False, period__period_type="FY")
        return Period.objects.filter(pk__in=rows.values("period_id")).order_by("-start_date").first()
    dataset = rule.element.dataset
    if rule.kind == RuleKind.MISSING:
        # The latest period whose grace time has run out.
        last_end = today - dt.timedelta(days=dataset.due_days + rule.missing_days + 1)
        return Period.objects.filter(period_type=dataset.period_type, end_date__lte=last_end).order_by("-start_date").first()
    rows = AggregateValue.objects.filter(element=rule.element, count__gt=0)
    return Period.objects.filter(pk__in=rows.values("period_id")).order_by("-start_date").first()


def warnings_evaluate(*, rules: Iterable[WarningRule] | None = None, today: dt.date | None = None) -> EvaluationResult:
    """The periodic check (beat job and ``evaluate_warnings``): every active rule on its latest period."""
    today = today or timezone.localdate()
    total = EvaluationResult()
    rules = WarningRule.objects.filter(is_active=True).select_related("indicator", "element__dataset") if rules is None else rules
    latest: dict[tuple, Period | None] = {}  # rules on the same measure share its latest period
    for rule in rules:
        key = (rule.indicator_id, rule.element_id, rule.kind == RuleKind.MISSING and rule.missing_days)
        if key not in latest:
            latest[key] = _latest_period(rule, today)
        period = latest[key]
        if period is not None:
            result = rule_evaluate(rule=rule, periods=[period], today=today)
            total.opened += result.opened
            total.closed += result.closed
    return total


def _with_next(periods: Iterable[Period]) -> list[Period]:
    """Changed periods plus the following ones (their rate of change depends on the changed value)."""
    periods = list(periods)
    nexts = Period.objects.filter(code__in=[p.spec.next().code for p in periods])
    return sorted({*periods, *nexts}, key=lambda p: p.start_date)


def warnings_evaluate_for_elements(
    *, element_ids: Iterable[int], period_ids: Iterable[int], orgunit_ids: Iterable[int] | None = None
) -> EvaluationResult:
    """Re-evaluate the rules on changed elements, for the changed units and their ancestors (all units when not given)."""
    total = EvaluationResult()
    rules = list(WarningRule.objects.filter(is_active=True, element_id__in=list(element_ids)).select_related("element__dataset"))
    if not rules:  # most writes: one query
        return total
    periods = list(Period.objects.filter(pk__in=list(period_ids)))
    scope = changed_scope(orgunit_ids)
    by_type: dict[str, list[Period]] = {}  # rules on datasets of one period type share the periods to evaluate
    for rule in rules:
        kind = rule.element.dataset.period_type
        if kind not in by_type:
            by_type[kind] = _with_next(p for p in periods if p.period_type == kind)
        result = rule_evaluate(rule=rule, periods=by_type[kind], scope=scope)
        total.opened += result.opened
        total.closed += result.closed
    return total


def warnings_evaluate_for_indicators(
    *, indicator_ids: Iterable[int], period_ids: Iterable[int], orgunit_ids: Iterable[int] | None = None
) -> EvaluationResult:
    """Re-evaluate the rules on changed indicators, for the changed units and their ancestors (all units when not given)."""
    total = EvaluationResult()
    rules = list(WarningRule.objects.filter(is_active=True, indicator_id__in=list(indicator_ids)).select_related("indicator"))
    if not rules:
        return total
    periods = _with_next(Period.objects.filter(pk__in=list(period_ids)))
    scope = changed_scope(orgunit_ids)
    for rule in rules:
        result = rule_evaluate(rule=rule, periods=periods, scope=scope)
        total.opened += result.opened
        total.closed += result.closed
    return total


# --- Who sees and acknowledges alerts ---------------------------------------------------------
def can_acknowledge(user: User, alert: Alert) -> bool:
    return permissions.can(user, "acknowledge", alert)


def alert_acknowledge(*, alert: Alert, user: User, comment: str) -> Alert:
    """Record who acknowledged the alert and why; only recipients and IT administrators may."""
    permissions.require(user, "acknowledge", alert, _("Only the alert's recipients or the IT group may acknowledge it."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what is being done about it."), code="comment_required")
    with transaction.atomic():
        alert.acknowledged_at, alert.acknowledged_by, alert.comment = timezone.now(), user, comment
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "comment"])
        AlertEvent.objects.create(alert=alert, action="acknowledged", user=user, comment=comment)
        transaction.on_commit(_bump_alerts)
    return alert


# --- Personal dashboards and information needs ------------------------------------------------
def pin_add(*, user: User, indicator=None, element=None, orgunit: OrgUnit | None = None, display: str) -> DashboardPin:
    order = DashboardPin.objects.filter(user=user).count()
    pin = DashboardPin(user=user, indicator=indicator, element=element, orgunit=orgunit, display=display, order=order)
    pin.full_clean()
    pin.save()
    return pin


def pin_remove(*, user: User, pin_id: int) -> None:
    DashboardPin.objects.restrict(user, "delete").filter(pk=pin_id).delete()


def request_create(*, user: User, title: str, purpose: str, orgunit_level: int, frequency: str = "", needed_by=None) -> InformationRequest:
    request = InformationRequest(
        requested_by=user, title=title, purpose=purpose, orgunit_level=orgunit_level, frequency=frequency, needed_by=needed_by
    )
    request.full_clean()
    request.save()
    it_emails = list(User.objects.filter(groups__name="it_admin", is_active=True).exclude(email="").values_list("email", flat=True))
    if it_emails:
        subject = _("[POC] Information request: %(t)s") % {"t": title}
        transaction.on_commit(lambda: send_mass_mail([(subject, purpose, None, it_emails)], fail_silently=True))
    return request


def request_answer(*, request: InformationRequest, user: User, answer: str, status: str = RequestStatus.ANSWERED) -> InformationRequest:
    permissions.require(user, "change", request, _("Only the provincial IT group answers information requests."))
    if not answer.strip():
        raise ValidationError(_("Write an answer."), code="answer_required")
    request.answer, request.answered_by, request.answered_at, request.status = answer.strip(), user, timezone.now(), status
    request.full_clean()
    request.save()
    if request.requested_by.email:
        subject = _("[POC] Answer: %(t)s") % {"t": request.title}
        transaction.on_commit(lambda: send_mass_mail([(subject, request.answer, None, [request.requested_by.email])], fail_silently=True))
    return request

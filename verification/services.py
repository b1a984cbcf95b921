"""Writes for verification: validation runs, the submission workflow, outlier confirmations, bulk verification
and notifications (due-date reminders: ``verification.reminders``). Views, commands and tasks all call these."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.models import Aggregation, CategoryOptionCombo, DataElement, Dataset, DataValue
from indicators.models import Indicator
from indicators.services import bump_indicators
from poc import cache_versions, permissions
from poc.models import OrgUnit, Period, User
from poc.notifications import forget_unread_counts
from verification import selectors
from verification.approvals import approval_waiting_for, approving_unit
from verification.cells import GEOMETRY, cell_values, option_cell_values, term_labels, unit_values_by_code, units_with_values
from verification.models import (
    LOCKED_STATUSES,
    Notification,
    OutlierConfirmation,
    RuleSeverity,
    Status,
    Submission,
    SubmissionEvent,
    ValidationRule,
    Violation,
)
from verification.rule_checks import evaluate_rule, rules_evaluate


class WorkflowError(ValidationError):
    """A transition that is not allowed from the current status, or is missing what it needs."""


# --- Validation runs ----------------------------------------------------------------------------
@dataclass
class ValidationRun:
    units: int = 0
    rules: int = 0
    errors: int = 0
    warnings: int = 0


@transaction.atomic
def validation_run(*, dataset: Dataset, period: Period, orgunit: OrgUnit | None = None) -> ValidationRun:
    """Evaluate every active rule for each unit with values in the subtree; replace the stored violations."""
    rules = list(dataset.validation_rules.filter(is_active=True))
    units = list(units_with_values(dataset, period, orgunit))
    scope = Violation.objects.filter(dataset=dataset, period=period)
    if orgunit is not None:
        scope = scope.filter(orgunit__path__startswith=orgunit.path)
    scope.delete()
    report = ValidationRun(units=len(units), rules=len(rules))
    if not rules:
        return report
    found = []
    values, labels = unit_values_by_code(dataset, units, period), term_labels(dataset)
    for unit in units:
        for rule in rules:
            result = evaluate_rule(rule, values[unit.pk], labels)
            if result.passed is False:
                found.append(
                    Violation(
                        rule=rule,
                        dataset=dataset,
                        orgunit=unit,
                        period=period,
                        severity=rule.severity,
                        left_value=result.left,
                        right_value=result.right,
                        detail=result.detail[:1000],
                    )
                )
    Violation.objects.bulk_create(found, batch_size=2000)
    report.errors = sum(v.severity == RuleSeverity.ERROR for v in found)
    report.warnings = len(found) - report.errors
    return report


def validation_rule_create(
    *,
    dataset: Dataset,
    name: str,
    left: str,
    operator: str,
    right: str,
    severity: str = RuleSeverity.ERROR,
    message_th: str = "",
    message_en: str = "",
) -> ValidationRule:
    rule = ValidationRule(
        dataset=dataset,
        name=name,
        left=left,
        operator=operator,
        right=right,
        severity=severity,
        message_th=message_th,
        message_en=message_en,
    )
    rule.full_clean()
    rule.save()
    return rule


# --- Notifications ------------------------------------------------------------------------------
def notify(*, users: list[User], title: str, body: str = "", url: str = "") -> int:
    Notification.objects.bulk_create([Notification(user=u, title=title[:300], body=body, url=url) for u in users])
    forget_unread_counts([u.pk for u in users])
    return len(users)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    count = queryset.update(read_at=timezone.now())
    forget_unread_counts([user.pk])
    return count


def verifiers_of(dataset: Dataset) -> list[User]:
    candidates = User.objects.filter(is_active=True, groups__name="verifier").select_related("agency").distinct()
    return [u for u in candidates if permissions.can(u, "verify", dataset)]


# --- Submission workflow ------------------------------------------------------------------------
ALLOWED = {
    "submit": ({Status.DRAFT}, Status.SUBMITTED),
    "resubmit": ({Status.RETURNED}, Status.RESUBMITTED),
    "return": ({Status.SUBMITTED, Status.RESUBMITTED, Status.APPROVED}, Status.RETURNED),
    "approve": ({Status.SUBMITTED, Status.RESUBMITTED, Status.APPROVED}, Status.APPROVED),  # a level below the last
    "verify": ({Status.SUBMITTED, Status.RESUBMITTED, Status.APPROVED}, Status.VERIFIED),  # the last level
    "reopen": ({Status.VERIFIED}, Status.RETURNED),
    # Bulk verification of past periods: forms nobody submitted (or still returned) move up too, after the preview.
    "bulk_approve": ({Status.DRAFT, Status.SUBMITTED, Status.RESUBMITTED, Status.RETURNED, Status.APPROVED}, Status.APPROVED),
    "bulk_verify": ({Status.DRAFT, Status.SUBMITTED, Status.RESUBMITTED, Status.RETURNED, Status.APPROVED}, Status.VERIFIED),
}


def submission_get_or_create(*, dataset: Dataset, orgunit: OrgUnit, period: Period, user: User) -> Submission:
    permissions.require(user, "work", dataset)
    if period.period_type != dataset.period_type:
        raise ValidationError(_("Period %(p)s does not fit dataset %(d)s.") % {"p": period.code, "d": dataset.code})
    if orgunit.level > dataset.collection_level:
        raise ValidationError(_("Dataset %(d)s is collected at a higher org-unit level.") % {"d": dataset.code})
    submission, created = Submission.objects.get_or_create(dataset=dataset, orgunit=orgunit, period=period)
    if created:
        SubmissionEvent.objects.create(submission=submission, from_status="", to_status=Status.DRAFT, user=user)
    return submission


def _transition(submission: Submission, action: str, user: User, comment: str) -> Submission:
    sources, target = ALLOWED[action]
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in sources:
        raise WorkflowError(
            _("A submission that is “%(status)s” cannot be %(action)s.")
            % {"status": locked.get_status_display(), "action": _action_label(action)},
            code="forbidden_transition",
        )
    approving = target in (Status.APPROVED, Status.VERIFIED)
    level = locked.approval_level + 1 if approving else 0
    SubmissionEvent.objects.create(submission=locked, from_status=locked.status, to_status=target, user=user, comment=comment, level=level)
    locked.status, locked.approval_level = target, level
    now = timezone.now()
    if target in (Status.SUBMITTED, Status.RESUBMITTED):
        locked.submitted_at = now
    if approving:  # each approval locks; the last one to act is shown with the lock
        locked.verified_at, locked.verified_by = now, user
    elif action in ("reopen", "return"):
        locked.verified_at, locked.verified_by = None, None
    locked.save()
    if approving or action in ("return", "reopen"):  # what counts as approved data changed
        _forget_approval_views(locked.dataset_id)
    return locked


def _forget_approval_views(dataset_id: int) -> None:
    """What the cockpit and maps show changes with every approval or return of a dataset feeding an indicator (the
    unapproved note, approved-only values): bump the cockpit's version and drop approved-only maps' stamps."""
    indicators = Indicator.objects.filter(inputs__dataset_id=dataset_id).values_list("pk", "approved_only").distinct()
    if not (rows := list(indicators)):
        return
    ids = [pk for pk, approved_only in rows if approved_only]
    transaction.on_commit(lambda: (bump_indicators(pk for pk, _only in rows), cache_versions.forget("map-indicator", ids)))


def _action_label(action: str) -> str:
    return {
        "submit": _("submitted"),
        "resubmit": _("resubmitted"),
        "return": _("returned"),
        "approve": _("approved"),
        "verify": _("verified"),
        "reopen": _("reopened"),
        "bulk_approve": _("approved"),
        "bulk_verify": _("verified"),
    }[action]


def _url(submission: Submission) -> str:
    return reverse("verification:submission", args=[submission.pk])


@transaction.atomic
def submission_submit(*, submission: Submission, user: User, comment: str = "") -> Submission:
    """Send to the verifier (or back after a return). Rule errors block; warnings need a comment."""
    permissions.require(user, "change", submission.dataset, _("Only data-entry users of the responsible agency can submit."))
    submission = Submission.objects.select_for_update().select_related("dataset", "orgunit", "period").get(pk=submission.pk)
    action = "resubmit" if submission.status == Status.RETURNED else "submit"
    if submission.status not in ALLOWED[action][0]:
        return _transition(submission, action, user, comment)  # raises the forbidden-transition error
    if not DataValue.objects.filter(
        element__dataset=submission.dataset, period=submission.period, orgunit__path__startswith=submission.orgunit.path
    ).exists():
        raise WorkflowError(_("There are no values to submit."), code="empty")
    results = rules_evaluate(submission.dataset, submission.orgunit, submission.period)
    errors = [r.detail for r in results if r.is_error]
    if errors:
        raise WorkflowError([_("Fix the errors before submitting:"), *errors], code="rule_errors")
    warnings = [r.detail for r in results if r.is_warning]
    if warnings and not comment.strip():
        raise WorkflowError([_("Explain the warnings in a comment:"), *warnings], code="warnings_need_comment")
    submission = _transition(submission, action, user, comment.strip())
    notify(users=approvers_of(submission), title=_("%(s)s waits for verification") % {"s": _describe(submission)}, url=_url(submission))
    return submission


def approvers_of(submission: Submission) -> list[User]:
    """Who may act on the submission's next level now (the permission rule answers, separation of duties included)."""
    return [user for user in verifiers_of(submission.dataset) if permissions.can(user, "verify", submission)]


def _require_verifier(user: User, submission: Submission) -> None:
    """The verify rule of ``poc.permissions``, separation of duties included, with the reason in words."""
    permissions.require(user, "verify", submission.dataset, _("You are not a verifier of this dataset."))
    permissions.require(user, "verify", submission, _("You sent this submission for review: another verifier must verify or return it."))


def _require_comment(comment: str) -> str:
    if not comment.strip():
        raise WorkflowError(_("A comment is required."), code="comment_required")
    return comment.strip()


def _describe(submission: Submission) -> str:
    return f"{submission.dataset.name} · {submission.orgunit.name} · {submission.period.label}"


@transaction.atomic
def submission_return(*, submission: Submission, user: User, comment: str) -> Submission:
    """Back to data entry with the reason, from any level: the values unlock, the chain starts again on resubmission,
    and whoever approved a lower level of this round hears why."""
    _require_verifier(user, submission)
    comment = _require_comment(comment)
    lower = _approvers_this_round(submission)
    submission = _transition(submission, "return", user, comment)
    title = _("%(s)s was returned") % {"s": _describe(submission)}
    notify(users=list(selectors.data_entry_users(submission.dataset)), title=title, body=comment, url=_url(submission))
    if lower:
        notify(users=lower, title=title, body=comment, url=_url(submission))
    return submission


def _approvers_this_round(submission: Submission) -> list[User]:
    if submission.approval_level == 0:
        return []
    sent = submission.events.filter(to_status__in=[Status.SUBMITTED, Status.RESUBMITTED]).order_by("-at", "-id").first()
    events = submission.events.filter(level__gt=0, pk__gt=sent.pk if sent else 0)
    return list(User.objects.filter(pk__in=events.values("user_id"), is_active=True))


@transaction.atomic
def submission_verify(*, submission: Submission, user: User, comment: str = "") -> Submission:
    """Approve the submission's next level: the final one verifies, a lower one approves and notifies the next approver.

    Every approval locks the values. From the second level up the approving office acts on the whole unit below it
    (the province approves the district): every unit there must first be approved at the level below, and all their
    submissions move up together, each through the same transition and permission check.
    """
    _require_verifier(user, submission)
    submission = Submission.objects.select_related("dataset", "orgunit", "period").get(pk=submission.pk)
    level = submission.approval_level + 1
    if submission.status not in ALLOWED["verify"][0]:
        return _transition(submission, "verify", user, comment)  # raises the forbidden-transition error
    waiting = approval_waiting_for(submission.dataset, submission.orgunit, submission.period, level)
    if waiting:
        raise WorkflowError(
            [
                _("Level %(n)d waits until every unit below is approved at level %(m)d. Not yet approved:") % {"n": level, "m": level - 1},
                *waiting,
            ],
            code="lower_level_pending",
        )
    action = "verify" if level >= submission.dataset.approval_levels else "approve"
    group = [submission]
    if level > 1:
        below = approving_unit(submission.orgunit, level - 1)
        group += (
            Submission.objects.filter(
                dataset=submission.dataset,
                period=submission.period,
                orgunit__path__startswith=below.path,
                status=Status.APPROVED,
                approval_level=level - 1,
            )
            .exclude(pk=submission.pk)
            .select_related("dataset", "orgunit", "period")
            .order_by("orgunit__path")
        )
    return _approve(group, action=action, level=level, user=user, comment=comment.strip())[0]


def _approve(group: list[Submission], *, action: str, level: int, user: User, comment: str) -> list[Submission]:
    """The one write path of an approval, for a single submission, the unit below moving up together, or bulk
    verification: each row locked, still at the level the caller read (two verifiers acting at once cannot move it
    twice), the verify rule checked on it, moved up; then data entry hears of a verification and the next level's
    approvers of a complete unit below."""
    done = []
    for member in group:
        locked = Submission.objects.select_for_update().select_related("dataset", "orgunit", "period").get(pk=member.pk)
        if locked.approval_level != level - 1:
            raise WorkflowError(
                _("%(s)s changed meanwhile (now “%(status)s”, %(n)d of %(m)d levels approved): look at it again.")
                % {
                    "s": _describe(locked),
                    "status": locked.get_status_display(),
                    "n": locked.approval_level,
                    "m": locked.dataset.approval_levels,
                },
                code="changed_meanwhile",
            )
        _require_verifier(user, locked)
        done.append(_transition(locked, action, user, comment))
    first = done[0]
    if action in ("verify", "bulk_verify"):
        for member in done:
            title = _("%(s)s was verified") % {"s": _describe(member)}
            notify(users=list(selectors.data_entry_users(member.dataset)), title=title, url=_url(member))
    elif not approval_waiting_for(first.dataset, first.orgunit, first.period, level + 1):  # the unit below is complete
        title = _("%(s)s waits for approval at level %(n)d") % {"s": _describe(first), "n": level + 1}
        notify(users=approvers_of(first), title=title, url=_url(first))
    return done


@transaction.atomic
def submission_reopen(*, submission: Submission, user: User, comment: str) -> Submission:
    """Unlock a verified submission for correction (a verifier's decision, with the reason)."""
    _require_verifier(user, submission)
    comment = _require_comment(comment)
    submission = _transition(submission, "reopen", user, comment)
    notify(
        users=list(selectors.data_entry_users(submission.dataset)),
        title=_("%(s)s was reopened") % {"s": _describe(submission)},
        body=comment,
        url=_url(submission),
    )
    return submission


def values_locked(forms: Collection[tuple[Dataset, OrgUnit, Period]]) -> set[tuple[int, int, int]]:
    """Registered in datasets.services.VALUE_LOCKS: a verified submission of the unit or an ancestor locks its forms.

    One query for any number of forms (a 1M-value import touches ~100k of them); answers (dataset, org unit, period) ids.
    """
    if not forms:
        return set()
    verified: dict[tuple[int, int], set[str]] = defaultdict(set)
    rows = Submission.objects.filter(
        status__in=LOCKED_STATUSES, dataset_id__in={d.pk for d, _o, _p in forms}, period_id__in={p.pk for _d, _o, p in forms}
    ).values_list("dataset_id", "period_id", "orgunit__code")
    for dataset_id, period_id, code in rows:
        verified[(dataset_id, period_id)].add(code)
    return {
        (d.pk, o.pk, p.pk)
        for d, o, p in forms
        if (codes := verified.get((d.pk, p.pk))) and not codes.isdisjoint(selectors.ancestors_or_self_codes(o))
    }


# --- Outlier confirmation -----------------------------------------------------------------------
def outlier_confirm(
    *, element: DataElement, orgunit: OrgUnit, period: Period, user: User, comment: str, option_combo: CategoryOptionCombo | None = None
) -> OutlierConfirmation:
    """Record that a flagged value is right, and why (for the verifier and the audit trail): the element's value (a
    broken-down element's total), or with ``option_combo`` that cell's."""
    dataset = element.dataset
    permissions.require(user, "work", dataset)
    comment = _require_comment(comment)
    if option_combo is None:
        value = cell_values([element], [orgunit], [period]).get((element.pk, orgunit.pk, period.pk))
    else:
        if option_combo.combo_id != element.category_combo_id:
            raise ValidationError(_("%(e)s has no category option %(o)s") % {"e": element.code, "o": option_combo.code}, code="bad_option")
        total, count = option_cell_values([element], [orgunit], [period]).get((element.pk, option_combo.pk, orgunit.pk, period.pk), (0, 0))
        value = (total / count if element.aggregation == Aggregation.AVERAGE else total) if count else None
    if value is None:
        raise ValidationError(_("There is no value to confirm."), code="no_value")
    return OutlierConfirmation.objects.create(
        element=element, option_combo=option_combo, orgunit=orgunit, period=period, value=value, comment=comment[:500], user=user
    )


# --- Bulk verification of past periods ----------------------------------------------------------
@dataclass
class BulkPlan:
    dataset: Dataset
    periods: list[Period]
    to_verify: list[tuple[OrgUnit, Period, int]] = field(default_factory=list)  # unit, period, values that will lock
    blocked: list[tuple[OrgUnit, Period, list[str]]] = field(default_factory=list)
    already: int = 0
    levels: dict[tuple[int, int], int] = field(default_factory=dict)  # (unit, period) → the level this approval reaches

    @property
    def values_locked(self) -> int:
        return sum(n for _u, _p, n in self.to_verify)

    @property
    def rows(self) -> list[tuple[OrgUnit, Period, int, int]]:
        """The preview's lines: unit, period, values that will lock, and the approval level each reaches."""
        return [(u, p, n, self.levels[(u.pk, p.pk)]) for u, p, n in self.to_verify]


def bulk_verify_plan(*, dataset: Dataset, until: Period, user: User) -> BulkPlan:
    """Preview: every collection-level unit with values in a period up to ``until`` not yet verified, and what locks."""
    _require_verifier_dataset(user, dataset)
    with_values = Period.objects.filter(datavalues__element__dataset=dataset).distinct()
    periods = list(with_values.filter(period_type=dataset.period_type, end_date__lte=until.end_date).order_by("start_date"))
    plan = BulkPlan(dataset, periods)
    verified = set(
        Submission.objects.filter(dataset=dataset, status=Status.VERIFIED, period__in=periods).values_list("orgunit_id", "period_id")
    )
    # Separation of duties: what the user sent for review themselves waits for another verifier; up the levels,
    # also what they approved at a lower level, and what another office approves.
    in_scope = Submission.objects.filter(dataset=dataset, period__in=periods)
    own = set(in_scope.exclude(pk__in=in_scope.restrict(user, "verify").values("pk")).values_list("orgunit_id", "period_id"))
    reached = {(u, p): level for u, p, level in in_scope.values_list("orgunit_id", "period_id", "approval_level")}
    not_yours = (
        _("You sent this submission for review: another verifier must verify or return it.")
        if dataset.approval_levels == 1
        else _("Not yours to approve at this level: you sent it or approved a lower level, or another office approves it.")
    )
    counts = {}
    for unit_id, period_id in DataValue.objects.filter(element__dataset=dataset, period__in=periods).values_list("orgunit_id", "period_id"):
        counts[(unit_id, period_id)] = counts.get((unit_id, period_id), 0) + 1
    units = OrgUnit.objects.defer(*GEOMETRY).in_bulk({u for u, _p in counts})
    by_period = {p.pk: p for p in periods}
    labels = term_labels(dataset)
    for period in periods:
        keys = sorted((u, p) for (u, p) in counts if p == period.pk)
        unit_list = [units[u] for u, _p in keys]
        values = unit_values_by_code(dataset, unit_list, period)
        rules = list(dataset.validation_rules.filter(is_active=True, severity=RuleSeverity.ERROR))
        for unit_id, period_id in keys:
            if (unit_id, period_id) in verified:
                plan.already += 1
                continue
            errors = [r.detail for r in (evaluate_rule(rule, values[unit_id], labels) for rule in rules) if r.passed is False]
            level = reached.get((unit_id, period_id), 0) + 1
            plan.levels[(unit_id, period_id)] = level
            if (unit_id, period_id) in own or (
                (unit_id, period_id) not in reached and not permissions.approval_scope_covers(user, dataset, units[unit_id], level)
            ):
                errors.append(not_yours)
            if waiting := approval_waiting_for(dataset, units[unit_id], by_period[period_id], level):
                errors.append(
                    _("Level %(n)d waits until every unit below is approved at level %(m)d: %(u)s")
                    % {"n": level, "m": level - 1, "u": ", ".join(waiting)}
                )
            if errors:
                plan.blocked.append((units[unit_id], by_period[period_id], errors))
            else:
                plan.to_verify.append((units[unit_id], by_period[period_id], counts[(unit_id, period_id)]))
    return plan


def _require_verifier_dataset(user: User, dataset: Dataset) -> None:
    permissions.require(user, "verify", dataset, _("You are not a verifier of this dataset."))


@transaction.atomic
def bulk_verify(*, dataset: Dataset, until: Period, user: User, comment: str) -> BulkPlan:
    """Approve one level (and so lock) everything the preview lists, one submission after another through the same
    approval as a single one (row lock, verify rule, notifications): one level datasets are verified; up the levels
    each unit reaches the level the preview showed, and the last one verifies. A row another verifier moved since the
    preview stops the whole run (nothing saved): the preview is shown again."""
    comment = _require_comment(comment)
    plan = bulk_verify_plan(dataset=dataset, until=until, user=user)
    for unit, period, _count in plan.to_verify:
        submission, created = Submission.objects.get_or_create(dataset=dataset, orgunit=unit, period=period)
        if created:
            SubmissionEvent.objects.create(submission=submission, from_status="", to_status=Status.DRAFT, user=user, comment=comment)
        level = plan.levels[(unit.pk, period.pk)]
        action = "bulk_verify" if level >= dataset.approval_levels else "bulk_approve"
        _approve([submission], action=action, level=level, user=user, comment=comment)
    return plan

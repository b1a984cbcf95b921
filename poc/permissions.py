"""The one permission layer: who may do what with which rows.

Every surface (views, exports, the API, Celery tasks acting for a user, commands with ``--user``,
template tags) asks the same question, NetBox-style::

    Dataset.objects.restrict(user, "view")           # the rows user may read
    permissions.can(user, "verify", submission)       # one object
    permissions.require(user, "change", dataset)      # ... or PermissionDenied

Each domain model registers one rule per action in :data:`RULES` (below, in this module and nowhere
else): a function ``(queryset, user) -> queryset`` that narrows the rows. Org-unit and agency scope
(django-guardian object permissions on :class:`poc.models.Agency`) is applied here only. Rules that
span models live here too: an indicator (and its values, pins, warning rules and alerts) is readable
only when every input element's dataset is; a submission is never verified or returned by the user
who submitted it (``POC_SEPARATION_OF_DUTIES``).

Pages gated by role alone (IT administrator, executive, the provincial IT group) use
:func:`role_required` / :class:`RoleRequiredMixin` with one of the named :class:`Gate` predicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest

from poc import permission_version

if TYPE_CHECKING:
    from poc.models import User


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # enter or edit (values, a layer, a document, a survey answer)
    VERIFY = "verify"  # verify, return, reopen (submissions), verify datasets
    DELETE = "delete"
    ACKNOWLEDGE = "acknowledge"  # alerts
    MANAGE = "manage"  # administration (campaigns, backups, accounts)
    WORK = "work"  # enter or verify: a dataset's submissions and outlier confirmations


Rule = Callable[[QuerySet, Any], QuerySet]
# "app_label.ModelName" → {action: rule}. Register with @rule("app.Model", Action.VIEW, ...).
RULES: dict[str, dict[str, Rule]] = {}


def rule(model: str, *actions: str) -> Callable[[Rule], Rule]:
    """Register ``function`` as the rule of ``model`` (``"app_label.ModelName"``) for ``actions``."""

    def register(function: Rule) -> Rule:
        for action in actions:
            RULES.setdefault(model, {})[str(action)] = function
        return function

    return register


def restrict(queryset: QuerySet, user, action: str = Action.VIEW) -> QuerySet:
    """``queryset`` narrowed to the rows ``user`` may ``action``. An unregistered model × action is a
    programming error (LookupError), never a silent "everything" or "nothing"."""
    label = queryset.model._meta.label
    function = RULES.get(label, {}).get(str(action))
    if function is None:
        raise LookupError(f"No permission rule for {label} × {action}: register one in poc/permissions.py")
    return function(queryset, user)


def can(user, action: str, obj: models.Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def require(user, action: str, obj: models.Model, message: str = "") -> None:
    """PermissionDenied (with ``message``, shown to the user) unless ``user`` may ``action`` ``obj``."""
    if not can(user, action, obj):
        raise PermissionDenied(message)


def require_gate(user, gate: Callable[[Any], bool], message: str = "") -> None:
    """PermissionDenied unless ``user`` passes the role ``gate`` (services called by views, tasks and commands)."""
    if not gate(user):
        raise PermissionDenied(message)


def deny(message: str = "") -> NoReturn:
    """Refuse a request whose rule is not a row or a role (e.g. a page with nothing the user may act on)."""
    raise PermissionDenied(message)


class RestrictedQuerySet(models.QuerySet):
    """``Model.objects.restrict(user, action)`` for any model whose manager is built from this class."""

    def restrict(self, user, action: str = Action.VIEW) -> QuerySet:
        return restrict(self, user, action)


def scope_key(queryset: QuerySet) -> str:
    """A short key naming which rows of ``queryset`` a user sees (for caches shared by users of equal rights)."""
    ids = ",".join(map(str, queryset.order_by("pk").values_list("pk", flat=True)))
    return hashlib.blake2s(ids.encode(), digest_size=8).hexdigest()


# --- Roles ----------------------------------------------------------------------------------------
def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_it_admin(user) -> bool:
    return _signed_in(user) and user.has_role("it_admin")


def is_executive(user) -> bool:
    return _signed_in(user) and user.has_role("executive")


def is_provincial_it(user) -> bool:
    """IT administrators and verifiers of the provincial IT group: they track and verify province-wide."""
    return is_it_admin(user) or (_signed_in(user) and user.has_role("verifier") and bool(user.agency and user.agency.is_provincial_it))


class Gate:
    """Named predicates for role-gated pages (``@role_required(Gate.IT_ADMIN)``)."""

    SIGNED_IN = staticmethod(_signed_in)
    IT_ADMIN = staticmethod(is_it_admin)
    EXECUTIVE_OR_IT = staticmethod(lambda user: is_it_admin(user) or is_executive(user))
    PROVINCIAL_IT = staticmethod(is_provincial_it)
    DATA_ENTRY = staticmethod(lambda user: _signed_in(user) and user.has_role("data_entry"))
    VERIFIER = staticmethod(lambda user: _signed_in(user) and user.has_role("verifier"))


def role_required(gate: Callable[[Any], bool]):
    """Anonymous users go to the login page; signed-in users failing ``gate`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _to_login(request)
            if not gate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission_gate = gate  # read by the permission matrix test
        return wrapped

    return decorator


def _to_login(request):
    # Imported here: this module is imported by models, before django.contrib.auth's views can be.
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


class RoleRequiredMixin:
    """Class-based views: ``gate = Gate.IT_ADMIN``."""

    gate: Callable[[Any], bool] = staticmethod(_signed_in)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _to_login(request)
        if not type(self).gate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- Agency scope ---------------------------------------------------------------------------------
def agency_ids_for(user, permission: str) -> list[int]:
    """Ids of the agencies on which ``user`` holds ``permission`` (``enter_data``, ``verify_data``, ``view_restricted``):
    django-guardian's answer, object permissions or global ones, kept per user in the shared cache under the
    permissions version that every grant, revoke, role, group, account or agency change bumps
    (``poc.permission_version``), and read once per request."""
    from guardian.shortcuts import get_objects_for_user

    from poc.models import Agency

    if not _signed_in(user):
        return []

    def guardian_answer() -> list[int]:
        found = get_objects_for_user(user, f"poc.{permission}", klass=Agency, accept_global_perms=True)
        return sorted(found.values_list("pk", flat=True))

    return permission_version.remember(f"agencies:{user.pk}:{permission}", guardian_answer)


def agencies_for(user, permission: str) -> QuerySet:
    """Agencies on which ``user`` holds ``permission`` (``enter_data``, ``verify_data``, ``view_restricted``)."""
    from poc.models import Agency

    return Agency.objects.filter(pk__in=agency_ids_for(user, permission))


def _everything_for_it(queryset: QuerySet, user) -> QuerySet:
    return queryset if is_it_admin(user) else queryset.none()


# --- Datasets, elements, values -------------------------------------------------------------------
@rule("datasets.Dataset", Action.VIEW)
def dataset_view(queryset: QuerySet, user) -> QuerySet:
    """Public for everyone, internal when signed in, restricted to holders of the agency's ``view_restricted``."""
    from datasets.models import Sensitivity

    if not _signed_in(user):
        return queryset.filter(sensitivity=Sensitivity.PUBLIC)
    return queryset.filter(~Q(sensitivity=Sensitivity.RESTRICTED) | Q(agency_id__in=agency_ids_for(user, "view_restricted")))


@rule("datasets.Dataset", Action.CHANGE)
def dataset_change(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(agency_id__in=agency_ids_for(user, "enter_data"), is_active=True)


@rule("datasets.Dataset", Action.VERIFY)
def dataset_verify(queryset: QuerySet, user) -> QuerySet:
    """Province-verified datasets: the provincial IT group's verifiers; agency-verified: the agency's own. Datasets
    approved up several levels also admit the offices below (a district office granted ``verify_data`` on the owning
    agency); which level of which submission each may approve is the submission rule's answer."""
    chained = queryset.filter(agency_id__in=agency_ids_for(user, "verify_data"), approval_levels__gt=1)
    return queryset.filter(Q(pk__in=_verifies_last_level(queryset, user).values("pk")) | Q(pk__in=chained.values("pk")))


def _verifies_last_level(queryset: QuerySet, user) -> QuerySet:
    """Who gives a dataset's final verification (its only one, for a one-level dataset)."""
    from datasets.models import VerificationBy

    queryset = queryset.filter(agency_id__in=agency_ids_for(user, "verify_data"))
    if not _signed_in(user) or user.is_superuser:
        return queryset
    own = Q(verification_by=VerificationBy.AGENCY, agency_id=user.agency_id)
    if user.agency and user.agency.is_provincial_it:
        return queryset.filter(Q(verification_by=VerificationBy.PROVINCE) | own)
    return queryset.filter(own)


def readable_datasets(user) -> QuerySet:
    from datasets.models import Dataset

    return dataset_view(Dataset.objects.all(), user)


@rule("datasets.DataElement", Action.VIEW)
def element_view(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(dataset__in=readable_datasets(user))


@rule("datasets.DataElement", Action.CHANGE)
def element_change(queryset: QuerySet, user) -> QuerySet:
    from datasets.models import Dataset

    return queryset.filter(dataset__in=dataset_change(Dataset.objects.all(), user))


@rule("datasets.ImportProfile", Action.VIEW, Action.CHANGE, Action.DELETE)
def import_profile_scope(queryset: QuerySet, user) -> QuerySet:
    """An agency's saved file mappings: its own staff who may enter the dataset."""
    from datasets.models import Dataset

    if not _signed_in(user) or user.agency_id is None:
        return queryset.none()
    return queryset.filter(agency_id=user.agency_id, dataset__in=dataset_change(Dataset.objects.all(), user))


# --- Indicators and everything built on them ------------------------------------------------------
@rule("indicators.Indicator", Action.VIEW)
def indicator_view(queryset: QuerySet, user) -> QuerySet:
    """An indicator reveals its inputs (rate × public denominator = the restricted count): readable only
    when every input element's dataset is."""
    from datasets.models import Dataset

    unreadable = Dataset.objects.exclude(pk__in=readable_datasets(user).values("pk"))
    return queryset.exclude(inputs__dataset__in=unreadable)


def readable_indicators(user) -> QuerySet:
    from indicators.models import Indicator

    return indicator_view(Indicator.objects.all(), user)


def _readable_indicator_ids(user) -> list[int]:
    """Ids, not a subquery: indicators are few, and rules built on them (rules, alerts, their events)
    would otherwise nest deeper than SQLite's parser allows."""
    return list(readable_indicators(user).values_list("pk", flat=True))


@rule("indicators.IndicatorValue", Action.VIEW)
def indicator_value_view(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(indicator__in=_readable_indicator_ids(user))


def _subject_readable(user, prefix: str = "") -> Q:
    """A warning rule's (or a pin's) subject, an indicator or a data element, is readable."""
    from datasets.models import DataElement

    elements = element_view(DataElement.objects.all(), user)
    return Q(**{f"{prefix}indicator__in": _readable_indicator_ids(user)}) | Q(**{f"{prefix}element__in": elements})


@rule("cockpit.WarningRule", Action.VIEW)
def warning_rule_view(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(_subject_readable(user)) if _signed_in(user) else queryset.none()


def _addressed_rules(user) -> list[int]:
    """Rules whose alerts go to ``user``, directly or by role (roles are a JSON list: filtered in Python,
    portable across PostGIS and SpatiaLite; rules are few)."""
    from cockpit.models import WarningRule

    direct = set(WarningRule.recipients.through.objects.filter(user_id=user.pk).values_list("warningrule_id", flat=True))
    roles = user.role_names
    rules = WarningRule.objects.values_list("pk", "recipient_roles")
    return [pk for pk, rule_roles in rules if pk in direct or roles & set(rule_roles or [])]


@rule("cockpit.Alert", Action.VIEW)
def alert_view(queryset: QuerySet, user) -> QuerySet:
    """Executives and the IT group see every alert they may read; others those addressed to them."""
    from cockpit.models import WarningRule

    if not _signed_in(user):
        return queryset.none()
    rules = list(warning_rule_view(WarningRule.objects.all(), user).values_list("pk", flat=True))  # few; keeps SQL shallow
    queryset = queryset.filter(rule_id__in=rules)
    if is_it_admin(user) or is_executive(user):
        return queryset
    return queryset.filter(rule_id__in=_addressed_rules(user))


@rule("cockpit.Alert", Action.ACKNOWLEDGE)
def alert_acknowledge(queryset: QuerySet, user) -> QuerySet:
    queryset = alert_view(queryset, user)
    return queryset if is_it_admin(user) else queryset.filter(rule_id__in=_addressed_rules(user) if _signed_in(user) else [])


@rule("cockpit.DashboardPin", Action.VIEW)
def pin_view(queryset: QuerySet, user) -> QuerySet:
    """One's own pins whose subject one may (still) read."""
    return queryset.filter(_subject_readable(user), user=user) if _signed_in(user) else queryset.none()


@rule("cockpit.DashboardPin", Action.DELETE)
def pin_delete(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(user=user) if _signed_in(user) else queryset.none()


@rule("cockpit.InformationRequest", Action.VIEW)
def information_request_view(queryset: QuerySet, user) -> QuerySet:
    if is_it_admin(user):
        return queryset
    return queryset.filter(requested_by=user) if _signed_in(user) else queryset.none()


rule("cockpit.InformationRequest", Action.CHANGE)(_everything_for_it)  # answering


# --- Verification ---------------------------------------------------------------------------------
def _workable_datasets(user) -> QuerySet:
    from datasets.models import Dataset

    everything = Dataset.objects.all()
    enterable, verifiable = dataset_change(everything, user).values("pk"), dataset_verify(everything, user).values("pk")
    return everything.filter(Q(pk__in=enterable) | Q(pk__in=verifiable))


@rule("datasets.Dataset", Action.WORK)
def dataset_work(queryset: QuerySet, user) -> QuerySet:
    """Datasets a user enters or verifies (opens submissions, confirms outliers)."""
    return queryset.filter(pk__in=_workable_datasets(user).values("pk"))


@rule("verification.Submission", Action.VIEW)
def submission_view(queryset: QuerySet, user) -> QuerySet:
    """Submissions a user works on: their agency's (to submit) and those they verify."""
    return queryset.filter(dataset__in=_workable_datasets(user)) if _signed_in(user) else queryset.none()


@rule("verification.Submission", Action.CHANGE)
def submission_change(queryset: QuerySet, user) -> QuerySet:
    from datasets.models import Dataset

    return queryset.filter(dataset__in=dataset_change(Dataset.objects.all(), user))


@rule("verification.Submission", Action.VERIFY)
def submission_verify(queryset: QuerySet, user) -> QuerySet:
    """Verifiers of the dataset, except on a submission awaiting review that they sent themselves
    (separation of duties; ``POC_SEPARATION_OF_DUTIES = False`` relaxes it for one-person agencies)."""
    from datasets.models import Dataset
    from verification.models import Status, SubmissionEvent

    queryset = queryset.filter(dataset__in=dataset_verify(Dataset.objects.all(), user))
    last_level = Q(dataset__in=_verifies_last_level(Dataset.objects.all(), user)) | Q(
        approval_level__lt=F("dataset__approval_levels") - 1
    )  # a lower level of a chain is open to the offices below; the last one keeps the dataset's own verifiers
    queryset = _approval_scope(queryset.filter(last_level), user)
    if not getattr(settings, "POC_SEPARATION_OF_DUTIES", True) or not _signed_in(user):
        return queryset
    sent = [Status.SUBMITTED, Status.RESUBMITTED]
    latest_send = SubmissionEvent.objects.filter(submission=OuterRef(OuterRef("pk")), to_status__in=sent).order_by("-at", "-id")
    own = Exists(
        SubmissionEvent.objects.filter(pk=models.Subquery(latest_send.values("pk")[:1]), user=user)
    )  # the current round was sent by this user
    # Up the levels, each approval of a round is a different person's: who approved a lower level cannot approve the next.
    round_start = SubmissionEvent.objects.filter(submission=OuterRef(OuterRef("pk")), to_status__in=sent).order_by("-at", "-id")
    this_round = Coalesce(models.Subquery(round_start.values("pk")[:1]), 0)
    approved_lower = Exists(
        SubmissionEvent.objects.filter(submission=OuterRef("pk"), to_status=Status.APPROVED, user=user, pk__gt=this_round)
    )
    return queryset.exclude(Q(status__in=[*sent, Status.APPROVED]) & Q(own)).exclude(Q(status=Status.APPROVED) & Q(approved_lower))


def _approval_scope(queryset: QuerySet, user) -> QuerySet:
    """Datasets approved up several levels: the next level of a submission is approved by a verifier whose agency
    serves the unit that approves that level, or an office above it (a province acting for a district without a
    verifier); a district office never approves the province's level. One-level datasets keep the rule above."""
    agency = getattr(user, "agency", None) if _signed_in(user) else None
    if agency is None or is_it_admin(user):
        return queryset
    served = agency.orgunit
    # The unit approving level k of a submission at unit level u sits at level max(u - k, province).
    approving_level = Greatest(F("orgunit__level") - F("approval_level") - 1, Value(1))
    in_chain = queryset.filter(dataset__approval_levels__gt=1).alias(approving_level=approving_level)
    allowed = in_chain.filter(orgunit__path__startswith=served.path, approving_level__gte=served.level)
    return queryset.filter(Q(dataset__approval_levels__lte=1) | Q(pk__in=allowed.values("pk")))


def approval_scope_covers(user, dataset, orgunit, level: int) -> bool:
    """The rule of :func:`_approval_scope` for a form nobody has submitted yet (bulk approval of past periods)."""
    if level >= dataset.approval_levels and not _verifies_last_level(type(dataset).objects.filter(pk=dataset.pk), user).exists():
        return False
    agency = getattr(user, "agency", None) if _signed_in(user) else None
    if dataset.approval_levels <= 1 or agency is None or is_it_admin(user):
        return True
    served = agency.orgunit
    return orgunit.path.startswith(served.path) and max(orgunit.level - level, 1) >= served.level


@rule("verification.Violation", Action.VIEW)
def violation_view(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(dataset__in=readable_datasets(user))


def submitter_of(submission) -> User | None:
    """Who sent the current round of ``submission`` for review (the last submit/resubmit event)."""
    from verification.models import Status

    event = submission.events.filter(to_status__in=[Status.SUBMITTED, Status.RESUBMITTED]).order_by("-at", "-id").first()
    return event.user if event else None


# --- Maps and documents ---------------------------------------------------------------------------
@rule("maps.ThematicLayer", Action.VIEW)
def layer_view(queryset: QuerySet, user) -> QuerySet:
    """Public layers for all, internal when signed in, agency layers to that agency (and holders of its
    restricted-data right), role layers to those roles; IT administrators see all."""
    from gis.models import LayerVisibility

    if not _signed_in(user):
        return queryset.filter(visibility=LayerVisibility.PUBLIC)
    if is_it_admin(user):
        return queryset
    allowed = Q(visibility__in=[LayerVisibility.PUBLIC, LayerVisibility.INTERNAL])
    allowed |= Q(visibility=LayerVisibility.AGENCY, agency_id__in=agency_ids_for(user, "view_restricted"))
    if user.agency_id:
        allowed |= Q(visibility__in=[LayerVisibility.AGENCY, LayerVisibility.ROLES], agency_id=user.agency_id)
    for role in user.role_names:
        allowed |= Q(visibility=LayerVisibility.ROLES, roles__contains=f",{role},")
    return queryset.filter(allowed)


def may_upload_layers(user) -> bool:
    if not _signed_in(user) or not user.agency_id:
        return False
    return is_it_admin(user) or user.agency_id in agency_ids_for(user, "enter_data")


@rule("maps.ThematicLayer", Action.CHANGE, Action.DELETE)
def layer_change(queryset: QuerySet, user) -> QuerySet:
    """IT administrators manage every layer; an agency's data-entry staff manage their agency's layers."""
    if not may_upload_layers(user):
        return queryset.none()
    return layer_view(queryset, user) if is_it_admin(user) else layer_view(queryset, user).filter(agency_id=user.agency_id)


@rule("documents.Document", Action.VIEW)
def document_view(queryset: QuerySet, user) -> QuerySet:
    """Public documents for everyone; internal ones for signed-in users; agency-only ones for the
    agency's users, IT administrators and those who may read the agency's restricted data."""
    from documents.models import Visibility

    if not _signed_in(user):
        return queryset.filter(visibility=Visibility.PUBLIC)
    if is_it_admin(user):
        return queryset
    readable = agency_ids_for(user, "view_restricted")
    return queryset.filter(
        Q(visibility__in=[Visibility.PUBLIC, Visibility.INTERNAL]) | Q(agency=user.agency_id) | Q(agency_id__in=readable)
    )


@rule("documents.Attachment", Action.VIEW)
def attachment_view(queryset: QuerySet, user) -> QuerySet:
    from documents.models import Document

    return queryset.filter(document__in=document_view(Document.objects.all(), user))


@rule("documents.Letter", Action.VIEW)
def letter_view(queryset: QuerySet, user) -> QuerySet:
    """The registers of agencies the user files for, plus letters routed to the user or their agency."""
    from documents.models import LetterRoute

    if not _signed_in(user):
        return queryset.none()
    if is_it_admin(user):
        return queryset
    routed = Q(user=user) | (Q(agency=user.agency_id) if user.agency_id else Q(pk__in=[]))
    own = Q(agency=user.agency_id) if user.agency_id else Q(pk__in=[])
    return queryset.filter(own | Q(pk__in=LetterRoute.objects.filter(routed).values("letter")))


@rule("poc.Agency", Action.CHANGE)
def agency_file_for(queryset: QuerySet, user) -> QuerySet:
    """Agencies a user acts for (files documents and letters): IT administrators any, others their own."""
    if is_it_admin(user):
        return queryset
    return queryset.filter(pk=user.agency_id) if _signed_in(user) and user.agency_id else queryset.none()


# --- Risk and operations --------------------------------------------------------------------------
@rule("risk.RiskCampaign", Action.VIEW)
def campaign_view(queryset: QuerySet, user) -> QuerySet:
    """IT administrators and executives see every campaign; other users the ones sent to their agency."""
    if not _signed_in(user):
        return queryset.none()
    if is_it_admin(user) or is_executive(user):
        return queryset
    return queryset.filter(agencies=user.agency_id) if user.agency_id else queryset.none()


rule("risk.RiskCampaign", Action.MANAGE, Action.CHANGE, Action.DELETE)(_everything_for_it)


@rule("risk.RiskResponse", Action.VIEW, Action.CHANGE)
def response_view(queryset: QuerySet, user) -> QuerySet:
    """An agency answers (and reads) its own survey responses; IT administrators all of them."""
    if is_it_admin(user):
        return queryset
    return queryset.filter(agency_id=user.agency_id) if _signed_in(user) and user.agency_id else queryset.none()


rule("operations.BackupRecord", Action.VIEW, Action.MANAGE)(_everything_for_it)
rule("poc.User", Action.VIEW, Action.MANAGE)(_everything_for_it)  # issuing accounts


# --- API tokens -----------------------------------------------------------------------------------
@rule("api.ApiToken", Action.VIEW, Action.DELETE)
def api_token_scope(queryset: QuerySet, user) -> QuerySet:
    """A person's own tokens; IT administrators see and revoke everyone's (a departed user's, a leaked one)."""
    if not _signed_in(user):
        return queryset.none()
    return queryset if is_it_admin(user) else queryset.filter(user_id=user.pk)


# --- Rows reached through another row -------------------------------------------------------------
def _via(field: str, action: str = Action.VIEW) -> Rule:
    """Rows whose ``field`` (a foreign key) points at a row ``user`` may ``action``."""

    def narrowed(queryset: QuerySet, user) -> QuerySet:
        related = queryset.model._meta.get_field(field).related_model
        return queryset.filter(**{f"{field}__in": restrict(related._default_manager.all(), user, action)})

    return narrowed


def _signed_in_rows(queryset: QuerySet, user) -> QuerySet:
    return queryset if _signed_in(user) else queryset.none()


def _executive_or_it_rows(queryset: QuerySet, user) -> QuerySet:
    return queryset if Gate.EXECUTIVE_OR_IT(user) else queryset.none()


def _own_rows(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(user=user) if _signed_in(user) else queryset.none()


for _label, _field in [
    ("datasets.DataValue", "element"),
    ("datasets.DataValueAudit", "element"),
    ("datasets.AggregateValue", "element"),
    ("datasets.AggregateOptionValue", "element"),
    ("verification.ValidationRule", "dataset"),
    ("verification.OutlierConfirmation", "element"),
    ("verification.SubmissionEvent", "submission"),
    ("cockpit.AlertEvent", "alert"),
    ("indicators.IndicatorTarget", "indicator"),
    ("maps.ThematicFeature", "layer"),
    ("risk.RiskAnswer", "response"),
    ("documents.LetterRoute", "letter"),
]:
    rule(_label, Action.VIEW)(_via(_field))
rule("datasets.DataValue", Action.CHANGE)(_via("element", Action.CHANGE))
rule("verification.Notification", Action.VIEW, Action.CHANGE)(_own_rows)
rule("operations.ContingencyPlanVersion", Action.VIEW)(_signed_in_rows)
rule("operations.Course", Action.VIEW)(_signed_in_rows)
rule("operations.Participant", Action.VIEW)(_signed_in_rows)
rule("risk.MitigationAction", Action.VIEW)(_executive_or_it_rows)
rule("risk.RiskQuestion", Action.VIEW)(_signed_in_rows)
for _label in (
    "operations.ContingencyPlanVersion",
    "operations.Course",
    "operations.Participant",
    "risk.MitigationAction",
    "risk.RiskQuestion",
):
    rule(_label, Action.CHANGE)(_everything_for_it)
rule("operations.PageView", Action.VIEW)(_everything_for_it)  # the usage report


def _public_rows(queryset: QuerySet, user) -> QuerySet:
    return queryset


# Org-unit groups are public reference data like the hierarchy (clusters, health regions, coastal
# units); only IT administrators change them, through poc.groups.groups_import.
for _label in ("poc.OrgUnitGroupSet", "poc.OrgUnitGroup"):
    rule(_label, Action.VIEW)(_public_rows)
    rule(_label, Action.CHANGE, Action.DELETE)(_everything_for_it)

# Models with no per-user rule, and why. A model in neither RULES nor here fails the permission matrix test.
UNSCOPED: dict[str, str] = {
    "poc.OrgUnit": "the administrative hierarchy is public reference data",
    "poc.Period": "periods are calendar facts",
    "poc.OrgUnitChange": "boundary changes are public reference data",
    "poc.MunicipalityArea": "which subdistricts a municipality covers is public reference data",
    "datasets.Topic": "the topic list is the public catalogue's table of contents",
    "datasets.Category": "categories (sex, age group, area) are public catalogue metadata, like DHIS2's",
    "datasets.CategoryOption": "category options are public catalogue metadata",
    "datasets.CategoryCombo": "category combinations are public catalogue metadata",
    "datasets.CategoryComboMember": "a category's place in a combination is public catalogue metadata",
    "datasets.CategoryOptionCombo": "option combinations are generated public catalogue metadata",
    "maps.OrgUnitShape": "simplified public boundaries",
    "maps.MapFeature": "each unit's public map feature (names, boundary), compressed",
    "maps.OverviewFeature": "the same feature with the boundary generalised for country-wide maps, compressed",
    "documents.LetterCounter": "running numbers, reached only through letter_register",
    "verification.Reminder": "a log of e-mails sent, never shown",
}

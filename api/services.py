"""Writes of the API app: personal access tokens (create, revoke, note their use)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import access
from api.categories import CategoryComboError, OptionComboResolver, check_attribute_combo
from api.dhis2 import Dhis2Value
from api.dhis2_periods import from_dhis2
from api.models import ApiToken
from datasets.models import DataElement, DataValue, ValueSource
from datasets.services import CellInput, datavalues_save
from poc import permissions
from poc.models import OrgUnit, Period, User
from poc.periods import PeriodError, PeriodType

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "poc_"
# A token's last use is written at most this often: not one UPDATE per API request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=15)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, expires_days: int | None = None, read_only: bool = False) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and the secret, which is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name (what or who will use it)."), code="name_required")
    if len(name) > 100:
        raise ValidationError(_("The name is longer than 100 characters."), code="name_too_long")
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise ValidationError(_("A token expires after 1 to 3,650 days."), code="bad_expiry")
    if not user.is_active:
        raise ValidationError(_("The user account is not active."), code="inactive_user")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    token = ApiToken(user=user, name=name, prefix=raw[:12], digest=token_digest(raw), read_only=read_only, expires_at=expires_at)
    token.full_clean()
    token.save()
    logger.info("API token %s created for %s (read_only=%s, expires=%s)", token.prefix, user.username, read_only, expires_at)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke ``token`` (its owner or an IT administrator); a revoked token never works again."""
    if not permissions.can(by, "delete", token):
        raise ValidationError(_("You may revoke only your own tokens."), code="not_owner")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("API token %s of %s revoked by %s", token.prefix, token.user.username, by.username)
    return token


def token_note_use(*, token: ApiToken) -> None:
    """Record when a token was last used, to the nearest ``LAST_USED_RESOLUTION``."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- DHIS2 dataValueSets import ------------------------------------------------------------------
class ImportStrategy:
    CREATE_AND_UPDATE = "CREATE_AND_UPDATE"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    ALL = (CREATE_AND_UPDATE, CREATE, UPDATE, DELETE)


@dataclass
class ImportSummary:
    """DHIS2's import summary: counts and a conflict list naming each offending value."""

    strategy: str = ImportStrategy.CREATE_AND_UPDATE
    atomic: bool = True
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[dict] = field(default_factory=list)

    def conflict(self, index: int, obj: str, message: str, prop: str) -> None:
        self.conflicts.append({"object": obj, "objects": {prop: obj}, "value": message, "property": prop, "indexes": [index]})

    @property
    def status(self) -> str:
        if not self.conflicts:
            return "SUCCESS"
        return "WARNING" if self.imported + self.updated + self.deleted else "ERROR"

    def as_dict(self) -> dict:
        return {
            "responseType": "ImportSummary",
            "status": self.status,
            "importOptions": {
                "dryRun": self.dry_run,
                "importStrategy": self.strategy,
                "atomicMode": "ALL" if self.atomic else "NONE",
                "idSchemes": {"idScheme": "CODE"},
            },
            "description": _("Import was successful.") if not self.conflicts else _("%(n)d conflict(s).") % {"n": len(self.conflicts)},
            "importCount": {"imported": self.imported, "updated": self.updated, "ignored": self.ignored, "deleted": self.deleted},
            "conflicts": self.conflicts,
        }


def datavaluesets_import(
    *,
    user: User,
    values: list[Dhis2Value],
    strategy: str = ImportStrategy.CREATE_AND_UPDATE,
    atomic: bool = True,
    dry_run: bool = False,
) -> ImportSummary:
    """Import DHIS2 data values through ``datavalues_save`` (the entry grid's and upload's service), audited as ``api``.

    Identifiers are codes. All-or-nothing unless ``atomic`` is False (then conflicting values are left
    out and the rest saved). ``dry_run`` runs everything and rolls it back, so its counts are exact.
    """
    summary = ImportSummary(strategy=strategy, atomic=atomic, dry_run=dry_run)
    with transaction.atomic():
        cells = _resolve(user, values, summary)
        cells, skipped = _apply_strategy(strategy, cells)
        summary.ignored += skipped + len(summary.conflicts)
        if summary.conflicts and atomic:
            summary.ignored = len(values)
            transaction.set_rollback(True)
            return summary
        if not atomic:  # find the values the service would refuse, and leave them out
            check = datavalues_save(cells=cells, user=user, source=ValueSource.API, dry_run=True)
            refused = {error.ref for error in check.errors}
            for error in check.errors:
                summary.conflict(int(error.ref), values[int(error.ref)].value or "", error.message, "value")
            cells = [c for c in cells if c.ref not in refused]
            summary.ignored += len(refused)
        result = datavalues_save(cells=cells, user=user, source=ValueSource.API)
        for error in result.errors:
            summary.conflict(int(error.ref), values[int(error.ref)].value or "", error.message, "value")
        if result.errors:
            summary.ignored = len(values)
            transaction.set_rollback(True)
            return summary
        summary.imported, summary.updated, summary.deleted = result.created, result.updated, result.deleted
        summary.ignored += result.unchanged
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _resolve(user: User, values: list[Dhis2Value], summary: ImportSummary) -> list[CellInput]:
    """Codes → objects; each value that names something unknown, unreadable, outside the user's area or not
    representable here becomes a conflict. ``ref`` of each cell is the value's index in the request."""
    readable = set(access.readable_datasets(user).values_list("pk", flat=True))
    elements = {
        e.code: e
        for e in DataElement.objects.filter(code__in={v.data_element for v in values}, dataset_id__in=readable).select_related("dataset")
    }
    area = access.entry_unit(user)
    units = {u.code: u for u in OrgUnit.objects.without_shapes().filter(code__in={v.org_unit for v in values})}
    periods: dict[str, Period | str] = {}
    option_combos = OptionComboResolver()
    cells = []
    for index, value in enumerate(values):
        element = elements.get(value.data_element)
        unit = units.get(value.org_unit)
        if element is None:
            summary.conflict(
                index, value.data_element, _("Data element not found or not accessible: %(c)s") % {"c": value.data_element}, "dataElement"
            )
            continue
        if unit is None:
            summary.conflict(index, value.org_unit, _("Org unit not found: %(c)s") % {"c": value.org_unit}, "orgUnit")
            continue
        if area is None or not unit.is_within(area):
            summary.conflict(
                index, value.org_unit, _("Org unit %(c)s is outside the area you may enter data for.") % {"c": unit.code}, "orgUnit"
            )
            continue
        if value.period not in periods:
            try:
                periods[value.period] = Period.objects.for_spec(from_dhis2(value.period))
            except PeriodError as exc:
                periods[value.period] = str(exc)
        period = periods[value.period]
        if isinstance(period, str):
            summary.conflict(index, value.period, period, "period")
            continue
        if period.period_type != element.dataset.period_type:  # e.g. a week (2025W05) sent for a monthly dataset
            kinds = {"kind": PeriodType(period.period_type).label, "want": PeriodType(element.dataset.period_type).label}
            message = _("Period %(p)s does not fit dataset %(d)s: it takes %(want)s periods, not %(kind)s.")
            summary.conflict(index, value.period, message % {"p": value.period, "d": element.dataset.code, **kinds}, "period")
            continue
        try:
            check_attribute_combo(value.attribute_option_combo)
        except CategoryComboError as exc:
            summary.conflict(index, value.attribute_option_combo, str(exc), "attributeOptionCombo")
            continue
        try:
            if value.disaggregation:
                option_combo = option_combos.resolve_adx(element, value.disaggregation)
            else:
                option_combo = option_combos.resolve(element, value.category_option_combo)
        except CategoryComboError as exc:
            named = ", ".join(f"{k}={v}" for k, v in sorted(value.disaggregation.items())) or value.category_option_combo or element.code
            summary.conflict(index, named, str(exc), "categoryOptionCombo")
            continue
        if len(value.comment) > 500:
            summary.conflict(index, value.comment[:40], _("The comment is longer than 500 characters."), "comment")
            continue
        raw = value.value if value.value not in (None, "") else None
        cells.append(
            CellInput(
                element=element, orgunit=unit, period=period, option_combo=option_combo, raw=raw, comment=value.comment, ref=str(index)
            )
        )
    return cells


def _apply_strategy(strategy: str, cells: list[CellInput]) -> tuple[list[CellInput], int]:
    """Keep the cells ``strategy`` acts on (DELETE turns them into clears); returns them and how many were skipped."""
    if strategy == ImportStrategy.CREATE_AND_UPDATE:
        return cells, 0
    existing = set(
        DataValue.objects.filter(
            element_id__in={c.element.pk for c in cells},
            orgunit_id__in={c.orgunit.pk for c in cells},
            period_id__in={c.period.pk for c in cells},
        ).values_list("element_id", "orgunit_id", "period_id", "option_combo_id")
    )
    kept = []
    for cell in cells:
        exists = (cell.element.pk, cell.orgunit.pk, cell.period.pk, cell.option_combo.pk if cell.option_combo else None) in existing
        wanted = not exists if strategy == ImportStrategy.CREATE else exists  # UPDATE and DELETE act on stored values only
        if not wanted:
            continue
        if strategy == ImportStrategy.DELETE:
            cell.raw, cell.comment = None, ""
        kept.append(cell)
    return kept, len(cells) - len(kept)

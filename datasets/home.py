"""The clerk's home-page panel: the forms their agency owes and by when."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from datasets.formstate import obligations
from datasets.models import Dataset
from poc.models import OrgUnit, OrgUnitLevel


def owed_panel(request: HttpRequest) -> dict | None:
    """Shown to users who enter data: each form not yet submitted, most overdue first (None for everyone else)."""
    user = request.user
    if not user.is_authenticated or "data_entry" not in user.role_names:  # not has_role: a superuser is no clerk
        return None
    datasets = list(Dataset.objects.restrict(user, "change").filter(is_active=True).order_by("code"))
    if not datasets:
        return None
    agency = getattr(user, "agency", None)
    units = OrgUnit.objects.without_shapes()
    unit = units.filter(pk=agency.orgunit_id).first() if agency else None
    unit = unit or units.filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
    if unit is None:
        return None
    owed = obligations(datasets, unit, timezone.localdate())
    return {"owed": owed, "overdue": sum(1 for o in owed if o.situation.overdue), "unit": unit}

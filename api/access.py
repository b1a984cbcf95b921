"""Every permission question the API asks, in one place, answered by the same querysets the pages use.

A token acts as its user: nothing is readable or writable here that the user could not read or write in
the browser: each function asks the project's one permission layer (``poc.permissions``).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from datasets.models import Dataset, DatasetQuerySet, Sensitivity
from poc import permissions
from poc.models import OrgUnit, OrgUnitLevel, User


def readable_datasets(user: User | AnonymousUser) -> DatasetQuerySet:
    """Datasets whose values ``user`` may read: as the catalogue, history and CSV download pages."""
    return Dataset.objects.restrict(user, "view")


def public_datasets() -> DatasetQuerySet:
    """Datasets of the open-data catalogue (no login), as ``/open-data/``."""
    return Dataset.objects.filter(sensitivity=Sensitivity.PUBLIC, is_active=True)


def writable_datasets(user: User) -> DatasetQuerySet:
    """Datasets ``user`` may write values for (``datavalues_save`` checks this again itself)."""
    return Dataset.objects.restrict(user, "change")


def entry_unit(user: User) -> OrgUnit | None:
    """The org unit under which ``user`` may enter values: as the entry grid (their agency's unit, or the province)."""
    agency = getattr(user, "agency", None)
    if agency and not permissions.is_it_admin(user):
        return OrgUnit.objects.without_shapes().filter(pk=agency.orgunit_id).first()
    return OrgUnit.objects.without_shapes().filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()

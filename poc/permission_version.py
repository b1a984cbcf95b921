"""The permissions version: one counter that every change able to alter a user's agency scope bumps.

``poc.permissions.agency_ids_for`` keeps each user's answer (the agencies on which they hold ``enter_data``,
``verify_data`` or ``view_restricted``, from django-guardian) in the shared cache under this version, so a page no
longer asks guardian (two permission queries and a nested subquery) on every request. The answer depends on:
the user's object permissions and their groups' (guardian's tables), their group memberships and global
permissions, the groups' permissions, the user row (superuser, active) and the set of agencies (global holders
see all). A save or delete of any of those rows, or a change of those many-to-many relations, bumps the version
(:func:`connect`), so every cached answer is dropped at once, for all users: changes to permissions are rare, reads
are on every page.

The bump happens at once (a transaction reads its own grant or revoke) and again when the transaction commits (an
answer computed by another request while the change was not yet committed is then not kept under the new version).
Answers also expire after :data:`SECONDS`, a bound for a change made behind the ORM's back (raw SQL).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from poc import cache_versions, request_memo

T = TypeVar("T")

NAME = "permissions"
SECONDS = 300
# A sign-in writes ``last_login`` (and a password change its hash): neither changes what the user may do.
_HARMLESS_USER_FIELDS = frozenset({"last_login", "password", "must_change_password"})


def bump() -> None:
    cache_versions.bump(NAME)
    transaction.on_commit(lambda: cache_versions.bump(NAME))


def current() -> int:
    return cache_versions.current(NAME)


def remember(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the shared cache under ``name`` and the current version (and for this request)."""
    key = f"permissions:{name}:{current()}"
    return request_memo.remember(key, lambda: cache.get_or_set(key, compute, SECONDS))


def _changed(sender, **kwargs) -> None:
    bump()


def _user_saved(sender, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= _HARMLESS_USER_FIELDS:
        return
    bump()


def _relation_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def connect() -> None:
    """Called from ``PocConfig.ready``: the rows and relations ``agency_ids_for`` reads."""
    from django.contrib.auth.models import Group, Permission
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    from poc.models import Agency, User

    for model in (get_user_obj_perms_model(), get_group_obj_perms_model(), Group, Permission, Agency):
        uid = f"permission-version:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
    post_save.connect(_user_saved, sender=User, dispatch_uid="permission-version:user:save", weak=False)
    post_delete.connect(_changed, sender=User, dispatch_uid="permission-version:user:delete", weak=False)
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_relation_changed, sender=through, dispatch_uid=f"permission-version:{through._meta.label}", weak=False)

"""Writes for the foundation: accounts, roles and per-agency object permissions."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from poc.exports import csv_text
from poc.models import Agency, Role, User

# Object permissions on the user's own agency that each role grants.
ROLE_AGENCY_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.DATA_ENTRY: ("enter_data", "view_restricted"),
    Role.VERIFIER: ("verify_data", "view_restricted"),
    Role.EXECUTIVE: (),
    Role.IT_ADMIN: (),
}
# Province-wide (global) permissions for IT administrators and for verifiers of the provincial IT group.
PROVINCE_WIDE_PERMISSIONS = ("verify_data", "view_restricted")


def role_groups() -> dict[str, Group]:
    return {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}


def user_set_roles(*, user: User, roles: list[str]) -> None:
    """Give ``user`` exactly ``roles`` and the matching permissions on their agency."""
    groups = role_groups()
    unknown = set(roles) - set(groups)
    if unknown:
        raise ValidationError(_("Unknown role(s): %(roles)s") % {"roles": ", ".join(sorted(unknown))}, code="unknown_role")
    user.groups.set([groups[r] for r in roles])
    user.__dict__.pop("_role_names", None)
    global_perms = Permission.objects.filter(content_type__app_label="poc", codename__in=PROVINCE_WIDE_PERMISSIONS)
    province_wide = Role.IT_ADMIN in roles or (Role.VERIFIER in roles and user.agency and user.agency.is_provincial_it)
    if province_wide:
        user.user_permissions.add(*global_perms)
    else:
        user.user_permissions.remove(*global_perms)
    if user.agency:
        for role in roles:
            for codename in ROLE_AGENCY_PERMISSIONS[role]:
                assign_perm(f"poc.{codename}", user, user.agency)
    user.is_staff = Role.IT_ADMIN in roles or user.is_superuser


def user_create(
    *, username: str, agency: Agency | None, roles: list[str], password: str | None = None, must_change_password: bool = True, **fields
) -> tuple[User, str]:
    """Create an account; returns the user and the (one-time) password."""
    password = password or generate_password()
    user = User(username=username, agency=agency, must_change_password=must_change_password, **fields)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles)
    user.save()
    return user, password


def generate_password() -> str:
    """A one-time password that a spreadsheet shows as typed: never starting with a formula character
    (the CSV export neutralises such cells with an apostrophe, which the user would then copy)."""
    while True:
        password = secrets.token_urlsafe(12)
        if password[0].isalnum():
            return password


@dataclass
class AccountsResult:
    created: list[tuple[User, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def output_csv(self) -> str:
        rows = [[u.username, u.agency.code if u.agency else "", ";".join(sorted(u.role_names)), password] for u, password in self.created]
        return csv_text(["username", "agency_code", "roles", "one_time_password"], rows)


def _username_problems(username: str) -> list[str]:
    """What the user model would refuse in ``username`` (length, characters), as messages for the row."""
    field = User._meta.get_field("username")
    if len(username) > field.max_length:
        return [_("username is longer than %(n)d characters") % {"n": field.max_length}]
    try:
        field.run_validators(username)
    except ValidationError as exc:
        return [_("username %(u)s: %(e)s") % {"u": username, "e": " ".join(exc.messages)}]
    return []


ACCOUNT_COLUMNS = ("agency_code", "username", "first_name", "last_name", "email", "roles")


def accounts_create_from_csv(text: str) -> AccountsResult:
    """Bulk-issue per-agency accounts. Every row is checked first; any error means nothing is created."""
    result = AccountsResult()
    if "\x00" in text:  # PostgreSQL text cannot hold NUL; such a file is not a real CSV export
        result.errors.append(_("The CSV file is malformed: %(error)s") % {"error": "NUL"})
        return result
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        records = list(reader)
    except csv.Error as exc:
        result.errors.append(_("The CSV file is malformed: %(error)s") % {"error": exc})
        return result
    missing = [c for c in ("agency_code", "username", "roles") if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append(_("Missing column(s): %(cols)s") % {"cols": ", ".join(missing)})
        return result
    agencies = Agency.objects.in_bulk(field_name="code")
    rows, seen = [], set()
    for number, row in enumerate(records, start=2):
        username = (row.get("username") or "").strip()
        roles = [r.strip() for r in (row.get("roles") or "").replace(",", ";").split(";") if r.strip()]
        agency = agencies.get((row.get("agency_code") or "").strip())
        problems = []
        if not username:
            problems.append(_("username is empty"))
        elif invalid := _username_problems(username):
            problems.extend(invalid)
        elif username in seen or User.objects.filter(username=username).exists():
            problems.append(_("username %(u)s already exists") % {"u": username})
        if agency is None:
            problems.append(_("unknown agency code %(c)s") % {"c": row.get("agency_code")})
        bad_roles = set(roles) - set(Role.values)
        if not roles or bad_roles:
            problems.append(_("roles must be among %(r)s") % {"r": ", ".join(Role.values)})
        email = (row.get("email") or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("invalid e-mail %(e)s") % {"e": email})
        if problems:
            result.errors.append(_("Row %(n)d: %(p)s") % {"n": number, "p": "; ".join(problems)})
        seen.add(username)
        rows.append((username, agency, roles, row))
    if not rows and not result.errors:
        result.errors.append(_("The file has no rows."))
    if result.errors:
        return result
    with transaction.atomic():
        for username, agency, roles, row in rows:
            result.created.append(
                user_create(
                    username=username,
                    agency=agency,
                    roles=roles,
                    first_name=(row.get("first_name") or "").strip(),
                    last_name=(row.get("last_name") or "").strip(),
                    email=(row.get("email") or "").strip(),
                )
            )
    return result

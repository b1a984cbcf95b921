"""Org-unit groups, group sets and municipalities from CSV: one service per file kind, behind the
``import_orgunit_groups`` / ``import_municipalities`` commands and the IT administrator's upload page.

Groups file, one row per membership (a group listed with no member code is created empty)::

    set_code,set_name_th,set_name_en,exclusive,group_code,group_name_th,group_name_en,member_code
    local_gov_type,ประเภทองค์กรปกครองส่วนท้องถิ่น,Local government type,yes,city,เทศบาลนคร,City municipality,2199

Municipalities file, one row per covered subdistrict (``share`` of its population, optional)::

    code,name_th,name_en,parent_code,subdistrict_code,share

A group or municipality named in a file gets exactly the file's members/areas; others are left alone.
Every row is checked before anything is written and the whole file is one transaction: a bad row
saves nothing and is reported as "row 12: …" in the user's language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datasets.readers import Limits, ReadError, cell_text, decode_text, read_text
from poc import permissions
from poc.audit import audit
from poc.models import MunicipalityArea, OrgUnit, OrgUnitGroup, OrgUnitGroupSet, OrgUnitLevel

GROUP_COLUMNS = ("set_code", "set_name_th", "set_name_en", "exclusive", "group_code", "group_name_th", "group_name_en", "member_code")
MUNICIPALITY_COLUMNS = ("code", "name_th", "name_en", "parent_code", "subdistrict_code", "share")
TRUE_WORDS = {"1", "yes", "y", "true", "ใช่", "x"}
FALSE_WORDS = {"", "0", "no", "n", "false", "ไม่"}


class GroupFileError(ValueError):
    """The file as a whole cannot be used (encoding, columns); the message says what to do."""


@dataclass
class GroupImportReport:
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # member codes not in this portal, when allowed
    created: int = 0
    changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _records(content: bytes, columns: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {column: text}) for every non-empty data row."""
    try:
        text, _encoding = decode_text(content)
        sheet = read_text(text, limits=Limits.from_settings())
    except ReadError as exc:
        raise GroupFileError(str(exc)) from None
    if not sheet.rows:
        raise GroupFileError(_("The file is empty."))
    header = [cell_text(cell).lower().lstrip("\ufeff") for cell in sheet.rows[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise GroupFileError(_("Missing column(s): %(columns)s. The first row must name the columns.") % {"columns": ", ".join(missing)})
    records = []
    for number, row in enumerate(sheet.rows[1:], start=2):
        record = {name: cell_text(row[header.index(name)]) if header.index(name) < len(row) else "" for name in columns if name in header}
        if any(record.values()):
            records.append((number, record))
    return records


def _flag(text: str) -> bool | None:
    word = text.strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def _check(instance, number: int, errors: list[str]) -> None:
    try:
        instance.full_clean(validate_unique=False)
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            errors.append(_("row %(row)s: %(field)s: %(message)s") % {"row": number, "field": field_name, "message": " ".join(messages)})


def groups_import(*, user, content: bytes, allow_unknown_members: bool = False) -> GroupImportReport:
    """Create or update group sets and groups from a groups CSV (see module docstring). All or nothing.

    ``allow_unknown_members`` skips (and reports) member codes this portal does not hold, e.g. the
    other provinces of a cluster when only one province's hierarchy is loaded.
    """
    if user is not None:
        permissions.require_gate(user, permissions.Gate.IT_ADMIN, _("Only IT administrators change org-unit groups."))
    report = GroupImportReport()
    records = _records(content, GROUP_COLUMNS, ("group_code", "group_name_th", "member_code"))
    sets: dict[str, dict[str, object]] = {}
    groups: dict[str, dict[str, object]] = {}
    members: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for number, record in records:
        set_code, group_code = record.get("set_code", ""), record["group_code"]
        if not group_code:
            report.errors.append(_("row %(row)s: the group code is empty") % {"row": number})
            continue
        if set_code:
            exclusive = _flag(record.get("exclusive", ""))
            if exclusive is None:
                message = _("row %(row)s: “exclusive” must be yes or no, not “%(value)s”")
                report.errors.append(message % {"row": number, "value": record["exclusive"]})
                continue
            wanted = {"name_th": record.get("set_name_th") or set_code, "name_en": record.get("set_name_en", ""), "exclusive": exclusive}
            if sets.setdefault(set_code, wanted) != wanted:
                message = _("row %(row)s: group set %(code)s is described differently on an earlier row")
                report.errors.append(message % {"row": number, "code": set_code})
        wanted = {"name_th": record["group_name_th"], "name_en": record.get("group_name_en", ""), "set": set_code, "row": number}
        known = groups.setdefault(group_code, wanted)
        if {k: v for k, v in known.items() if k != "row"} != {k: v for k, v in wanted.items() if k != "row"}:
            message = _("row %(row)s: group %(code)s is described differently on an earlier row")
            report.errors.append(message % {"row": number, "code": group_code})
        if record["member_code"]:
            members[group_code].append((number, record["member_code"]))

    units = dict(OrgUnit.objects.filter(code__in={c for rows in members.values() for _n, c in rows}).values_list("code", "pk"))
    for rows in members.values():
        for number, code in rows:
            if code in units:
                continue
            if allow_unknown_members:
                report.skipped.append(code)
            else:
                report.errors.append(_("row %(row)s: no org unit has the code %(code)s") % {"row": number, "code": code})

    # Exclusive sets: a unit in at most one group, counting the set's groups this file leaves alone.
    for set_code, described in sets.items():
        if not described["exclusive"]:
            continue
        holder: dict[str, str] = {}
        untouched = OrgUnitGroup.members.through.objects.filter(
            orgunitgroup__group_set__code=set_code, orgunit__code__in=list(units)
        ).exclude(orgunitgroup__code__in=list(groups))
        for code, group_code in untouched.values_list("orgunit__code", "orgunitgroup__code"):
            holder[code] = group_code
        for group_code, described_group in groups.items():
            if described_group["set"] != set_code:
                continue
            for number, code in members[group_code]:
                other = holder.setdefault(code, group_code)
                if other != group_code:
                    report.errors.append(
                        _("row %(row)s: %(code)s is already in group %(other)s, and set %(set)s is exclusive")
                        % {"row": number, "code": code, "other": other, "set": set_code}
                    )
    for code, described in groups.items():
        _check(OrgUnitGroup(code=code, name_th=described["name_th"], name_en=described["name_en"]), described["row"], report.errors)
    if not report.ok:
        return report

    with transaction.atomic():
        saved_sets: dict[str, OrgUnitGroupSet] = {}
        for code, described in sets.items():
            group_set, created = OrgUnitGroupSet.objects.update_or_create(code=code, defaults=described)
            saved_sets[code] = group_set
            audit(user, group_set, "add" if created else "change", _("imported from a groups file"))
        for code, described in groups.items():
            group, created = OrgUnitGroup.objects.update_or_create(
                code=code,
                defaults={"name_th": described["name_th"], "name_en": described["name_en"], "group_set": saved_sets.get(described["set"])},
            )
            before = set(group.members.values_list("pk", flat=True))
            after = {units[c] for _n, c in members[code] if c in units}
            group.members.set(after)
            if created:
                report.created += 1
            elif before != after:
                report.changed += 1
            audit(user, group, "add" if created else "change", _("imported from a groups file: %(n)s member(s)") % {"n": len(after)})
    return report


def _share(text: str) -> float | None:
    """A share as 0–1 or a percentage ("40%"); ValueError when it is neither."""
    if not text:
        return None
    value = float(text.rstrip("%").strip().replace(",", "."))
    return value / 100 if text.endswith("%") else value


def municipalities_import(*, user, content: bytes) -> GroupImportReport:
    """Create or update municipalities (org units of level MUNICIPALITY under a province) and the
    subdistricts each covers, from a municipalities CSV (see module docstring). All or nothing."""
    if user is not None:
        permissions.require_gate(user, permissions.Gate.IT_ADMIN, _("Only IT administrators change municipalities."))
    report = GroupImportReport()
    records = _records(content, MUNICIPALITY_COLUMNS, ("code", "name_th", "parent_code", "subdistrict_code"))
    codes = {r["parent_code"] for _n, r in records} | {r["subdistrict_code"] for _n, r in records} | {r["code"] for _n, r in records}
    known = {u.code: u for u in OrgUnit.objects.without_shapes().filter(code__in=codes)}
    municipalities: dict[str, dict[str, str]] = {}
    areas: dict[str, dict[str, float | None]] = defaultdict(dict)
    for number, record in records:
        code, parent, subdistrict = record["code"], known.get(record["parent_code"]), known.get(record["subdistrict_code"])
        unit = known.get(code)
        problems = []
        if not code or not record["name_th"]:
            problems.append(_("the code and Thai name are required"))
        if unit is not None and unit.level != OrgUnitLevel.MUNICIPALITY:
            problems.append(_("%(code)s is already an org unit of another level") % {"code": code})
        if parent is None or parent.level != OrgUnitLevel.PROVINCE:
            problems.append(_("the parent %(code)s is not a province of this portal") % {"code": record["parent_code"]})
        if subdistrict is None or subdistrict.level != OrgUnitLevel.SUBDISTRICT:
            problems.append(_("%(code)s is not a subdistrict of this portal") % {"code": record["subdistrict_code"]})
        elif parent is not None and not subdistrict.is_within(parent):
            problems.append(_("subdistrict %(code)s is not in province %(parent)s") % {"code": subdistrict.code, "parent": parent.code})
        try:
            share = _share(record.get("share", ""))
            if share is not None and not 0 < share <= 1:
                raise ValueError
        except ValueError:
            problems.append(_("the share “%(value)s” is not a number between 0 and 1 (or 0–100%%)") % {"value": record["share"]})
            share = None
        described = {"name_th": record["name_th"], "name_en": record.get("name_en", ""), "parent_code": record["parent_code"]}
        if municipalities.setdefault(code, described) != described:
            problems.append(_("municipality %(code)s is described differently on an earlier row") % {"code": code})
        if record["subdistrict_code"] in areas[code]:
            problems.append(_("subdistrict %(code)s is listed twice") % {"code": record["subdistrict_code"]})
        report.errors.extend(_("row %(row)s: %(problem)s") % {"row": number, "problem": p} for p in problems)
        areas[code][record["subdistrict_code"]] = share
    if not report.ok:
        return report

    with transaction.atomic():
        for code, described in municipalities.items():
            unit = known.get(code) or OrgUnit(code=code, level=OrgUnitLevel.MUNICIPALITY)
            created = unit.pk is None
            unit.name_th, unit.name_en, unit.parent = described["name_th"], described["name_en"], known[described["parent_code"]]
            unit.full_clean(validate_unique=False)
            unit.save()
            MunicipalityArea.objects.filter(municipality=unit).delete()
            MunicipalityArea.objects.bulk_create(
                MunicipalityArea(municipality=unit, subdistrict=known[sub], share=share) for sub, share in areas[code].items()
            )
            report.created += created
            report.changed += not created
            covered = ", ".join(f"{sub}" + (f" ({share:.0%})" if share else "") for sub, share in areas[code].items())
            audit(user, unit, "add" if created else "change", _("municipality imported; covers %(areas)s") % {"areas": covered})
    return report

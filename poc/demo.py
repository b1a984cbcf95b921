"""Demo seed for the foundation: hierarchy, villages, agencies and one account per role.

Uses Rayong's real hierarchy and boundaries from ``POC_REFERENCE_DIR`` (the copy shipped in
``data/rayong`` by default), otherwise a generated province (code 99, as the tests use).
Deterministic: the same input always gives the same rows. Other apps add their own demo data in
``<app>/demo.py`` (see the ``seed_demo`` command), reading what this returns.
"""

from __future__ import annotations

import csv
import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point
from django.db import transaction

from poc.groups import groups_import, municipalities_import
from poc.models import Agency, OrgUnit, OrgUnitGroup, OrgUnitLevel, Role, User
from poc.orgunit_import import orgunits_import
from poc.services import user_create, user_set_roles

DEMO_PASSWORD_ENV = "POC_DEMO_PASSWORD"
DEFAULT_DEMO_PASSWORD = "poc-demo-2568"
VILLAGE_NAMES = [
    "หนองบัว",
    "โคกสูง",
    "ดอนแดง",
    "ท่าเรือ",
    "ห้วยยาง",
    "หนองแฟบ",
    "มาบชลูด",
    "เนินสูง",
    "คลองใหญ่",
    "หนองละลอก",
    "บ่อวิน",
    "ชากลูกหญ้า",
    "ทุ่งควายกิน",
    "เขาน้อย",
    "วังหว้า",
    "สะพานหิน",
    "หัวถนน",
    "ตลาดเก่า",
    "ป่ายุบ",
    "สองสลึง",
]
DEMO_ACCOUNTS = [
    # username, role(s), agency code, first name, position
    ("admin", [Role.IT_ADMIN], "PROV-OFFICE", "ผู้ดูแลระบบ", "นักวิชาการคอมพิวเตอร์"),
    ("itadmin", [Role.IT_ADMIN], "PROV-OFFICE", "กลุ่มงานข้อมูลสารสนเทศ", "นักวิชาการคอมพิวเตอร์"),
    ("governor", [Role.EXECUTIVE], "PROV-OFFICE", "ผู้ว่าราชการจังหวัด", "ผู้ว่าราชการจังหวัด"),
    ("deputy", [Role.EXECUTIVE], "PROV-OFFICE", "รองผู้ว่าราชการจังหวัด", "รองผู้ว่าราชการจังหวัด"),
    ("verifier", [Role.VERIFIER], "PROV-OFFICE", "ผู้ตรวจสอบข้อมูล", "นักวิเคราะห์นโยบายและแผน"),
    ("entry", [Role.DATA_ENTRY], "PROV-AGRI", "เจ้าหน้าที่บันทึกข้อมูล", "นักวิชาการเกษตร"),
    ("entry_health", [Role.DATA_ENTRY], "PROV-HEALTH", "เจ้าหน้าที่สาธารณสุข", "นักวิชาการสาธารณสุข"),
    ("entry_dopa", [Role.DATA_ENTRY], "PROV-DOPA", "เจ้าหน้าที่ทะเบียนราษฎร", "เจ้าพนักงานปกครอง"),
    ("agri_verifier", [Role.VERIFIER], "PROV-AGRI", "ผู้ตรวจสอบเกษตร", "นักวิชาการเกษตรชำนาญการ"),
    ("health_verifier", [Role.VERIFIER], "PROV-HEALTH", "ผู้ตรวจสอบสาธารณสุข", "นักวิชาการสาธารณสุขชำนาญการ"),
]


def demo_password() -> str:
    return os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)


def reference_dir() -> Path | None:
    path = Path(settings.POC_REFERENCE_DIR)
    return path if (path / "rayong_admin.csv").is_file() else None


def generated_province_geojson(path: Path) -> None:
    """A made-up province (code 99) of 4 districts × 5 subdistricts on a grid, as GeoJSON."""
    features = []
    origin_lon, origin_lat, size = 100.8, 12.5, 0.1

    def box(col: float, row: float, width: float, height: float) -> list:
        x0, y0 = origin_lon + col * size, origin_lat + row * size
        return [[[[x0, y0], [x0 + width * size, y0], [x0 + width * size, y0 + height * size], [x0, y0 + height * size], [x0, y0]]]]

    def feature(code: str, name: str, name_en: str, parent: str, level: str, coords: list) -> dict:
        props = {"code": code, "name_th": name, "name_en": name_en, "parent_code": parent, "level": level}
        return {"type": "Feature", "properties": props, "geometry": {"type": "MultiPolygon", "coordinates": coords}}

    features.append(feature("99", "ตัวอย่าง", "Sample", "", "province", box(0, 0, 4, 5)))
    for d in range(4):
        district = f"99{d + 1:02d}"
        features.append(feature(district, f"เมืองตัวอย่าง {d + 1}", f"Sample District {d + 1}", "99", "district", box(d, 0, 1, 5)))
        for s in range(5):
            code = f"{district}{s + 1:02d}"
            features.append(
                feature(
                    code, f"ตำบลตัวอย่าง {d + 1}-{s + 1}", f"Sample Subdistrict {d + 1}-{s + 1}", district, "subdistrict", box(d, s, 1, 1)
                )
            )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")


def seed_hierarchy(stdout: Any = None) -> OrgUnit:
    ref = reference_dir()
    if ref:
        files = [_boundary_file(ref, level) for level in ("province", "district", "subdistrict")]
        for file in files:
            report = orgunits_import(file)
            if not report.ok:
                raise RuntimeError("\n".join(report.lines()))
        _apply_office_points(ref / "rayong_admin.csv")
        return OrgUnit.objects.get(code="21")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated_province.geojson"
        generated_province_geojson(path)
        report = orgunits_import(path)
        if not report.ok:
            raise RuntimeError("\n".join(report.lines()))
    return OrgUnit.objects.get(code="99")


def seed_groups() -> tuple[int, int]:
    """Rayong's municipalities (2197, 2199 share subdistrict 210109) and its groups: the Eastern cluster,
    health region 6, the EEC, local government type, the coastal subdistricts. Codes of other provinces
    are skipped unless their hierarchy is loaded. Returns (municipalities, groups)."""
    ref = reference_dir()
    if ref is None or not (ref / "orgunit_groups.csv").is_file():
        return 0, 0
    for report in (
        municipalities_import(user=None, content=(ref / "municipalities.csv").read_bytes()),
        groups_import(user=None, content=(ref / "orgunit_groups.csv").read_bytes(), allow_unknown_members=True),
    ):
        if not report.ok:
            raise RuntimeError("\n".join(report.errors))
    return OrgUnit.objects.filter(level=OrgUnitLevel.MUNICIPALITY).count(), OrgUnitGroup.objects.count()


def _boundary_file(ref: Path, level: str) -> Path:
    """Full-resolution boundaries when the reference has them; the repository ships the simplified ones."""
    full = ref / "rayong_boundaries" / f"rayong_{level}.geojson"
    return full if full.is_file() else full.with_name(f"rayong_{level}_simplified.geojson")


def _apply_office_points(admin_csv: Path) -> None:
    """Province hall and district offices are better map anchors than polygon centroids."""
    with admin_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("office_lat") and row.get("office_lon"):
                OrgUnit.objects.filter(code=row["code"]).update(point=Point(float(row["office_lon"]), float(row["office_lat"]), srid=4326))


def _random_point_in(geom: MultiPolygon, rng: random.Random) -> Point:
    xmin, ymin, xmax, ymax = geom.extent
    for _attempt in range(50):
        candidate = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326)
        if geom.contains(candidate):
            return candidate
    return geom.point_on_surface


def seed_villages(province: OrgUnit, rng: random.Random) -> int:
    """Villages (muban) as points inside their subdistrict: the reference has no village layer."""
    villages = []
    existing = set(OrgUnit.objects.subtree(province).filter(level=OrgUnitLevel.VILLAGE).values_list("code", flat=True))
    for subdistrict in OrgUnit.objects.subtree(province).filter(level=OrgUnitLevel.SUBDISTRICT).order_by("code"):
        for number in range(1, rng.randint(5, 12) + 1):
            code = f"{subdistrict.code}{number:02d}"
            name = rng.choice(VILLAGE_NAMES)
            point = _random_point_in(subdistrict.geom, rng) if subdistrict.geom else subdistrict.point
            if code in existing:
                continue
            unit = OrgUnit(
                code=code,
                name_th=f"หมู่ที่ {number} บ้าน{name}",
                name_en=f"Moo {number}",
                level=OrgUnitLevel.VILLAGE,
                parent=subdistrict,
                point=point,
            )
            unit.path = unit.build_path()
            villages.append(unit)
    OrgUnit.objects.bulk_create(villages, batch_size=2000)
    return len(villages)


def seed_agencies(province: OrgUnit, letter_code: str) -> dict[str, Agency]:
    names = {"province": province.name_th, "province_en": province.name_en or province.name_th}
    with (Path(__file__).parent / "data" / "demo_agencies.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Agency.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_th": row["name_th"].format(**names),
                    "name_en": row["name_en"].format(**names),
                    "kind": row["kind"],
                    "orgunit": province,
                    "letter_prefix": f"{letter_code} {row['office_code']}",
                    "is_provincial_it": row["is_provincial_it"] == "1",
                },
            )
    for number, district in enumerate(province.children.filter(level=OrgUnitLevel.DISTRICT).order_by("code"), start=1):
        Agency.objects.update_or_create(
            code=f"DIST-{district.code}",
            defaults={
                "name_th": f"ที่ว่าการอำเภอ{district.name_th}",
                "name_en": f"{district.name_en} District Office",
                "kind": "regional",
                "orgunit": district,
                "letter_prefix": f"{letter_code} {number + 1:02d}",
            },
        )
    return Agency.objects.in_bulk(field_name="code")


def seed_accounts(agencies: dict[str, Agency]) -> dict[str, User]:
    users = {}
    for username, roles, agency_code, first_name, position in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _password = user_create(
                username=username,
                agency=agencies[agency_code],
                roles=roles,
                password=demo_password(),
                must_change_password=False,
                first_name=first_name,
                position=position,
                email=f"{username}@example.go.th",
            )
        else:
            user_set_roles(user=user, roles=roles)
            user.save()
        if username == "admin" and not user.is_superuser:
            user.is_superuser = user.is_staff = True
            user.save()
        users[username] = user
    return users


@transaction.atomic
def seed(context: dict[str, Any]) -> None:
    rng = random.Random(2568)
    province = seed_hierarchy()
    context["province"] = province
    context["villages"] = seed_villages(province, rng)
    municipalities, groups = seed_groups()
    letter_code = "รย" if province.code == "21" else "ตย"
    context["agencies"] = seed_agencies(province, letter_code)
    context["users"] = seed_accounts(context["agencies"])
    context.setdefault("log", []).append(
        f"hierarchy {province.name_th}: {OrgUnit.objects.subtree(province).count()} units "
        f"({municipalities} municipalities), {groups} org-unit groups, "
        f"{len(context['agencies'])} agencies, {len(context['users'])} demo accounts"
    )

"""Org-unit groups, group sets and municipalities: the CSV services, the command, the rules and the demo files."""

import io
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from poc.groups import GroupFileError, groups_import, municipalities_import
from poc.models import MunicipalityArea, OrgUnit, OrgUnitGroup, OrgUnitGroupSet, OrgUnitLevel

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "data" / "rayong"
HEADER = "set_code,set_name_th,set_name_en,exclusive,group_code,group_name_th,group_name_en,member_code\n"


@pytest.fixture
def tree():
    province = OrgUnit.objects.create(code="21", name_th="ระยอง", level=OrgUnitLevel.PROVINCE)
    district = OrgUnit.objects.create(code="2101", name_th="เมืองระยอง", level=OrgUnitLevel.DISTRICT, parent=province)
    subs = {
        code: OrgUnit.objects.create(code=code, name_th=name, level=OrgUnitLevel.SUBDISTRICT, parent=district)
        for code, name in [("210101", "ท่าประดู่"), ("210109", "เนินพระ"), ("210114", "มาบตาพุด")]
    }
    return {"province": province, "district": district, **subs}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def members(code: str) -> list[str]:
    return sorted(OrgUnitGroup.objects.get(code=code).members.values_list("code", flat=True))


def test_groups_file_creates_sets_groups_and_members_and_audits(tree, it_admin):
    report = groups_import(
        user=it_admin,
        content=csv_bytes(
            "geography,ภูมิศาสตร์,Geography,no,coastal,ชายฝั่ง,Coastal,210101",
            "geography,ภูมิศาสตร์,Geography,no,coastal,ชายฝั่ง,Coastal,210114",
            ",,,,eec,อีอีซี,EEC,21",
        ),
    )
    assert report.ok and report.created == 2
    assert members("coastal") == ["210101", "210114"] and members("eec") == ["21"]
    geography = OrgUnitGroupSet.objects.get(code="geography")
    assert geography.exclusive is False and OrgUnitGroup.objects.get(code="eec").group_set is None
    logged = LogEntry.objects.filter(user=it_admin, object_repr__startswith="coastal")
    assert logged.count() == 1 and "2 member(s)" in logged.get().change_message

    # A second file names coastal again: its members become exactly the file's.
    report = groups_import(user=it_admin, content=csv_bytes("geography,ภูมิศาสตร์,Geography,no,coastal,ชายฝั่ง,Coastal,210109"))
    assert report.ok and report.changed == 1 and members("coastal") == ["210109"] and members("eec") == ["21"]


def test_exclusive_set_refuses_a_unit_in_two_groups_and_saves_nothing(tree, it_admin):
    groups_import(user=it_admin, content=csv_bytes("lg,ประเภท,Type,yes,city,เทศบาลนคร,City,210101"))
    report = groups_import(
        user=it_admin,
        content=csv_bytes("lg,ประเภท,Type,yes,town,เทศบาลเมือง,Town,210114", "lg,ประเภท,Type,yes,town,เทศบาลเมือง,Town,210101"),
    )
    assert report.errors == ["row 3: 210101 is already in group city, and set lg is exclusive"]
    assert not OrgUnitGroup.objects.filter(code="town").exists() and members("city") == ["210101"]


def test_bad_rows_are_all_reported_with_their_row_numbers_and_nothing_is_saved(tree, it_admin):
    report = groups_import(
        user=it_admin,
        content=csv_bytes(
            "geo,ภูมิศาสตร์,Geography,maybe,coastal,ชายฝั่ง,Coastal,210101",
            ",,,,eec,อีอีซี,EEC,88",
            ",,,,,ไม่มีรหัส,,21",
            ",,,,eec,ชื่ออื่น,EEC,21",
        ),
    )
    assert report.errors == [
        "row 2: “exclusive” must be yes or no, not “maybe”",
        "row 4: the group code is empty",
        "row 5: group eec is described differently on an earlier row",
        "row 3: no org unit has the code 88",
    ]
    assert not OrgUnitGroup.objects.exists() and not OrgUnitGroupSet.objects.exists()


def test_unknown_members_can_be_skipped_for_clusters_beyond_the_portal(tree):
    report = groups_import(
        user=None,
        content=csv_bytes("c,กลุ่มจังหวัด,Cluster,yes,east,ตะวันออก,East,20", "c,กลุ่มจังหวัด,Cluster,yes,east,ตะวันออก,East,21"),
        allow_unknown_members=True,
    )
    assert report.ok and report.skipped == ["20"] and members("east") == ["21"]


def test_an_empty_file_or_one_without_the_columns_is_refused_clearly(tree, it_admin):
    with pytest.raises(GroupFileError, match="Missing column"):
        groups_import(user=it_admin, content=b"code,name\n1,2\n")
    with pytest.raises(GroupFileError, match="empty"):
        groups_import(user=it_admin, content=b"")


def test_only_it_administrators_import_groups(tree, entry_a):
    with pytest.raises(PermissionDenied):
        groups_import(user=entry_a, content=csv_bytes(",,,,eec,อีอีซี,EEC,21"))
    assert not OrgUnitGroup.objects.exists()
    assert not OrgUnitGroup.objects.restrict(entry_a, "change").exists()


def test_municipalities_are_their_own_level_under_the_province_and_share_a_subdistrict(tree, it_admin):
    content = (
        "code,name_th,name_en,parent_code,subdistrict_code,share\n"
        "2199,เทศบาลนครระยอง,Rayong City,21,210101,\n"
        "2199,เทศบาลนครระยอง,Rayong City,21,210109,40%\n"
        "2197,เทศบาลเมืองมาบตาพุด,Map Ta Phut,21,210114,1\n"
        "2197,เทศบาลเมืองมาบตาพุด,Map Ta Phut,21,210109,0.6\n"
    ).encode()
    report = municipalities_import(user=it_admin, content=content)
    assert report.ok and report.created == 2
    city = OrgUnit.objects.get(code="2199")
    assert city.level == OrgUnitLevel.MUNICIPALITY and city.parent == tree["province"] and city.path == "21/2199/"
    split = MunicipalityArea.objects.filter(subdistrict=tree["210109"]).order_by("municipality__code")
    assert [(a.municipality.code, a.share) for a in split] == [("2197", 0.6), ("2199", 0.4)]
    # The drill-down from the province lists its districts only.
    assert list(OrgUnit.objects.in_tree().filter(parent=tree["province"])) == [tree["district"]]
    assert LogEntry.objects.filter(user=it_admin, object_id=str(city.pk), change_message__contains="210109 (40%)").exists()


def test_bad_municipality_rows_save_nothing(tree, it_admin):
    content = (
        "code,name_th,name_en,parent_code,subdistrict_code,share\n"
        "2199,เทศบาลนครระยอง,,21,210101,\n"
        "2198,เทศบาลใหม่,,2101,210101,\n"
        "2197,เทศบาลเมืองมาบตาพุด,,21,210114,1.5\n"
        "210109,เนินพระ,,21,210109,\n"
    ).encode()
    report = municipalities_import(user=it_admin, content=content)
    assert report.errors == [
        "row 3: the parent 2101 is not a province of this portal",
        "row 4: the share “1.5” is not a number between 0 and 1 (or 0–100%)",
        "row 5: 210109 is already an org unit of another level",
    ]
    assert not OrgUnit.objects.filter(level=OrgUnitLevel.MUNICIPALITY).exists() and not MunicipalityArea.objects.exists()


def test_command_imports_the_shipped_rayong_files(tree):
    for code in ("210102", "210104", "210113"):
        OrgUnit.objects.create(code=code, name_th=code, level=OrgUnitLevel.SUBDISTRICT, parent=tree["district"])
    out = io.StringIO()
    call_command("import_orgunit_groups", str(SHIPPED / "municipalities.csv"), "--municipalities", stdout=out)
    assert "2 created" in out.getvalue()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_orgunit_groups", str(SHIPPED / "orgunit_groups.csv"), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("import_orgunit_groups", str(SHIPPED / "orgunit_groups.csv"), "--allow-unknown-members", stdout=out)
    assert (
        members("cluster_east_1") == ["21"]
        and members("city_municipality") == ["2199"]
        and members("coastal") == ["210101", "210104", "210114"]
    )
    assert OrgUnitGroupSet.objects.get(code="local_gov_type").exclusive and not OrgUnitGroupSet.objects.get(code="geography").exclusive


def test_it_administrators_upload_groups_on_their_page_and_others_are_refused(client, tree, it_admin, entry_a):
    url = reverse("orgunit_groups")
    client.force_login(entry_a)
    assert client.get(url).status_code == 403
    upload = SimpleUploadedFile("groups.csv", csv_bytes(",,,,eec,อีอีซี,EEC,21"), content_type="text/csv")
    assert client.post(url, {"kind": "groups", "file": upload}).status_code == 403
    assert not OrgUnitGroup.objects.exists()

    client.force_login(it_admin)
    bad = SimpleUploadedFile("groups.csv", csv_bytes(",,,,eec,อีอีซี,EEC,88"), content_type="text/csv")
    response = client.post(url, {"kind": "groups", "file": bad})
    assert response.status_code == 400 and "แถว 2: ไม่มีหน่วยพื้นที่รหัส 88" in response.content.decode()
    assert not OrgUnitGroup.objects.exists()
    upload = SimpleUploadedFile("groups.csv", csv_bytes(",,,,eec,อีอีซี,EEC,21", ",,,,eec,อีอีซี,EEC,20"), content_type="text/csv")
    response = client.post(url, {"kind": "groups", "file": upload, "allow_unknown_members": "on"}, follow=True)
    page = response.content.decode()
    assert "สร้างใหม่ 1 รายการ แก้ไข 0 รายการ ข้ามรหัสที่ไม่มีในพอร์ทัลนี้: 20" in page
    assert '<td>eec</td><td>อีอีซี</td><td class="num">1</td>' in page
    assert LogEntry.objects.filter(user=it_admin, object_repr__startswith="eec").count() == 1


def test_the_upload_page_lists_municipalities_with_their_subdistricts(client, tree, it_admin):
    municipalities_import(
        user=it_admin,
        content=b"code,name_th,name_en,parent_code,subdistrict_code,share\n2199,City,City,21,210101,\n2199,City,City,21,210109,40%\n",
    )
    client.force_login(it_admin)
    page = client.get(reverse("orgunit_groups")).content.decode()
    assert "210101 ท่าประดู่, 210109 เนินพระ (40%)" in page

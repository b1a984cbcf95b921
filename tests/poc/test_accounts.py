import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from poc.models import User
from poc.permissions import agencies_for
from poc.services import accounts_create_from_csv

HEADER = "agency_code,username,first_name,last_name,email,roles\n"


@pytest.mark.django_db
def test_bulk_accounts_get_roles_agency_permissions_and_one_time_passwords(agency_a, agency_b):
    result = accounts_create_from_csv(
        HEADER + "AG-A,somchai,สมชาย,ใจดี,somchai@example.go.th,data_entry\nAG-B,somsri,สมศรี,,,verifier;executive\n"
    )
    assert not result.errors
    somchai = User.objects.get(username="somchai")
    assert somchai.must_change_password and somchai.agency == agency_a
    assert somchai.has_perm("poc.enter_data", agency_a)
    assert not somchai.has_perm("poc.enter_data", agency_b)
    assert list(agencies_for(somchai, "enter_data")) == [agency_a]
    assert User.objects.get(username="somsri").role_names == {"verifier", "executive"}
    rows = list(csv.DictReader(io.StringIO(result.output_csv())))
    assert [r["username"] for r in rows] == ["somchai", "somsri"]
    assert somchai.check_password(rows[0]["one_time_password"])


@pytest.mark.django_db
def test_any_bad_row_creates_no_account(agency_a, en):
    result = accounts_create_from_csv(HEADER + "AG-A,ok_user,,,,data_entry\nNOPE,bad_user,,,,data_entry\nAG-A,,,,,boss\n")
    assert User.objects.count() == 0
    assert any("Row 3" in e and "NOPE" in e for e in result.errors)
    assert any("Row 4" in e for e in result.errors)


@pytest.mark.django_db
def test_it_admin_and_provincial_verifier_are_province_wide(make_user, agency_a, it_agency):
    admin = make_user("boss", ["it_admin"], it_agency)
    it_verifier = make_user("checker", ["verifier"], it_agency)
    local_verifier = make_user("local", ["verifier"], agency_a)
    assert agency_a in agencies_for(admin, "verify_data")
    assert agency_a in agencies_for(it_verifier, "verify_data")
    assert list(agencies_for(local_verifier, "verify_data")) == [agency_a]
    assert not agencies_for(local_verifier, "enter_data").exists()


@pytest.mark.django_db
def test_command_writes_passwords_and_refuses_bad_files(tmp_path, agency_a):
    good = tmp_path / "accounts.csv"
    good.write_text(HEADER + "AG-A,new_user,,,,executive\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command("create_agency_accounts", str(good), output=str(out))
    assert "new_user" in out.read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "AG-A,new_user,,,,executive\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("create_agency_accounts", str(bad), output=str(tmp_path / "x.csv"))


@pytest.mark.django_db
def test_first_login_forces_password_change(client, agency_a):
    accounts_create_from_csv(HEADER + "AG-A,fresh,,,,data_entry\n")
    user = User.objects.get(username="fresh")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    user.set_password("old-one-time-pass")
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "old-one-time-pass", "new_password1": "a-much-better-secret-2568", "new_password2": "a-much-better-secret-2568"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_accounts_page_is_for_it_admins_only(client, entry_a, it_admin, agency_a):
    client.force_login(entry_a)
    assert client.get(reverse("accounts_issue")).status_code == 403
    client.force_login(it_admin)
    upload = SimpleUploadedFile("a.csv", (HEADER + "AG-A,via_web,,,,data_entry\n").encode(), content_type="text/csv")
    response = client.post(reverse("accounts_issue"), {"file": upload})
    assert response["Content-Type"].startswith("text/csv")
    assert b"via_web" in response.content
    bad = SimpleUploadedFile("b.csv", (HEADER + "ZZ,other,,,,data_entry\n").encode(), content_type="text/csv")
    response = client.post(reverse("accounts_issue"), {"file": bad})
    assert response.status_code == 200 and "ZZ" in response.content.decode()
    assert not User.objects.filter(username="other").exists()


@pytest.mark.django_db
def test_home_requires_login_and_is_thai_first(client, entry_a):
    assert client.get(reverse("home")).status_code == 302
    client.force_login(entry_a)
    body = client.get(reverse("home")).content.decode()
    assert 'lang="th"' in body and "ศูนย์ปฏิบัติการจังหวัด" in body


@pytest.mark.django_db
def test_seed_demo_is_deterministic(settings, tmp_path):
    settings.POC_REFERENCE_DIR = tmp_path  # no reference data: the generated province
    call_command("seed_demo")
    first = sorted(User.objects.values_list("username", flat=True))
    from poc.models import Agency, OrgUnit

    units = list(OrgUnit.objects.order_by("code").values_list("code", "name_th"))
    call_command("seed_demo")
    assert list(OrgUnit.objects.order_by("code").values_list("code", "name_th")) == units
    assert sorted(User.objects.values_list("username", flat=True)) == first
    assert OrgUnit.objects.get(code="99").descendants().filter(level=4).exists()
    assert Agency.objects.count() >= 50


@pytest.mark.django_db
def test_malformed_csv_is_a_clear_error_not_a_crash(agency_a, en):
    result = accounts_create_from_csv(HEADER + "\r0")  # found by the fuzz test: a bare carriage return
    assert result.errors and "malformed" in result.errors[0]
    result = accounts_create_from_csv(HEADER + ",\x00")  # found by the fuzz test: a NUL byte (PostgreSQL refuses it)
    assert result.errors and "malformed" in result.errors[0]
    assert not User.objects.exists()


def test_one_time_passwords_never_start_with_a_formula_character():
    from poc.services import generate_password

    assert all(generate_password()[0].isalnum() for _ in range(2000))  # "-…" would be exported as "'-…"

"""The agencies a user holds a permission on are kept in the shared cache (``poc.permission_version``): every grant,
revoke, role, group, account or agency change must show on the very next read, on every surface."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from datasets.models import Dataset, Sensitivity, Topic
from poc import permission_version
from poc.models import Agency, User
from poc.permissions import agencies_for, agency_ids_for
from poc.services import user_set_roles

pytestmark = pytest.mark.django_db

SECRET = "คดียาเสพติดในพื้นที่"


@pytest.fixture
def secret(agency_b) -> Dataset:
    topic = Topic.objects.create(code="T-SEC", name_th="ความมั่นคง")
    return Dataset.objects.create(
        code="DS-SECRET",
        topic=topic,
        name_th=SECRET,
        agency=agency_b,
        collection_level=3,
        period_type="M",
        sensitivity=Sensitivity.RESTRICTED,
    )


def test_a_revoked_object_permission_shows_on_the_next_read(entry_a, agency_a, agency_b):
    assert agency_ids_for(entry_a, "view_restricted") == [agency_a.pk]  # read, and kept in the cache
    assign_perm("poc.view_restricted", entry_a, agency_b)
    assert agency_ids_for(entry_a, "view_restricted") == sorted([agency_a.pk, agency_b.pk])
    remove_perm("poc.view_restricted", entry_a, agency_b)
    assert agency_ids_for(entry_a, "view_restricted") == [agency_a.pk]
    assert list(agencies_for(entry_a, "view_restricted")) == [agency_a]


def test_group_membership_and_group_grants_show_on_the_next_read(make_user, agency_a, agency_b):
    reader = make_user("reader", ["executive"], agency_a)
    auditors = Group.objects.create(name="auditors")
    assign_perm("poc.view_restricted", auditors, agency_b)
    assert agency_ids_for(reader, "view_restricted") == []
    reader.groups.add(auditors)
    assert agency_ids_for(reader, "view_restricted") == [agency_b.pk]
    remove_perm("poc.view_restricted", auditors, agency_b)
    assert agency_ids_for(reader, "view_restricted") == []
    assign_perm("poc.view_restricted", auditors, agency_b)
    assert agency_ids_for(reader, "view_restricted") == [agency_b.pk]
    auditors.delete()
    assert agency_ids_for(reader, "view_restricted") == []


def test_global_permissions_superusers_and_new_agencies(make_user, agency_a, agency_b, province):
    reader = make_user("reader", ["executive"], agency_a)
    assert agency_ids_for(reader, "verify_data") == []
    reader.user_permissions.add(Permission.objects.get(content_type__app_label="poc", codename="verify_data"))
    reader = User.objects.get(pk=reader.pk)  # the next request's user (Django keeps global permissions on the instance)
    assert agency_ids_for(reader, "verify_data") == sorted([agency_a.pk, agency_b.pk])
    agency_c = Agency.objects.create(code="AG-C", name_th="หน่วยงานซี", orgunit=province)
    assert agency_c.pk in agency_ids_for(reader, "verify_data")
    reader.user_permissions.clear()
    reader = User.objects.get(pk=reader.pk)
    assert agency_ids_for(reader, "verify_data") == []
    reader.is_superuser = True
    reader.save()
    assert agency_ids_for(reader, "enter_data") == sorted([agency_a.pk, agency_b.pk, agency_c.pk])
    reader.is_superuser = False
    reader.save()
    assert agency_ids_for(reader, "enter_data") == []


def test_signing_in_keeps_everyones_cached_answers(entry_a, rf):
    before = permission_version.current()
    user_logged_in.send(sender=type(entry_a), request=rf.get("/"), user=entry_a)  # writes last_login only
    assert permission_version.current() == before
    entry_a.first_name = "สมชาย"
    entry_a.save()  # a whole-row save may change what the account may do
    assert permission_version.current() != before


def test_a_role_taken_away_closes_the_restricted_dataset_page_at_once(client, make_user, secret, agency_b):
    officer = make_user("officer", ["data_entry"], agency_b)
    client.force_login(officer)
    page = reverse("datasets:detail", args=[secret.code])
    assert SECRET in client.get(page).content.decode()
    assert secret in Dataset.objects.restrict(officer, "change")
    user_set_roles(user=officer, roles=["executive"])
    remove_perm("poc.view_restricted", officer, agency_b)
    remove_perm("poc.enter_data", officer, agency_b)
    answer = client.get(page)
    assert answer.status_code == 404
    assert SECRET not in answer.content.decode()
    assert secret not in Dataset.objects.restrict(officer, "change")
    assert secret not in Dataset.objects.restrict(officer, "view")


def test_roles_show_on_the_next_request_however_they_change(client, make_user, it_agency):
    admin = make_user("admin2", ["it_admin"], it_agency)
    assert User.objects.get(pk=admin.pk).role_names == {"it_admin"}  # read, and kept in the cache
    client.force_login(admin)
    page = reverse("operations:usage_report")
    assert client.get(page).status_code == 200
    Group.objects.get(name="it_admin").user_set.remove(admin)  # from the group's side of the relation
    assert User.objects.get(pk=admin.pk).role_names == set()
    assert client.get(page).status_code == 403
    user_set_roles(user=admin, roles=["verifier", "executive"])
    assert User.objects.get(pk=admin.pk).role_names == {"verifier", "executive"}
    renamed = Group.objects.get(name="executive")
    renamed.name = "executive-old"
    renamed.save()
    assert User.objects.get(pk=admin.pk).role_names == {"verifier", "executive-old"}

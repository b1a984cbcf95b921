"""The menu is grouped by task, each role sees its own work first, and it folds into one button on a phone."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from freezegun import freeze_time

from poc.navigation import menu_groups

pytestmark = pytest.mark.django_db


def menu(user):
    request = RequestFactory().get("/")
    request.user = user
    primary, groups = menu_groups(request)
    return [str(i["label"]) for i in primary], [(g.key, [i["name"] for i in g.items]) for g in groups]


def test_the_clerk_sees_data_entry_first(entry_a):
    primary, groups = menu(entry_a)
    assert primary == ["บันทึกข้อมูล", "การส่งข้อมูล"]
    assert [key for key, _items in groups][:2] == ["data", "review"]
    assert "datasets:entry" in dict(groups)["data"]
    assert "accounts_issue" not in [name for _key, items in groups for name in items]


def test_the_governor_sees_dashboards_first_and_no_data_entry(executive):
    primary, groups = menu(executive)
    assert primary[0] == "ห้องบัญชาการ"
    assert groups[0][0] == "dashboards" and groups[0][1][0] == "cockpit:tiles"
    assert "datasets:entry" not in [name for _key, items in groups for name in items]


def test_it_admin_sees_it_first_with_accounts(it_admin):
    _primary, groups = menu(it_admin)
    assert groups[0][0] == "it" and "accounts_issue" in groups[0][1]


def test_every_visible_page_is_in_exactly_one_group(it_admin):
    _primary, groups = menu(it_admin)
    names = [name for _key, items in groups for name in items]
    assert len(names) == len(set(names)) and len(names) >= 15
    assert all(items for _key, items in groups)


def test_the_header_is_a_folding_menu_of_task_groups(client, entry_a):
    client.force_login(entry_a)
    html = client.get(reverse("home")).content.decode()
    assert '<details class="navmenu" id="navmenu">' in html and "☰ เมนู" in html
    groups = re.findall(r'<details class="navgroup[^"]*">\s*<summary>([^<]+)</summary>', html)
    assert groups[:2] == ["ข้อมูล", "ตรวจสอบ/ติดตาม"]


@freeze_time("2026-11-28")
def test_fiscal_year_filters_are_picked_in_words(client, it_admin):
    client.force_login(it_admin)
    html = client.get(reverse("operations:training_plan")).content.decode()
    select = re.search(r'<select id="f-fy" name="fy">(.*?)</select>', html, re.S).group(1)
    assert '<option value="2570" selected>ปีงบประมาณ 2570</option>' in select and "ปีงบประมาณ 2565" in select and "2564" not in select
    html = client.get(reverse("operations:training_plan"), {"fy": "2560"}).content.decode()
    assert '<option value="2560" selected>ปีงบประมาณ 2560</option>' in html

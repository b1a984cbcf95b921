"""Thai error pages in the portal's layout, with no stack trace; the 500 page needs neither database nor request."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from poc import errors


def _page(response, status: int, thai: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert thai in body and 'class="topbar"' in body
    assert "Traceback" not in body and "Django" not in body
    return body


@pytest.mark.django_db
def test_not_found_is_a_thai_page(client, entry_a):
    client.force_login(entry_a)
    _page(client.get("/no-such-page/"), 404, "ไม่พบหน้าที่ต้องการ")


@pytest.mark.django_db
def test_forbidden_is_a_thai_page(client, entry_a):
    client.force_login(entry_a)
    _page(client.get(reverse("accounts_issue")), 403, "ไม่มีสิทธิ์เข้าถึง")


@pytest.mark.django_db
def test_bad_request_shows_the_parameter_message(client, entry_a):
    client.force_login(entry_a)
    _page(client.get(reverse("datasets:completeness"), {"fy": "²"}), 400, "ปีงบประมาณต้องเป็นปีพุทธศักราช")


@pytest.mark.django_db
def test_csrf_failure_is_a_thai_page():
    client = Client(enforce_csrf_checks=True)
    _page(client.post(reverse("login"), {"username": "x", "password": "y"}), 403, "แบบฟอร์มหมดอายุ")


@pytest.mark.django_db
def test_a_crashing_view_gives_the_thai_500_page(client, entry_a, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("poc.views.render", crash)
    client.raise_request_exception = False
    client.force_login(entry_a)
    body = _page(client.get(reverse("home")), 500, "เกิดข้อผิดพลาดในระบบ")
    assert "secret internals" not in body


@pytest.mark.django_db
def test_the_500_page_renders_without_database_or_request(django_assert_max_num_queries, monkeypatch):
    with django_assert_max_num_queries(0):
        response = errors.server_error(None)
    assert response.status_code == 500 and "เกิดข้อผิดพลาดในระบบ" in response.content.decode()
    monkeypatch.setattr("poc.errors.loader.get_template", lambda name: 1 / 0)  # even a broken template engine
    assert "เกิดข้อผิดพลาดในระบบ" in errors.server_error(None).content.decode()


@pytest.mark.django_db
def test_json_endpoints_answer_bad_parameters_in_json(client, entry_a):
    client.force_login(entry_a)
    response = client.get(reverse("datasets:completeness_json"), {"fy": "0"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "ปีงบประมาณ" in response.json()["error"]

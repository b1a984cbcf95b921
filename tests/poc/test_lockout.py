"""Login lockout: one count per username and per address, shared by the portal and admin logins and all workers."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse

from poc.models import User
from tests.conftest import TEST_PASSWORD


def _fail(client, url: str, username: str, address: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": "wrong-password"}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_failures_at_the_portal_lock_the_admin_login_too(client, it_admin, settings):
    settings.POC_LOGIN_MAX_FAILURES = 3
    for _attempt in range(3):
        assert _fail(client, reverse("login"), "itadmin").status_code == 200
    response = client.post(reverse("admin:login"), {"username": "itadmin", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "ลองใหม่" in response.content.decode()


@pytest.mark.django_db
def test_admin_login_failures_count_and_lock(client, it_admin, settings):
    settings.POC_LOGIN_MAX_FAILURES = 2
    for _attempt in range(2):
        _fail(client, reverse("admin:login"), "itadmin")
    response = client.post(reverse("login"), {"username": "itadmin", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_username_is_locked_whatever_address_the_failures_come_from(client, entry_a, settings):
    settings.POC_LOGIN_MAX_FAILURES = 3
    for number in range(3):
        _fail(client, reverse("login"), "entry_a", address=f"10.0.0.{number + 1}")
    response = client.post(reverse("login"), {"username": "entry_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429


@pytest.mark.django_db
def test_one_address_spraying_many_usernames_is_locked(client, entry_a, settings):
    settings.POC_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    for number in range(4):
        _fail(client, reverse("login"), f"guess{number}", address="10.6.6.6")
    locked = client.post(reverse("login"), {"username": "entry_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.6.6.6")
    assert locked.status_code == 429
    elsewhere = client.post(reverse("login"), {"username": "entry_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.7.7.7")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_count_lives_in_a_store_all_workers_share(client, entry_a):
    store = caches["lockout"]
    assert not isinstance(store, LocMemCache)  # Redis, or the database cache table without Redis
    _fail(client, reverse("login"), "entry_a")
    from poc.lockout import _keys

    user_key, _address_key = _keys(None, "entry_a")
    assert store.get(user_key) == 1


@pytest.mark.django_db
def test_the_client_address_comes_from_the_proxy_header_only_when_configured(rf, settings):
    from poc.lockout import client_address

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_address(request) == "127.0.0.1"
    settings.POC_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_address(request) == "203.0.113.9"


@pytest.mark.django_db
def test_a_one_time_password_cannot_be_changed_to_itself(client, make_user, agency_a, en):
    user = make_user("newcomer", ["data_entry"], agency_a)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    same = {"old_password": TEST_PASSWORD, "new_password1": TEST_PASSWORD, "new_password2": TEST_PASSWORD}
    response = client.post(reverse("password_change"), same, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "must differ from the current one" in response.content.decode()
    user.refresh_from_db()
    assert user.must_change_password
    fresh = {"old_password": TEST_PASSWORD, "new_password1": "a-new-pass-2568!", "new_password2": "a-new-pass-2568!"}
    assert client.post(reverse("password_change"), fresh).status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("a-new-pass-2568!")

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_repeated_failed_logins_are_refused_even_with_the_right_password(client, entry_a, settings):
    settings.POC_LOGIN_MAX_FAILURES = 3
    for _attempt in range(3):
        response = client.post(reverse("login"), {"username": "entry_a", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "entry_a", "password": TEST_PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    # another username from the same address is not locked
    assert client.post(reverse("login"), {"username": "other", "password": "x"}).status_code == 200


@pytest.mark.django_db
def test_successful_login_resets_the_failure_count(client, entry_a, settings):
    settings.POC_LOGIN_MAX_FAILURES = 2
    client.post(reverse("login"), {"username": "entry_a", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "entry_a", "password": TEST_PASSWORD}).status_code == 302
    client.logout()
    client.post(reverse("login"), {"username": "entry_a", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "entry_a", "password": TEST_PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="poc.settings",
        SECRET_KEY="x" * 60 + "-production-secret-key-for-the-check",
        DEBUG="0",
        ALLOWED_HOSTS="poc.example.go.th",
        POC_HTTPS="1",
        POC_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr

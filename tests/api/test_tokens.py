import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import token_create, token_digest, token_revoke

URL = "/api/datavalues/"


def _client(secret: str, scheme: str = "ApiToken") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {secret}")
    return client


def test_token_is_stored_hashed_and_works_with_apitoken_and_bearer(entry_a):
    token, secret = token_create(user=entry_a, name="DHIS2 sync")
    assert secret.startswith("poc_") and len(secret) > 40
    assert token.digest == token_digest(secret) and secret not in token.digest
    assert not ApiToken.objects.filter(digest=secret).exists()
    for scheme in ("ApiToken", "Bearer"):
        assert _client(secret, scheme).get(URL).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_wrong_revoked_and_expired_tokens_are_refused(entry_a, entry_b):
    token, secret = token_create(user=entry_a, name="x")
    with translation.override("en"), pytest.raises(ValidationError, match="only your own"):
        token_revoke(token=token, by=entry_b)
    assert _client("poc_not-a-token").get(URL).status_code == 401
    token_revoke(token=token, by=entry_a)
    response = _client(secret).get(URL)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "ApiToken"
    _token, short = token_create(user=entry_a, name="short", expires_days=1)
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        assert _client(short).get(URL).status_code == 401


def test_token_of_inactive_user_or_one_time_password_is_refused(entry_a):
    _token, secret = token_create(user=entry_a, name="x")
    entry_a.must_change_password = True
    entry_a.save()
    assert _client(secret).get(URL).status_code == 401
    entry_a.must_change_password = False
    entry_a.is_active = False
    entry_a.save()
    assert _client(secret).get(URL).status_code == 401


def test_read_only_token_cannot_write(entry_a):
    _token, secret = token_create(user=entry_a, name="ro", read_only=True)
    response = _client(secret).post("/api/dataValueSets", {"dataValues": []}, format="json")
    assert response.status_code == 403
    assert _client(secret).get(URL).status_code == 200


def test_create_api_token_command_prints_a_working_token(entry_a, capsys):
    call_command("create_api_token", "entry_a", "--expires", "30", "--read-only")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(digest=token_digest(secret))
    assert token.read_only and token.user == entry_a
    assert 29 <= (token.expires_at - token.created_at).days <= 30


def test_tokens_page_shows_a_new_token_once_and_revokes(client, entry_a, entry_b):
    client.force_login(entry_a)
    response = client.post(reverse("api_tokens"), {"name": "สคริปต์ดึงข้อมูล", "expires_days": "90"})
    token = ApiToken.objects.get(user=entry_a)
    secret = response.context["secret"]
    assert token.digest == token_digest(secret) and secret in response.text
    page = client.get(reverse("api_tokens")).text
    assert secret not in page and token.prefix in page and "สคริปต์ดึงข้อมูล" in page
    client.force_login(entry_b)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404  # not B's token
    assert token.prefix not in client.get(reverse("api_tokens")).text
    client.force_login(entry_a)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_are_rate_limited(entry_a, settings):
    from rest_framework.throttling import SimpleRateThrottle

    # The class attribute is read once at import: restore the original, not the overridden settings' value.
    original = SimpleRateThrottle.THROTTLE_RATES
    rates = {"api": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        _token, secret = token_create(user=entry_a, name="x")
        client = _client(secret)
        assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
        _other, fresh = token_create(user=entry_a, name="y")
        assert _client(fresh).get(URL).status_code == 200  # one bucket per token
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original

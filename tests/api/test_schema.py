"""The schema is the contract: every endpoint, fuzzed by schemathesis with each role's token, never answers 5xx and
always answers what the schema says. Runs in-process against the WSGI application on a seeded test database."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.services import token_create

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
ROLES = ["data_entry", "verifier", "executive", "it_admin"]


@schemathesis.serializer("application/csv")
def csv_body(ctx, value) -> bytes:
    """DHIS2 CSV bodies go on the wire as the generated text."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


@pytest.fixture
def seeded(entry_a, elements, save, subdistricts):
    """Values in three months, so reads have something to page through and imports something to update."""
    save(entry_a, [(elements["cases"], unit, f"2568-0{m}", m * 10 + n) for m in (1, 2, 3) for n, unit in enumerate(subdistricts)])


@pytest.fixture
def role_headers(seeded, make_user, agency_a, it_agency) -> dict[str, dict[str, str]]:
    headers = {"anonymous": {}}
    for role in ROLES:
        user = make_user(f"fuzz_{role}", [role], it_agency if role in ("executive", "it_admin") else agency_a)
        headers[role] = {"Authorization": f"ApiToken {token_create(user=user, name='fuzz')[1]}"}
    return headers


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_endpoint_conforms_for_every_role(case, role_headers, settings_override):
    for headers in role_headers.values():
        # identity: the in-process WSGI client would not undo the GZip middleware's compression
        case.call_and_validate(headers={**headers, "Accept-Encoding": "identity"}, checks=[not_a_server_error, response_schema_conformance])


@pytest.fixture
def settings_override(settings):
    """No rate limit while fuzzing (the limit itself is tested in test_tokens); the test's database connection stays
    open across requests, as Django's test client keeps it (the raw WSGI handler would close it after each)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)

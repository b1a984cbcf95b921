"""The generated permission matrix (issue 13).

Pages: every named URL of the URLconf × the six demo roles must answer exactly what
``tests/permission_registry.py`` says, and no response body shown to a role without agency B's
restricted right may contain one of B's restricted facts. Models: every model of the project has
rules in ``poc.permissions`` (or a reason in ``UNSCOPED``), every rule runs for every role, and B's
restricted row of each model is read by exactly the roles the registry names.

A URL or a model missing from the registry fails here: register it (one line) when adding it.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from poc.permissions import RULES, UNSCOPED, Action, restrict
from tests.permission_registry import B_ROWS, LOGIN, PAGES, ROLES
from tests.permission_world import SECRETS, province_verifier, world  # noqa: F401

PROJECT_APPS = {"poc", "api", "datasets", "indicators", "maps", "cockpit", "risk", "operations", "documents", "verification", "assessment"}
# Roles holding agency B's restricted right (view_restricted): the provincial IT group.
READS_B = {"province_verifier", "it_admin"}


def url_names() -> list[str]:
    names: list[str] = []

    def walk(patterns, namespace: str = "") -> None:
        for item in patterns:
            if isinstance(item, URLResolver):
                if item.namespace == "admin":  # Django's admin: staff only, its own permission system
                    continue
                walk(item.url_patterns, f"{namespace}{item.namespace}:" if item.namespace else namespace)
            elif isinstance(item, URLPattern) and item.name:
                names.append(namespace + item.name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


def project_models() -> list[str]:
    return sorted(m._meta.label for m in apps.get_models() if m._meta.app_label in PROJECT_APPS)


def test_every_url_is_in_the_registry():
    missing = sorted(set(url_names()) - set(PAGES))
    assert not missing, f"register these URLs in tests/permission_registry.py: {missing}"
    assert not sorted(set(PAGES) - set(url_names())), "the registry names URLs that no longer exist"


def test_every_model_has_rules_or_a_reason():
    missing = [label for label in project_models() if label not in RULES and label not in UNSCOPED]
    assert not missing, f"give these models rules in poc/permissions.py (or a reason in UNSCOPED): {missing}"
    without_view = [label for label in RULES if Action.VIEW not in RULES[label] and label != "poc.Agency"]
    assert not without_view, f"a model with rules needs a view rule: {without_view}"
    assert sorted(label for label in RULES if Action.VIEW in RULES[label]) == sorted(B_ROWS), "B_ROWS must list every viewable model"


@pytest.fixture
def users(entry_a, verifier_a, province_verifier, executive, it_admin):  # noqa: F811
    return {
        "anonymous": None,
        "entry_a": entry_a,
        "verifier_a": verifier_a,
        "province_verifier": province_verifier,
        "executive": executive,
        "it_admin": it_admin,
    }


def _status(response) -> str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return str(response.status_code)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


@pytest.mark.django_db
def test_pages_by_role(client, world, users):  # noqa: F811
    """One world for all pages (building it is the slow part); every mismatch is reported together."""
    failures = []
    for name, expected in PAGES.items():
        url = reverse(name, kwargs=expected.kw(world))
        query = expected.q(world)
        typed = url + "?" + "&".join(f"{k}={v}" for k, v in query.items())
        for role in ROLES:
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            response = client.get(url, query)
            got = _status(response)
            if got != expected.expected[role]:
                failures.append(f"{name} as {role}: {got}, expected {expected.expected[role]}")
            if role not in READS_B:
                body = _body(response)
                # A marker the user typed into the URL may be echoed back ("unknown indicator: ..."): not a leak.
                leaked = [s for s in SECRETS if s in body and s not in typed]
                if leaked:
                    failures.append(f"{name} as {role} shows B's restricted {leaked}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_models_by_role(world, users):  # noqa: F811
    failures = []
    for label, actions in RULES.items():
        model = apps.get_model(label)
        for action in actions:
            for role in ROLES:
                list(restrict(model._default_manager.all(), users[role] or _anonymous(), action))  # every rule runs for every role
        key, readers = B_ROWS.get(label, (None, set()))
        if key is None or Action.VIEW not in actions:
            continue
        row = world[key]
        assert row is not None, f"the world lacks {key}"
        got = {role for role in ROLES if restrict(model._default_manager.filter(pk=row.pk), users[role] or _anonymous(), "view").exists()}
        if got != readers:
            failures.append(f"{label}: B's row read by {sorted(got)}, expected {sorted(readers)}")
    assert not failures, "\n".join(failures)


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.mark.django_db
def test_unregistered_action_is_refused_loudly(entry_a):
    from datasets.models import Dataset

    with pytest.raises(LookupError, match=r"register one in poc/permissions\.py"):
        Dataset.objects.restrict(entry_a, "publish")

"""Every parameterless GET page × role: nobody gets a server error; anonymous users only reach public pages;
IT-only pages refuse other roles. Agency-level isolation is tested per app (tests/<app>/)."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Reachable without logging in, by design.
# The map and its APIs are open: anonymous visitors see public (open-data) datasets and public layers only.
PUBLIC = {"login", "set_language", "gis:map", "gis:choropleth", "gis:series", "gis:layers_api"}
# The document library lists public documents (circulars, manuals) to everyone; the rest needs a login.
PUBLIC |= {"documents:document_list"}
# The open-data catalogue publishes public datasets (definitions, charts, downloads) without login.
PUBLIC |= {"open_data:catalogue"}
# The API answers anonymous callers with public data only (open-data values, CKAN catalogue) and documents itself.
PUBLIC |= {"api_datavalues", "api_analytics", "api_schema", "api_docs", "ckan_package_list", "ckan_package_search"}
# Pages only IT administrators may open.
IT_ONLY = {"accounts_issue", "risk:backup_list", "risk:backup_start", "risk:usage_report", "verification:tracking_report"}
SKIP = {"logout", "set_language"}  # POST-only actions


def page_names() -> list[str]:
    names: list[str] = []

    def walk(patterns, namespace: str = "") -> None:
        for item in patterns:
            if isinstance(item, URLResolver):
                if item.namespace == "admin" or getattr(item, "app_name", "") == "admin":
                    continue
                walk(item.url_patterns, f"{namespace}{item.namespace}:" if item.namespace else namespace)
            elif isinstance(item, URLPattern) and item.name and not item.pattern.converters and "(?P<" not in str(item.pattern):
                names.append(namespace + item.name)

    walk(get_resolver().url_patterns)
    return sorted({n for n in names if n not in SKIP})


PAGES = page_names()


@pytest.fixture
def users(entry_a, verifier_a, executive, it_admin):
    return {"data_entry": entry_a, "verifier": verifier_a, "executive": executive, "it_admin": it_admin}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_page_by_role(client, users, name):
    url = reverse(name)
    anonymous = client.get(url)
    if name in PUBLIC:
        assert anonymous.status_code in (200, 302, 400), name  # 400: an API asked without its parameters
    else:
        assert anonymous.status_code in (302, 401, 403, 404, 405), f"{name} is open to anonymous users"
        if anonymous.status_code == 302:
            assert "/accounts/login/" in anonymous["Location"], name
    for role, user in users.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 403, 404, 405), f"{name} as {role}: {response.status_code}"
        if name in IT_ONLY and role != "it_admin":
            if response.status_code == 405:  # a POST-only action: the POST must be refused
                response = client.post(url)
            assert response.status_code in (403, 404), f"{name} must be IT-only, {role} got {response.status_code}"
        client.logout()


def test_matrix_covers_the_apps():
    assert "home" in PAGES and len(PAGES) >= 3

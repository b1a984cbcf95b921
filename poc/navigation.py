"""The main menu. Each app contributes its entries by adding to NAVIGATION (url name, label, test).

Entries are grouped by task (data, review, dashboards and maps, office, IT); each role sees its own groups first
and its everyday pages as direct links (``PRIMARY``), the rest one click away. Groups come from the url namespace,
so apps register entries without knowing the menu's layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from poc import registry
from poc.permissions import is_it_admin


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    order: int = 50
    visible: Callable[[HttpRequest], bool] = lambda request: request.user.is_authenticated
    group: str = ""  # a key of GROUPS; by default the group of the url namespace (GROUP_OF_NAMESPACE)


NAVIGATION = registry.NAVIGATION
register = NAVIGATION.register
register(NavItem("home", _("Home"), order=0, visible=lambda request: True))
register(NavItem("accounts_issue", _("Accounts"), order=90, visible=lambda r: is_it_admin(r.user), group="it"))
register(NavItem("orgunit_groups", _("Org-unit groups"), order=91, visible=lambda r: is_it_admin(r.user), group="it"))

GROUPS: dict[str, Promise] = {
    "data": _("Data"),
    "review": _("Review and follow-up"),
    "dashboards": _("Dashboards and maps"),
    "office": _("Documents and letters"),
    "it": _("IT and risk"),
}
GROUP_OF_NAMESPACE = {
    "datasets": "data",
    "open_data": "data",
    "verification": "review",
    "cockpit": "dashboards",
    "gis": "dashboards",
    "documents": "office",
    "risk": "it",
    "operations": "it",
    "assessment": "it",
}

# Per role: the groups in the order that role needs them, and the pages it uses every day (shown as direct links).
ROLE_GROUPS = {
    "executive": ["dashboards", "review", "data", "office", "it"],
    "data_entry": ["data", "review", "dashboards", "office", "it"],
    "verifier": ["review", "data", "dashboards", "office", "it"],
    "it_admin": ["it", "review", "data", "dashboards", "office"],
}
PRIMARY = {
    "executive": ["cockpit:tiles", "cockpit:alerts", "gis:map"],
    "data_entry": ["datasets:entry", "verification:submissions"],
    "verifier": ["verification:submissions", "verification:violations"],
    "it_admin": ["verification:tracking_report", "accounts_issue"],
}
ROLE_PRIORITY = ["it_admin", "verifier", "data_entry", "executive"]  # a user with several roles: the first one found leads


@dataclass
class MenuGroup:
    key: str
    label: str | Promise
    items: list[dict] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(item["active"] for item in self.items)


def _lead_role(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated:
        return ""
    names = set(getattr(user, "role_names", set()))
    if user.is_superuser:
        names.add("it_admin")
    return next((role for role in ROLE_PRIORITY if role in names), "")


def _group_of(item: NavItem) -> str:
    if item.group:
        return item.group
    namespace = item.url_name.split(":", 1)[0] if ":" in item.url_name else item.url_name
    return GROUP_OF_NAMESPACE.get(namespace, "data")


def flatten(primary: list[dict], groups: list[MenuGroup]) -> list[dict]:
    """Every entry once, flat: the role's everyday pages first, then group by group."""
    seen = {item["url"] for item in primary}
    return primary + [item for group in groups for item in group.items if item["url"] not in seen]


def menu_groups(request: HttpRequest) -> tuple[list[dict], list[MenuGroup]]:
    """(direct links, groups) for this user: the role's everyday pages, then the task groups in role order."""
    role = _lead_role(request)
    order = ROLE_GROUPS.get(role, list(GROUPS))
    groups = {key: MenuGroup(key, GROUPS[key]) for key in sorted(GROUPS, key=order.index)}
    by_name: dict[str, dict] = {}
    for item in sorted(NAVIGATION, key=lambda i: i.order):
        if not item.visible(request):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {
            "url": url,
            "label": item.label,
            "name": item.url_name,
            "active": request.path == url or (url != "/" and request.path.startswith(url)),
        }
        by_name[item.url_name] = entry
        if item.url_name != "home":
            groups[_group_of(item)].items.append(entry)
    # Home is the brand link at the left of the header, so it takes no place in the menu row.
    primary = [by_name[name] for name in PRIMARY.get(role, []) if name in by_name]
    return primary, [group for group in groups.values() if group.items]

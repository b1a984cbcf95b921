"""The main menu. Each app contributes its entries by adding to NAVIGATION (url name, label, test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


NAVIGATION = registry.NAVIGATION
register = NAVIGATION.register
register(NavItem("home", _("Home"), order=0, visible=lambda request: True))
register(NavItem("accounts_issue", _("Accounts"), order=90, visible=lambda r: is_it_admin(r.user)))


def menu_for(request: HttpRequest) -> list[dict]:
    items = []
    for item in sorted(NAVIGATION, key=lambda i: i.order):
        if not item.visible(request):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": item.label, "active": request.path == url or (url != "/" and request.path.startswith(url))})
    return items

"""Panels of the home page, contributed by the apps (like Wagtail's dashboard panels), so each role sees its own
work first: the clerk what they owe and by when, rather than counts of org units.

A panel is a template and a function ``context(request) -> dict | None`` (None: not for this user); register it in
the app's ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from poc import registry


@dataclass(frozen=True)
class HomePanel:
    key: str
    template_name: str
    context: Callable[[HttpRequest], dict | None]
    order: int = 50


PANELS = registry.HOME_PANELS
register = PANELS.register


def panels_for(request: HttpRequest) -> list[tuple[str, dict]]:
    """(template, context) of each panel shown to this user, in order."""
    shown = []
    for panel in sorted(PANELS, key=lambda p: p.order):
        context = panel.context(request)
        if context is not None:
            shown.append((panel.template_name, context))
    return shown

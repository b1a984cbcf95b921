"""Templates ask the permission layer too: ``{% load access %}``.

``{% if user|passes:"IT_ADMIN" %}`` — a role gate of :class:`poc.permissions.Gate`;
``{% can user "verify" submission as may_verify %}`` — a row rule of :mod:`poc.permissions`.
"""

from __future__ import annotations

from django import template

from poc import permissions

register = template.Library()


@register.filter
def passes(user, gate: str) -> bool:
    return getattr(permissions.Gate, gate)(user)


@register.simple_tag
def can(user, action: str, obj) -> bool:
    return permissions.can(user, action, obj)

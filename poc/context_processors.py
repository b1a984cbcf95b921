from django.conf import settings
from django.http import HttpRequest

from poc.navigation import flatten, menu_groups
from poc.notifications import unread_notification_count


def portal(request: HttpRequest) -> dict:
    primary, groups = menu_groups(request)
    return {"portal_name": settings.POC_PORTAL_NAME, "nav_items": flatten(primary, groups), "nav_primary": primary, "nav_groups": groups}


def notifications(request: HttpRequest) -> dict:
    """Unread notification count for the header badge (cached per user: no query on most pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notification_count(user)}

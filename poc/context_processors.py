from django.conf import settings
from django.http import HttpRequest

from poc.navigation import flatten, menu_groups


def portal(request: HttpRequest) -> dict:
    primary, groups = menu_groups(request)
    return {"portal_name": settings.POC_PORTAL_NAME, "nav_items": flatten(primary, groups), "nav_primary": primary, "nav_groups": groups}

from django.conf import settings
from django.http import HttpRequest

from poc.navigation import menu_for


def portal(request: HttpRequest) -> dict:
    return {"portal_name": settings.POC_PORTAL_NAME, "nav_items": menu_for(request)}

"""Usage recording: one page view per successful page a signed-in user opens (no static, media or API noise)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from operations.usage import record_page_view

logger = logging.getLogger(__name__)
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/jsi18n/", "/favicon")


class PageViewMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "GET"
            and response.status_code == 200
            and user is not None
            and user.is_authenticated
            and match is not None
            and match.view_name
            and not request.path.startswith(SKIPPED_PREFIXES)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            try:
                record_page_view(user_id=user.pk, agency_id=user.agency_id, view_name=match.view_name, path=request.path)
            except DatabaseError:  # usage statistics must never break a page
                logger.exception("could not record a page view")
        return response

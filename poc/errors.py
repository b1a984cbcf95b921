"""Error pages in the portal's layout, in Thai first, never with a stack trace.

400/403/404 and CSRF failures render the normal layout (the request and database work). The 500
page must render when they do not: it uses a template without context processors, and falls back
to fixed HTML if even that fails.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from poc.params import BadParameter

logger = logging.getLogger(__name__)

_FALLBACK_500 = (
    '<!doctype html><html lang="th"><head><meta charset="utf-8"><title>เกิดข้อผิดพลาด · POC</title></head>'
    "<body><h1>เกิดข้อผิดพลาดในระบบ</h1><p>ระบบบันทึกปัญหานี้ไว้แล้ว โปรดลองใหม่อีกครั้งภายหลัง</p>"
    "<p>Server error: the problem was logged. Please try again later.</p></body></html>"
)


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    template = loader.get_template("errors/error.html")
    body = template.render({"status": status, "title": title, "message": message}, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Only our own parameter errors carry a message meant for people; others may quote internals.
    message = str(exception) if isinstance(exception, BadParameter) else _("The request could not be understood.")
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return _page(request, 400, _("Bad request"), message)


def _wants_json(request: HttpRequest) -> bool:
    """API and ``.json`` endpoints answer errors in JSON, for the scripts and maps that call them."""
    return "/api/" in request.path or request.path.endswith((".json", ".geojson"))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, _("Access denied"), _("Your account may not open this page. Ask your IT administrator if you need it."))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, _("Page not found"), _("The page or item does not exist, or you may not see it."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("Your form was not accepted because its security token is missing or out of date. Reload the page and send it again.")
    return _page(request, 403, _("The form has expired"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        # No request: context processors (menu, alert badge) read the database, which may be what failed.
        return HttpResponseServerError(loader.get_template("errors/500.html").render({}))
    except Exception:  # the error page itself must never fail
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(_FALLBACK_500)

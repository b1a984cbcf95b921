import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from poc.params import BadParameter


class ForcePasswordChangeMiddleware:
    """Send users with a one-time password to the password-change page before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("password_change_done"), reverse("logout"), reverse("set_language")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: scripts only from our own static files (no inline scripts), nothing external."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.POC_CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class RejectControlCharactersMiddleware:
    """Answer 400 to a path or parameter holding control characters (NUL, ESC…): no page expects them.

    PostgreSQL cannot store or even compare text containing NUL, so a ``%00`` reaching any query was
    a 500. Form-encoded bodies are checked too; multipart bodies are left to the forms (Django's
    form fields refuse NUL) so that views keep control of how uploads are read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [request.path, *request.GET.keys(), *(v for values in request.GET.lists() for v in values[1])]
        if request.content_type == "application/x-www-form-urlencoded":
            texts += [*request.POST.keys(), *(v for values in request.POST.lists() for v in values[1])]
        if any(_CONTROL.search(text) for text in texts):
            raise BadParameter(_("The address or form contains characters that are not allowed (control characters)."))
        return self.get_response(request)


# Control characters except tab, line feed and carriage return (which text areas legitimately send).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

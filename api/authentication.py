"""``Authorization: ApiToken <token>`` (the header DHIS2 uses) or ``Authorization: Bearer <token>``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiToken
from api.selectors import token_for_secret
from api.services import token_note_use

KEYWORDS = {"apitoken", "bearer"}


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be: ApiToken <token>"))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = token_for_secret(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, has expired or was revoked."))
        if token.user.must_change_password:
            raise exceptions.AuthenticationFailed(_("Change your one-time password in the portal before using a token."))
        token_note_use(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "ApiToken"


class TokenScope(BasePermission):
    """A read-only token may only read."""

    message = _("This token is read-only.")

    def has_permission(self, request, view) -> bool:
        return not (isinstance(request.auth, ApiToken) and request.auth.read_only and request.method not in SAFE_METHODS)

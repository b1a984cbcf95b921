"""Rate limits on the shared cache (Redis in production): per token, per signed-in user, per address."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    """One bucket per token (a user's scripts do not starve each other), per session user, or per address."""

    scope = "api"

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

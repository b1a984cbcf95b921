"""OpenAPI pieces drf-spectacular cannot infer: how a token is sent."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`ApiToken <token>` (the header DHIS2 uses) or `Bearer <token>`; create tokens at /api/tokens/",
        }

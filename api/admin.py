from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """IT administrators see who holds which token and can revoke one (set *revoked*); the secret is never stored."""

    list_display = ["prefix", "name", "user", "read_only", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["read_only"]
    search_fields = ["prefix", "name", "user__username"]
    fields = ["user", "name", "prefix", "read_only", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are created by their owner (shown once), never in the admin

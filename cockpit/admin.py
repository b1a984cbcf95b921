from django.contrib import admin

from cockpit.models import Alert, InformationRequest, WarningRule


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    list_display = ["name_th", "indicator", "element", "level", "kind", "severity", "is_active"]
    list_filter = ["kind", "severity", "is_active"]
    filter_horizontal = ["recipients"]
    raw_id_fields = ["element"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["rule", "orgunit", "period", "value", "severity", "status", "opened_at", "acknowledged_by"]
    list_filter = ["status", "severity", "rule"]
    raw_id_fields = ["orgunit", "period"]


@admin.register(InformationRequest)
class InformationRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "requested_by", "status", "created_at", "answered_by"]
    list_filter = ["status"]

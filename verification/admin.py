from django.contrib import admin

from verification.models import Notification, OutlierConfirmation, Reminder, Submission, SubmissionEvent, ValidationRule, Violation


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ("dataset", "name", "left", "operator", "right", "severity", "is_active")
    list_filter = ("severity", "is_active", "dataset__agency")
    search_fields = ("name", "left", "right", "dataset__code")


class SubmissionEventInline(admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "user", "comment", "at")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only here: transitions go through the workflow services so they are checked and recorded."""

    list_display = ("dataset", "orgunit", "period", "status", "submitted_at", "verified_at")
    list_filter = ("status", "dataset__agency")
    readonly_fields = ("dataset", "orgunit", "period", "status", "submitted_at", "verified_at", "verified_by")
    inlines = [SubmissionEventInline]


admin.site.register(Violation, list_display=("dataset", "rule", "orgunit", "period", "severity"))
admin.site.register(OutlierConfirmation, list_display=("element", "orgunit", "period", "value", "user", "at"))
admin.site.register(Reminder, list_display=("dataset", "period", "kind", "user", "sent_at"))
admin.site.register(Notification, list_display=("user", "title", "created_at", "read_at"))

from django.contrib import admin

from datasets.models import DataElement, Dataset, DataValue, DataValueAudit, ImportProfile, Topic


class DataElementInline(admin.TabularInline):
    model = DataElement
    extra = 0
    fields = ("code", "name_th", "value_type", "unit", "min_value", "max_value", "required", "aggregation", "order")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "domain_th", "order")
    search_fields = ("code", "name_th", "name_en")


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "topic", "agency", "period_type", "collection_level", "sensitivity", "is_active")
    list_filter = ("period_type", "collection_level", "sensitivity", "agency")
    search_fields = ("code", "name_th", "name_en")
    inlines = [DataElementInline]
    filter_horizontal = ("orgunits", "orgunit_groups")


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    """Read-only here: values change through the entry form, import or API so that they are audited."""

    list_display = ("element", "orgunit", "period", "value_num", "value_text", "not_available", "source", "updated_at")
    list_filter = ("source", "not_available")
    raw_id_fields = ("element", "orgunit", "period")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DataValueAudit)
class DataValueAuditAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "element", "orgunit", "period", "old_value", "new_value", "action", "source")
    list_filter = ("action", "source")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    list_display = ["dataset", "agency", "name", "updated_by", "updated_at"]
    list_filter = ["agency"]
    search_fields = ["name", "dataset__code"]
    readonly_fields = ["updated_by", "updated_at"]

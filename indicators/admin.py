from django.contrib import admin

from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from indicators.services import indicator_save


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0
    raw_id_fields = ["orgunit"]  # a select of every village would not load


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "perspective_th", "polarity", "unit_th", "agency", "is_active"]
    list_filter = ["perspective_th", "polarity", "is_active"]
    search_fields = ["code", "name_th", "name_en"]
    inlines = [TargetInline]

    def save_model(self, request, obj, form, change):
        indicator_save(indicator=obj)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "orgunit", "period", "value", "numerator", "denominator", "computed_at"]
    list_filter = ["indicator"]
    list_select_related = ["indicator", "orgunit", "period"]
    raw_id_fields = ["orgunit", "period"]

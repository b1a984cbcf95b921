from django.contrib.gis import admin

from gis.models import OrgUnitShape, ThematicLayer


@admin.register(ThematicLayer)
class ThematicLayerAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "visibility", "created_by", "created_at")
    list_filter = ("visibility", "agency")
    search_fields = ("name",)


@admin.register(OrgUnitShape)
class OrgUnitShapeAdmin(admin.ModelAdmin):
    list_display = ("orgunit", "tolerance", "updated")
    raw_id_fields = ("orgunit",)

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.gis.db import models as gis_models
from django.forms import Textarea
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from poc.forms import AdminLoginForm
from poc.models import Agency, MunicipalityArea, OrgUnit, OrgUnitChange, OrgUnitGroup, OrgUnitGroupSet, Period, User

admin.site.site_header = _("Provincial Operations Centre administration")
admin.site.site_title = _("POC administration")
# The admin's login counts failures with the portal's (a separate door must not double the allowance).
admin.site.login_form = AdminLoginForm


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    # Geometry as GeoJSON/WKT text: the map widgets of GeoDjango's admin load OpenLayers from a CDN (offline here).
    formfield_overrides = {gis_models.GeometryField: {"widget": Textarea(attrs={"rows": 4})}}
    list_display = ("code", "name_th", "name_en", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name_th", "name_en")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)


@admin.register(Agency)
class AgencyAdmin(GuardedModelAdmin):
    list_display = ("code", "name_th", "kind", "orgunit", "is_provincial_it")
    list_filter = ("kind", "is_provincial_it")
    search_fields = ("code", "name_th", "name_en")
    raw_id_fields = ("orgunit",)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "agency", "is_active", "must_change_password")
    list_filter = ("groups", "agency__kind", "is_active", "must_change_password")
    fieldsets = (*UserAdmin.fieldsets, (_("Agency"), {"fields": ("agency", "position", "phone", "must_change_password")}))
    raw_id_fields = ("agency",)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "period_type", "start_date", "end_date", "fiscal_year")
    list_filter = ("period_type", "fiscal_year")


@admin.register(OrgUnitChange)
class OrgUnitChangeAdmin(admin.ModelAdmin):
    """Read-only: changes are recorded with the orgunit_change command so both sides stay consistent."""

    list_display = ("date", "kind", "source", "target", "weight", "note")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ImportedOnly(admin.ModelAdmin):
    """Read-only: groups and municipalities change through poc.groups (the import command and the IT administrators'
    upload page), which checks exclusive sets across rows and audits every change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnitGroupSet)
class OrgUnitGroupSetAdmin(_ImportedOnly):
    list_display = ("code", "name_th", "name_en", "exclusive")


@admin.register(OrgUnitGroup)
class OrgUnitGroupAdmin(_ImportedOnly):
    list_display = ("code", "name_th", "name_en", "group_set")
    list_filter = ("group_set",)
    search_fields = ("code", "name_th", "name_en")


@admin.register(MunicipalityArea)
class MunicipalityAreaAdmin(_ImportedOnly):
    list_display = ("municipality", "subdistrict", "share")

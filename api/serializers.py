"""Serializers of the API: query parameters (validated, so bad input is a clear 400) and response shapes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.services import ImportStrategy
from datasets.models import format_number

ID_SCHEMES = [("code", "code"), ("uid", "uid"), ("CODE", "CODE"), ("UID", "UID")]


class CommaListField(serializers.ListField):
    """A repeated or comma-separated query parameter (DHIS2 accepts both)."""

    child = serializers.CharField(max_length=100)

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return serializers.empty
        return [part.strip() for item in dictionary.getlist(self.field_name) for part in item.split(",") if part.strip()]


class DataValueSetQuery(serializers.Serializer):
    dataSet = CommaListField(help_text=_("Dataset codes"))
    orgUnit = CommaListField(help_text=_("Org unit codes"))
    period = CommaListField(required=False, help_text=_("DHIS2 periods (202501, 2025Q1, 2024Oct, 2025-01-01/P1M)"))
    startDate = serializers.DateField(required=False)
    endDate = serializers.DateField(required=False)
    lastUpdated = serializers.DateTimeField(required=False)
    children = serializers.BooleanField(required=False, default=False, help_text=_("Include the org units' descendants"))
    includeDescendants = serializers.BooleanField(required=False, default=False)
    idScheme = serializers.ChoiceField(ID_SCHEMES, required=False, default="code")
    dataElementIdScheme = serializers.ChoiceField(ID_SCHEMES, required=False, default="code")
    orgUnitIdScheme = serializers.ChoiceField(ID_SCHEMES, required=False, default="code")

    def validate(self, attrs: dict) -> dict:
        if not (attrs.get("period") or (attrs.get("startDate") and attrs.get("endDate")) or attrs.get("lastUpdated")):
            raise serializers.ValidationError(_("Give period, or startDate and endDate, or lastUpdated."))
        if attrs.get("startDate") and attrs.get("endDate") and attrs["startDate"] > attrs["endDate"]:
            raise serializers.ValidationError(_("startDate is after endDate."))
        return attrs


class ImportOptions(serializers.Serializer):
    dryRun = serializers.BooleanField(required=False, default=False)
    importStrategy = serializers.ChoiceField([(s, s) for s in ImportStrategy.ALL], required=False, default=ImportStrategy.CREATE_AND_UPDATE)
    atomicMode = serializers.ChoiceField([("ALL", "ALL"), ("NONE", "NONE")], required=False, default="ALL")
    idScheme = serializers.ChoiceField(ID_SCHEMES, required=False, default="code")
    dataElementIdScheme = serializers.ChoiceField(ID_SCHEMES, required=False, default="code")
    orgUnitIdScheme = serializers.ChoiceField(ID_SCHEMES, required=False, default="code")


class Dhis2DataValueSerializer(serializers.Serializer):
    dataElement = serializers.CharField()
    period = serializers.CharField()
    orgUnit = serializers.CharField()
    categoryOptionCombo = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("A broken-down element's option combination code (F_MUN); otherwise the default (HllvX50cXC0, default or empty)"),
    )
    attributeOptionCombo = serializers.CharField(required=False, allow_blank=True, help_text=_("Only the default"))
    value = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    storedBy = serializers.CharField(required=False, allow_blank=True)
    lastUpdated = serializers.CharField(required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    followup = serializers.BooleanField(required=False)


class DataValueSetSerializer(serializers.Serializer):
    dataSet = serializers.CharField(required=False)
    period = serializers.CharField(required=False)
    orgUnit = serializers.CharField(required=False)
    dataValues = Dhis2DataValueSerializer(many=True)


class ImportCountSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    ignored = serializers.IntegerField()
    deleted = serializers.IntegerField()


class ConflictSerializer(serializers.Serializer):
    object = serializers.CharField()
    objects = serializers.DictField(child=serializers.CharField())
    value = serializers.CharField()
    property = serializers.CharField()
    indexes = serializers.ListField(child=serializers.IntegerField())


class ImportSummarySerializer(serializers.Serializer):
    responseType = serializers.CharField()
    status = serializers.ChoiceField([("SUCCESS", "SUCCESS"), ("WARNING", "WARNING"), ("ERROR", "ERROR")])
    importOptions = serializers.DictField()
    description = serializers.CharField()
    importCount = ImportCountSerializer()
    conflicts = ConflictSerializer(many=True)


class WebMessageSerializer(serializers.Serializer):
    httpStatus = serializers.CharField()
    httpStatusCode = serializers.IntegerField()
    status = serializers.CharField()
    message = serializers.CharField()
    response = ImportSummarySerializer()


class DataValueRowSerializer(serializers.Serializer):
    """One value of the read API (the columns of the former ``/api/datavalues/``)."""

    dataset = serializers.CharField(source="element.dataset.code")
    element = serializers.CharField(source="element.code")
    orgunit = serializers.CharField(source="orgunit.code")
    period = serializers.CharField(source="period.code")
    value = serializers.SerializerMethodField()
    not_available = serializers.CharField()
    updated_at = serializers.DateTimeField()
    option_combo = serializers.SerializerMethodField(help_text=_("Category option combination code (F_MUN); empty: not broken down"))
    option_combo_name = serializers.SerializerMethodField(help_text=_("Its name (Thai, or English when asked in English)"))

    def get_value(self, obj) -> str:
        return format_number(obj.value_num) if obj.value_num is not None else obj.value_text

    def get_option_combo(self, obj) -> str:
        return obj.option_combo.code if obj.option_combo is not None else ""

    def get_option_combo_name(self, obj) -> str:
        return obj.option_combo.name if obj.option_combo is not None else ""


class AnalyticsQuery(serializers.Serializer):
    element = CommaListField(help_text=_("Data element codes"))
    orgunit = CommaListField(help_text=_("Org unit codes (each the sum over its whole subtree)"))
    period = CommaListField(help_text=_("Period codes (2568-01, 2568-Q1, FY2568…); coarser than the data: rolled up"))
    children = serializers.BooleanField(required=False, default=False, help_text=_("Answer for the units directly below each org unit"))
    option = CommaListField(
        required=False,
        help_text=_(
            "Category options (F: summed over the other categories) or option combinations (F_MUN), one row each; "
            "every element must be broken down by them. Without it: each element's total."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        if len(attrs["element"]) * len(attrs["orgunit"]) * len(attrs["period"]) * max(1, len(attrs.get("option", []))) > 50_000:
            raise serializers.ValidationError(_("Too many combinations: ask for fewer elements, org units or periods."))
        return attrs


class AnalyticsRowSerializer(serializers.Serializer):
    element = serializers.CharField()
    orgunit = serializers.CharField()
    period = serializers.CharField()
    categoryoptioncombo = serializers.CharField()
    value = serializers.FloatField(allow_null=True)


class AnalyticsSerializer(serializers.Serializer):
    headers = serializers.ListField(child=serializers.CharField())
    rows = AnalyticsRowSerializer(many=True)


class CkanListQuery(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=0, max_value=10_000)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000, default=0)


class CkanShowQuery(serializers.Serializer):
    id = serializers.CharField(help_text=_("Package name (ds-pop) or dataset code"))


class CkanSearchQuery(serializers.Serializer):
    q = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    rows = serializers.IntegerField(required=False, default=10, min_value=0, max_value=1000)
    start = serializers.IntegerField(required=False, default=0, min_value=0, max_value=1_000_000)


class CkanResponseSerializer(serializers.Serializer):
    help = serializers.CharField()
    success = serializers.BooleanField()
    result = serializers.JSONField(required=False)
    error = serializers.DictField(required=False, child=serializers.CharField())


class NamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField(allow_blank=True)
    name = serializers.CharField(help_text=_("Thai, or English when asked in English"))


class CategoryOptionSerializer(NamedSerializer):
    order = serializers.IntegerField()


class CategorySerializer(NamedSerializer):
    order = serializers.IntegerField()
    options = CategoryOptionSerializer(many=True)


class CategoryOptionComboSerializer(NamedSerializer):
    order = serializers.IntegerField()
    options = serializers.ListField(child=serializers.CharField(), help_text=_("Option codes, in the combination's category order"))


class CategoryComboSerializer(NamedSerializer):
    categories = serializers.ListField(child=serializers.CharField(), help_text=_("Category codes, in order"))
    option_combos = CategoryOptionComboSerializer(many=True)


class ElementComboSerializer(serializers.Serializer):
    code = serializers.CharField()
    dataset = serializers.CharField()
    category_combo = serializers.CharField(allow_null=True, help_text=_("Null: the element is not broken down"))


class CategoriesSerializer(serializers.Serializer):
    categories = CategorySerializer(many=True)
    category_combos = CategoryComboSerializer(many=True)
    elements = ElementComboSerializer(many=True)

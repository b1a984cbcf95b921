"""Query and upload forms for maps."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from datasets.models import NUMERIC_TYPES, DataElement
from datasets.option_parts import option_part, ratio_parts
from gis.models import LayerVisibility
from gis.selectors import MapSelection
from indicators.models import Indicator
from indicators.selectors import readable_indicators
from poc.models import OrgUnit, OrgUnitGroup, OrgUnitLevel, Role
from poc.periods import PeriodError, parse_period


def mappable_elements(user):
    """Numeric data elements whose dataset ``user`` may read (what a choropleth can show)."""
    return DataElement.objects.restrict(user, "view").filter(value_type__in=NUMERIC_TYPES).select_related("dataset")


class MapQueryForm(forms.Form):
    """The selection shared by the map page and its GeoJSON endpoint (query-string parameters)."""

    element = forms.CharField(required=False)
    indicator = forms.CharField(required=False)
    period = forms.CharField(required=False)
    parent = forms.CharField(required=False)
    level = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[("", ""), *OrgUnitLevel.choices])
    group = forms.CharField(required=False)
    # A broken-down element's part (``F``, ``F_MUN``) or the ratio of two parts (``M:F``, per 100 of the second).
    option = forms.CharField(required=False, max_length=100)
    ratio = forms.CharField(required=False, max_length=201)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_element(self) -> DataElement | None:
        code = self.cleaned_data["element"].strip()
        if not code:
            return None
        element = mappable_elements(self.user).filter(code=code).first()
        if element is None:
            # Same answer for unknown and not permitted: restricted datasets do not reveal themselves.
            raise ValidationError(_("Unknown data element: %(code)s") % {"code": code}, code="not_found")
        return element

    def clean_indicator(self) -> Indicator | None:
        code = self.cleaned_data["indicator"].strip()
        if not code:
            return None
        indicator = readable_indicators(self.user).filter(code=code).first()
        if indicator is None:
            raise ValidationError(_("Unknown indicator: %(code)s") % {"code": code}, code="not_found")
        return indicator

    def clean_period(self):
        code = self.cleaned_data["period"].strip()
        if not code:
            return None
        try:
            return parse_period(code)
        except PeriodError as exc:
            raise ValidationError(str(exc), code="period") from exc

    def clean_parent(self) -> OrgUnit | None:
        code = self.cleaned_data["parent"].strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError(_("Unknown org unit: %(code)s") % {"code": code}, code="not_found")
        return unit

    def clean_group(self) -> OrgUnitGroup | None:
        code = self.cleaned_data["group"].strip()
        if not code:
            return None
        group = OrgUnitGroup.objects.restrict(self.user, "view").filter(code=code).first()
        if group is None:
            raise ValidationError(_("Unknown org-unit group: %(code)s") % {"code": code}, code="not_found")
        return group

    def clean(self):
        data = super().clean()
        if data.get("element") and data.get("indicator"):
            raise ValidationError(_("Choose a data element or an indicator, not both."), code="both")
        if (data.get("element") or data.get("indicator")) and not data.get("period") and "period" not in self.errors:
            self.add_error("period", ValidationError(_("Choose a period."), code="required"))
        self._clean_parts(data)
        return data

    def _clean_parts(self, data: dict) -> None:
        """Resolve ``option`` or ``ratio`` against the chosen element (a Thai 400 for an unknown option)."""
        option, ratio = (data.get("option") or "").strip(), (data.get("ratio") or "").strip()
        data["option_part"], data["ratio_parts"] = None, None
        if not option and not ratio:
            return
        field = "option" if option else "ratio"
        if option and ratio:
            self.add_error("ratio", ValidationError(_("Choose an option or a ratio, not both."), code="parts"))
        elif data.get("element") is None:
            if field not in self.errors and "element" not in self.errors:
                message = _("An option or a ratio needs a data element broken down by categories.")
                self.add_error(field, ValidationError(message, code="parts"))
        else:
            try:
                if option:
                    data["option_part"] = option_part(data["element"], option)
                else:
                    data["ratio_parts"] = ratio_parts(data["element"], ratio)
            except ValueError as exc:
                self.add_error(field, ValidationError(str(exc), code="parts"))

    @property
    def not_found(self) -> bool:
        return any(error.code == "not_found" for errors in self.errors.as_data().values() for error in errors)

    def selection(self) -> MapSelection:
        data = self.cleaned_data
        return MapSelection(
            element=data["element"],
            indicator=data["indicator"],
            period=data["period"],
            parent=data["parent"],
            level=data["level"],
            group=data.get("group"),
            option=data.get("option_part"),
            ratio=data.get("ratio_parts"),
        )


class SeriesQueryForm(MapQueryForm):
    def clean(self):
        data = super().clean()
        if not data.get("parent") and "parent" not in self.errors:
            self.add_error("parent", ValidationError(_("Choose an org unit."), code="required"))
        if not data.get("element") and not data.get("indicator") and not self.errors:
            self.add_error("element", ValidationError(_("Choose a data element or an indicator."), code="required"))
        return data


class LayerUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("GeoJSON (.geojson), KML (.kml) or a zipped Shapefile (.zip)"))
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    colour = forms.RegexField(
        label=_("Colour"), regex=r"^#[0-9a-fA-F]{6}$", initial="#1f78b4", widget=forms.TextInput(attrs={"type": "color"})
    )
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=LayerVisibility.choices, initial=LayerVisibility.INTERNAL)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple)

"""Map data: precomputed simplified org-unit boundaries and uploaded thematic layers."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poc.models import Agency, OrgUnit, Role
from poc.permissions import RestrictedQuerySet

# Simplification tolerance (degrees, ~111 km each) per org-unit level: coarse where units are large
# and shown zoomed out, fine for subdistricts that are drawn at district zoom.
LEVEL_TOLERANCE = {1: 0.005, 2: 0.003, 3: 0.0015}
# A country-wide map of a level with thousands of units (Thailand's 7,425 subdistricts; more than
# POC_MAP_OVERVIEW_ABOVE) draws each from its boundary generalised as coarsely as a province's (~550 m, under a pixel
# at that zoom), written with 4 decimals (~11 m): ~5 MB of GeoJSON instead of ~11 (~1.3 MB gzipped instead of ~3).
OVERVIEW_TOLERANCE = 0.005
OVERVIEW_PRECISION = 4


class OrgUnitShape(models.Model):
    """An org unit's boundary simplified for maps; shared borders stay shared (coverage simplification)."""

    orgunit = models.OneToOneField(OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="shape")
    geom_simplified = models.MultiPolygonField(_("simplified boundary"), srid=4326)
    tolerance = models.FloatField(_("tolerance (degrees)"))
    # The simplified boundary serialised once with fixed precision: maps read text, not geometry.
    geojson = models.TextField(_("GeoJSON"), blank=True)
    # The boundary generalised for country-wide maps (OVERVIEW_TOLERANCE), where its level has thousands of units
    # simplified finer than that; none otherwise (the boundary above serves every map).
    geom_overview = models.MultiPolygonField(_("boundary for country-wide maps"), srid=4326, null=True, blank=True)
    overview_geojson = models.TextField(_("GeoJSON for country-wide maps"), blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("simplified boundary")
        verbose_name_plural = _("simplified boundaries")

    def __str__(self) -> str:
        return f"{self.orgunit_id} @ {self.tolerance}"


class StoredFeature(models.Model):
    """A simplified boundary's whole map feature up to its value, compressed once (:mod:`gis.features`,
    :mod:`gis.deflate`): a choropleth strings these together instead of compressing megabytes per request.

    A table of its own, narrow: a national choropleth reads 7,425 of them without touching the boundary rows they
    were built from (~90 MB of geometry and GeoJSON). ``source``: the names, level and children the feature shows
    (:func:`gis.features.head_source`), compared with the unit on every read.
    """

    head = models.BinaryField(_("map feature (compressed)"), default=b"", editable=False)
    crc = models.BigIntegerField(_("CRC-32 of the feature"), default=0, editable=False)
    size = models.PositiveIntegerField(_("feature size (bytes)"), default=0, editable=False)
    source = models.TextField(_("feature built from"), blank=True, editable=False)
    # The same feature compressed after the ones before it in its level's code order (gis.features.chain_links).
    chained = models.BinaryField(_("map feature (compressed in sequence)"), default=b"", editable=False)
    after = models.BigIntegerField(_("chained after org unit"), null=True, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("features chained after"), default=0, editable=False)
    chain_crc = models.BigIntegerField(_("CRC-32 of what it is chained after"), default=0, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"feature of {self.orgunit_id}"


class MapFeature(StoredFeature):
    """A unit's feature with its simplified boundary (``OrgUnitShape.geojson``): maps of up to a few thousand units."""

    shape = models.OneToOneField(
        OrgUnitShape, verbose_name=_("simplified boundary"), on_delete=models.CASCADE, primary_key=True, related_name="feature"
    )
    # The unit again, indexed: a map joins its units to their features without the boundary rows.
    orgunit = models.OneToOneField(OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="map_feature")

    class Meta:
        verbose_name = _("stored map feature")
        verbose_name_plural = _("stored map features")


class OverviewFeature(StoredFeature):
    """A unit's feature with its boundary for country-wide maps (``OrgUnitShape.overview_geojson``), stored for the
    units whose level has one."""

    shape = models.OneToOneField(
        OrgUnitShape, verbose_name=_("simplified boundary"), on_delete=models.CASCADE, primary_key=True, related_name="overview_feature"
    )
    orgunit = models.OneToOneField(OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="overview_feature")

    class Meta:
        verbose_name = _("stored map feature for country-wide maps")
        verbose_name_plural = _("stored map features for country-wide maps")


@dataclass(frozen=True)
class FeatureSet:
    """One set of stored features: its model and the boundary text it is built from."""

    model: type[StoredFeature]
    geojson: str  # the OrgUnitShape field holding the boundary's GeoJSON

    def related(self, field: str) -> str:
        """The name the feature's ``field`` ("shape", "orgunit") is reached by from the other side."""
        return self.model._meta.get_field(field).remote_field.related_name


DETAIL = FeatureSet(MapFeature, "geojson")
OVERVIEW = FeatureSet(OverviewFeature, "overview_geojson")
FEATURE_SETS = (DETAIL, OVERVIEW)


class LayerVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (any signed-in user)")
    AGENCY = "agency", _("The owning agency only")
    ROLES = "roles", _("Selected roles")


class ThematicLayer(models.Model):
    """An uploaded layer (points, lines, polygons with attributes) drawn over the choropleth."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#1f78b4", help_text=_("Hex colour, e.g. #1f78b4"))
    visibility = models.CharField(_("who may see it"), max_length=10, choices=LayerVisibility.choices, default=LayerVisibility.INTERNAL)
    roles = models.CharField(
        _("roles"), max_length=200, blank=True, help_text=_("Roles that may see a role-restricted layer")
    )  # stored as ",role,role,"
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="map_layers")
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("map layer")
        verbose_name_plural = _("map layers")
        ordering = ["name", "pk"]
        constraints = [models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="layer_colour_hex")]

    def __str__(self) -> str:
        return self.name

    @property
    def role_list(self) -> list[str]:
        return [Role(r).label for r in self.roles.split(",") if r in Role.values]


class ThematicFeature(models.Model):
    layer = models.ForeignKey(ThematicLayer, on_delete=models.CASCADE, related_name="features")
    geom = models.GeometryField(srid=4326)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("map feature")
        verbose_name_plural = _("map features")

    def __str__(self) -> str:
        return f"{self.layer_id}#{self.pk}"

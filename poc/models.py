"""Foundation models: the org-unit hierarchy, agencies, users with roles, and periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from poc import permission_version, permissions
from poc.periods import PeriodSpec, PeriodType, parse_period, period_label

PATH_SEPARATOR = "/"


class LocalizedNameMixin:
    """``name``: the English name when the active language is not Thai and one exists, else the Thai name."""

    name_th: str
    name_en: str

    @property
    def name(self) -> str:
        if self.name_en and not (get_language() or "th").startswith("th"):
            return self.name_en
        return self.name_th


class OrgUnitLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    DISTRICT = 2, _("District")
    SUBDISTRICT = 3, _("Subdistrict")
    VILLAGE = 4, _("Village")
    # Local government does not follow the tree: a municipality (เทศบาล) hangs under its province and
    # names the subdistricts it covers in MunicipalityArea. Numbered after the tree's levels so every
    # ``level__lte=SUBDISTRICT`` picker and the tree's roll-ups leave it out.
    MUNICIPALITY = 5, _("Municipality")


class OrgUnitQuerySet(models.QuerySet):
    def open_on(self, day: dt.date) -> OrgUnitQuerySet:
        """Units that existed on ``day`` (org units have validity dates so history survives merges)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def without_shapes(self) -> OrgUnitQuerySet:
        """Everything but the boundary and point: pickers and tables never draw them, and a province's
        boundaries are megabytes to fetch and parse on every page."""
        return self.defer("geom", "point")

    def in_tree(self) -> OrgUnitQuerySet:
        """The administrative tree only: municipalities overlap the subdistricts they cover, so a drill-down
        from a province lists its districts, never its municipalities beside them."""
        return self.exclude(level=OrgUnitLevel.MUNICIPALITY)

    def subtree(self, unit: OrgUnit, include_self: bool = True) -> OrgUnitQuerySet:
        queryset = self.filter(path__startswith=unit.path)
        return queryset if include_self else queryset.exclude(pk=unit.pk)


class OrgUnit(LocalizedNameMixin, models.Model):
    """A node of the administrative hierarchy: province → district → subdistrict → village.

    ``path`` is a materialised path of official codes (``21/2101/210101/``) so that descendants are
    one indexed prefix query and ancestors are known without queries, even for ~75,000 villages.
    """

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("Official DOPA/TIS-1099 geocode"))
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=OrgUnitLevel.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    geom = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    point = models.PointField(_("location"), srid=4326, null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "parent"], name="orgunit_level_parent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def save(self, *args, **kwargs) -> None:
        self.path = self.build_path()
        super().save(*args, **kwargs)

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to the parent (no query)."""
        return self.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]

    def ancestors(self) -> OrgUnitQuerySet:
        return OrgUnit.objects.filter(code__in=self.ancestor_codes).order_by("level")

    def descendants(self, include_self: bool = False) -> OrgUnitQuerySet:
        return OrgUnit.objects.subtree(self, include_self=include_self)

    def is_within(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)


class AgencyKind(models.TextChoices):
    CENTRAL = "central", _("Central government")
    REGIONAL = "regional", _("Provincial (regional) government")
    LOCAL = "local", _("Local government")


class Agency(LocalizedNameMixin, models.Model):
    """A government agency (ส่วนราชการ/หน่วยงาน) that owns datasets and employs users."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AgencyKind.choices, default=AgencyKind.REGIONAL)
    orgunit = models.ForeignKey(OrgUnit, verbose_name=_("org unit served"), on_delete=models.PROTECT, related_name="agencies")
    letter_prefix = models.CharField(
        _("letter number prefix"), max_length=40, blank=True, help_text=_("Official letter prefix, e.g. รย 0016.1")
    )
    is_provincial_it = models.BooleanField(
        _("provincial IT group"), default=False, help_text=_("The group that tracks updates and verifies data for the province")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        permissions = [
            ("enter_data", _("Can enter data for the agency")),
            ("verify_data", _("Can verify data of the agency")),
            ("view_restricted", _("Can read restricted data of the agency")),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DATA_ENTRY = "data_entry", _("Data entry")
    VERIFIER = "verifier", _("Verifier")
    EXECUTIVE = "executive", _("Executive")
    IT_ADMIN = "it_admin", _("IT administrator")


class User(AbstractUser):
    """A portal user. Roles are Django groups named after :class:`Role`; agency rights are
    django-guardian object permissions on the user's :class:`Agency` (see ``poc.services``)."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def role_names(self) -> set[str]:
        """The user's roles (group names): kept in the shared cache under the permissions version, which every change of
        groups or memberships bumps (``poc.permission_version``), so the menu of every page asks no query for them."""
        if not hasattr(self, "_role_names"):
            self._role_names = set(permission_version.remember(f"roles:{self.pk}", self._read_role_names)) if self.pk else set()
        return self._role_names

    def _read_role_names(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True))

    @property
    def role_labels(self) -> list[str]:
        return [Role(name).label for name in sorted(self.role_names) if name in Role.values]

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_names.intersection(roles))

    # Thin aliases for code written before the permission layer; new code asks poc.permissions
    # (``Gate.IT_ADMIN(user)``, ``Model.objects.restrict(user, action)``).
    @property
    def is_it_admin(self) -> bool:
        return permissions.is_it_admin(self)

    @property
    def is_executive(self) -> bool:
        return permissions.is_executive(self)


class PeriodQuerySet(models.QuerySet):
    def for_code(self, code: str) -> Period:
        return self.for_spec(parse_period(code))

    def lookup(self, spec: PeriodSpec) -> Period:
        """The stored period, or an unsaved one with the same dates for reads (a GET must not create rows).

        Filtering by an unsaved period (``pk`` None) finds nothing, which is right: no value can refer to it.
        """
        found = self.filter(code=spec.code).first()
        return found or Period(
            code=spec.code, period_type=spec.type, start_date=spec.start, end_date=spec.end, fiscal_year=spec.fiscal_year
        )

    def for_specs(self, specs: Iterable[PeriodSpec]) -> dict[str, Period]:
        """:meth:`for_spec` of many periods, by code: one query (plus one per period not stored yet)."""
        specs = {spec.code: spec for spec in specs}
        found = {period.code: period for period in self.filter(code__in=list(specs))}
        for code in specs.keys() - found.keys():
            found[code] = self.for_spec(specs[code])
        return found

    def for_spec(self, spec: PeriodSpec) -> Period:
        period, _created = self.get_or_create(
            code=spec.code,
            defaults={"period_type": spec.type, "start_date": spec.start, "end_date": spec.end, "fiscal_year": spec.fiscal_year},
        )
        return period


class Period(models.Model):
    """A stored period (rows are created on demand from codes; see :mod:`poc.periods`)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    period_type = models.CharField(_("period type"), max_length=2, choices=PeriodType.choices)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"), db_index=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["start_date", "period_type"]
        indexes = [models.Index(fields=["period_type", "start_date"], name="period_type_start")]

    def __str__(self) -> str:
        return self.label

    @property
    def spec(self) -> PeriodSpec:
        return PeriodSpec(self.start_date, self.end_date, self.period_type)

    @property
    def label(self) -> str:
        return period_label(self.spec)


class OrgUnitChangeKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")


class OrgUnitChange(models.Model):
    """One edge of a boundary change: part (``weight``) of ``source`` continues as ``target`` from ``date``.

    A merge gives every source weight 1 to the same target; a split gives one source several targets
    whose weights add up to 1 (e.g. population shares). History stays on the old units, so past
    periods aggregate with the hierarchy valid then; ``poc.boundary_changes`` re-maps it onto today's units.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=OrgUnitChangeKind.choices)
    date = models.DateField(_("effective date"))
    source = models.ForeignKey(OrgUnit, verbose_name=_("old unit"), on_delete=models.CASCADE, related_name="changes_out")
    target = models.ForeignKey(OrgUnit, verbose_name=_("new unit"), on_delete=models.CASCADE, related_name="changes_in")
    weight = models.FloatField(_("share"), default=1.0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey("poc.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("org-unit change")
        verbose_name_plural = _("org-unit changes")
        ordering = ["-date", "source__code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="orgunitchange_unique_edge"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=1), name="orgunitchange_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code} ({self.weight:g}) {self.date}"


class OrgUnitGroupSet(LocalizedNameMixin, models.Model):
    """A way of grouping org units: exclusive (a unit in at most one of its groups, e.g. local
    government type) or not (e.g. "coastal", where a unit may also be "tourism")."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    exclusive = models.BooleanField(_("exclusive"), default=False, help_text=_("A unit belongs to at most one group of the set"))

    objects = permissions.RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("org-unit group set")
        verbose_name_plural = _("org-unit group sets")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrgUnitGroup(LocalizedNameMixin, models.Model):
    """Org units that belong together outside the hierarchy: a provincial cluster, a health region,
    the EEC, the coastal subdistricts. Members may sit at any level and in any province."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    group_set = models.ForeignKey(
        OrgUnitGroupSet, verbose_name=_("group set"), null=True, blank=True, on_delete=models.PROTECT, related_name="groups"
    )
    members = models.ManyToManyField(OrgUnit, verbose_name=_("members"), blank=True, related_name="unit_groups")

    objects = permissions.RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("org-unit group")
        verbose_name_plural = _("org-unit groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MunicipalityArea(models.Model):
    """A subdistrict (or the part of it, ``share`` of its population) that a municipality covers.

    DOPA's registration splits subdistrict 210109 เนินพระ between municipalities 2197 and 2199, so
    one subdistrict can have several rows; ``share`` is unknown (null) until someone records it.
    """

    municipality = models.ForeignKey(
        OrgUnit,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="covered_areas",
        limit_choices_to={"level": OrgUnitLevel.MUNICIPALITY},
    )
    subdistrict = models.ForeignKey(
        OrgUnit,
        verbose_name=_("subdistrict"),
        on_delete=models.PROTECT,
        related_name="municipality_areas",
        limit_choices_to={"level": OrgUnitLevel.SUBDISTRICT},
    )
    share = models.FloatField(_("share of the subdistrict"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality area")
        verbose_name_plural = _("municipality areas")
        ordering = ["municipality__code", "subdistrict__code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "subdistrict"], name="municipalityarea_unique"),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)), name="municipalityarea_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.code} ⊃ {self.subdistrict.code}"

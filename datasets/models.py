"""The provincial catalogue (topics, datasets, data elements, categories) and the values behind it.

Storage is shaped for scale (10M+ values): one row per cell in :class:`DataValue` (unique per
element × org unit × period × option combination, numbers and text in separate columns), an append-only
:class:`DataValueAudit`, and :class:`AggregateValue` — sums and counts of every element per
ancestor org unit and period, kept current in the same transaction as each write (see
``datasets.services``), so dashboards never scan raw values.

Disaggregation works as in DHIS2 and Thai published statistics: a :class:`Category` (sex, age group,
municipal area) has ordered :class:`CategoryOption` s; a :class:`CategoryCombo` is an ordered set of
categories attached to a data element; each :class:`CategoryOptionCombo` (e.g. หญิง × ในเขตเทศบาล) is one
stored cell. An element without a combination keeps one cell per element × unit × period
(``option_combo`` null). Totals are never stored as values: :class:`AggregateValue` holds the total of every
element over all its option combinations, :class:`AggregateOptionValue` the sums per option combination.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from poc.models import Agency, LocalizedNameMixin, OrgUnit, OrgUnitLevel, Period
from poc.periods import PeriodType
from poc.permissions import RestrictedQuerySet


class Topic(LocalizedNameMixin, models.Model):
    """One of the province's topic groups of basic data (45 in the MOI handbook)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    domain_th = models.CharField(_("domain (Thai)"), max_length=100, blank=True)
    domain_en = models.CharField(_("domain (English)"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("Public (open data)")
    INTERNAL = "internal", _("Internal (any signed-in user)")
    RESTRICTED = "restricted", _("Restricted (the agency and the provincial IT group)")


class VerificationBy(models.TextChoices):
    PROVINCE = "province", _("Provincial IT group")
    AGENCY = "agency", _("The agency's own verifier")


class DatasetQuerySet(RestrictedQuerySet):
    def with_assigned_units(self) -> DatasetQuerySet:
        """Prefetch the units each dataset is assigned to (directly and through groups), without their boundaries."""
        return self.prefetch_related(
            models.Prefetch("orgunits", queryset=OrgUnit.objects.without_shapes()),
            models.Prefetch("orgunit_groups__members", queryset=OrgUnit.objects.only("pk")),
        )


class Dataset(LocalizedNameMixin, models.Model):
    """A collection of data elements reported together by one responsible agency."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="datasets")
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    source = models.TextField(_("source"), blank=True)
    collection_level = models.PositiveSmallIntegerField(
        _("collected at level"), choices=OrgUnitLevel.choices, default=OrgUnitLevel.DISTRICT
    )
    period_type = models.CharField(_("period type"), max_length=2, choices=PeriodType.choices, default=PeriodType.FISCAL_YEAR)
    agency = models.ForeignKey(Agency, verbose_name=_("responsible agency"), on_delete=models.PROTECT, related_name="datasets")
    due_days = models.PositiveSmallIntegerField(_("due (days after period end)"), default=30)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    sensitivity = models.CharField(_("sensitivity"), max_length=12, choices=Sensitivity.choices, default=Sensitivity.INTERNAL)
    verification_by = models.CharField(_("verified by"), max_length=10, choices=VerificationBy.choices, default=VerificationBy.PROVINCE)
    approval_levels = models.PositiveSmallIntegerField(
        _("approval levels"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1: one verification. 2 or 3: approved up the hierarchy, e.g. the district office, then the province"),
    )
    orgunits = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("assigned org units"),
        blank=True,
        related_name="assigned_datasets",
        help_text=_("Leave empty to collect from every org unit at the collection level"),
    )
    orgunit_groups = models.ManyToManyField(
        "poc.OrgUnitGroup",
        verbose_name=_("assigned org-unit groups"),
        blank=True,
        related_name="assigned_datasets",
        help_text=_("Collect from the members of these groups too (e.g. every municipality, the coastal subdistricts)"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    # Open-data catalogue fields the national Government Data Catalog asks for (the rest derive from the above).
    objective = models.CharField(
        _("objective"),
        max_length=100,
        default="พันธกิจหน่วยงาน",
        blank=True,
        help_text=_("Why the data is collected, in the GD Catalog's words (e.g. พันธกิจหน่วยงาน)"),
    )
    license = models.CharField(_("licence"), max_length=100, default="Open Data Common", blank=True)
    official_statistics = models.BooleanField(_("official statistics"), default=False)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["topic__order", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def assigned_unit_ids(self) -> set[int]:
        """Ids of the units this dataset is assigned to, directly or through a group (empty: every unit at its level);
        from a prefetch (``orgunits``, ``orgunit_groups__members``) if any."""
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        ids = {unit.pk for unit in self.orgunits.all()} if "orgunits" in prefetched else set(self.orgunits.values_list("pk", flat=True))
        if "orgunit_groups" in prefetched:
            return ids | {unit.pk for group in self.orgunit_groups.all() for unit in group.members.all()}
        return ids | set(OrgUnit.objects.filter(unit_groups__assigned_datasets=self).values_list("pk", flat=True))


class Category(LocalizedNameMixin, models.Model):
    """A dimension a figure is broken down by, e.g. ``SEX`` (ชาย, หญิง) or ``AREA`` (ในเขต/นอกเขตเทศบาล)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CategoryOption(LocalizedNameMixin, models.Model):
    """One value of a category, e.g. ``F`` หญิง of ``SEX``; ordered as published."""

    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("code"), max_length=20)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category option")
        verbose_name_plural = _("category options")
        ordering = ["category", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="categoryoption_unique_code")]

    def __str__(self) -> str:
        return f"{self.category.code}.{self.code} {self.name}"


class CategoryCombo(LocalizedNameMixin, models.Model):
    """An ordered set of categories a data element is broken down by, e.g. ``SEX_AREA`` = SEX × AREA."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), through="CategoryComboMember", related_name="combos")

    class Meta:
        verbose_name = _("category combination")
        verbose_name_plural = _("category combinations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CategoryComboMember(models.Model):
    """A category's place in a combination (the order of sub-columns and of the parts of option-combo codes)."""

    combo = models.ForeignKey(CategoryCombo, on_delete=models.CASCADE, related_name="members")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["combo", "order"]
        constraints = [models.UniqueConstraint(fields=["combo", "category"], name="categorycombomember_unique")]

    def __str__(self) -> str:
        return f"{self.combo_id}#{self.order}: {self.category_id}"


class CategoryOptionCombo(LocalizedNameMixin, models.Model):
    """One stored cell of a broken-down element: one option of each category of the combination.

    ``code`` joins the options' codes in the combination's category order with ``_`` (``F_MUN``); the
    names join the options' names with ", " (``หญิง, ในเขตเทศบาล``).
    """

    combo = models.ForeignKey(CategoryCombo, verbose_name=_("category combination"), on_delete=models.CASCADE, related_name="option_combos")
    code = models.CharField(_("code"), max_length=100)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    options = models.ManyToManyField(CategoryOption, verbose_name=_("options"), related_name="option_combos")
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category option combination")
        verbose_name_plural = _("category option combinations")
        ordering = ["combo", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["combo", "code"], name="categoryoptioncombo_unique_code")]

    def __str__(self) -> str:
        return f"{self.combo.code}:{self.code} {self.name}"


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    PERCENT = "percent", _("Percent")
    TEXT = "text", _("Text")
    BOOLEAN = "boolean", _("Yes/No")
    OPTION = "option", _("Option set")


NUMERIC_TYPES = {ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT, ValueType.BOOLEAN}


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    LAST = "last", _("Last value")


class DataElement(LocalizedNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    dataset = models.ForeignKey(Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="elements")
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    description = models.TextField(_("definition"), blank=True)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER)
    options = models.JSONField(_("options"), default=list, blank=True, help_text=_("Allowed values for an option set"))
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM)
    category_combo = models.ForeignKey(
        CategoryCombo,
        verbose_name=_("broken down by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elements",
        help_text=_("Leave empty for one figure per org unit and period"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["dataset", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES


class NotAvailableReason(models.TextChoices):
    NOT_COLLECTED = "not_collected", _("Not collected that year")
    CONFIDENTIAL = "confidential", _("Commercially confidential")
    SOURCE_CHANGED = "source_changed", _("Source system changed")
    OTHER = "other", _("Other")


class ValueSource(models.TextChoices):
    FORM = "form", _("Entry form")
    IMPORT = "import", _("File import")
    API = "api", _("API")
    ADMIN = "admin", _("Administration")
    DEMO = "demo", _("Demo data")


class DataValue(models.Model):
    """One cell: element × org unit × period (× option combination for a broken-down element).

    Either a value or 'not available' with a reason. ``option_combo`` is null for an element without categories.
    """

    # No single-column indexes: the unique cell (element, …), (orgunit, period) and (period, element) indexes lead with
    # each of them already, and every index costs every import.
    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="values", db_index=False)
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="datavalues", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="datavalues", db_index=False)
    # Checked by the write service against the element's combination; no database check (it would cost every import).
    option_combo = models.ForeignKey(
        CategoryOptionCombo, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    value_num = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=1000, blank=True, default="")
    not_available = models.CharField(max_length=20, choices=NotAvailableReason.choices, blank=True, default="")
    comment = models.CharField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=10, choices=ValueSource.choices, default=ValueSource.FORM)
    # Who entered and last changed the value: stamps, like the audit log's user, so neither a database constraint nor
    # an index (their checks and upkeep were a third of a large import; nothing reads values by user). Deleting a
    # user, which the portal never does (accounts are deactivated), still nulls them through the ORM.
    created_at = models.DateTimeField(auto_now_add=True)  # first entry: the basis of timeliness
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False, db_index=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "orgunit", "period"], condition=models.Q(option_combo__isnull=True), name="datavalue_unique_cell"
            ),
            models.UniqueConstraint(
                fields=["element", "orgunit", "period", "option_combo"],
                condition=models.Q(option_combo__isnull=False),
                name="datavalue_unique_option_cell",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "element"], name="datavalue_period_element"),
            models.Index(fields=["orgunit", "period"], name="datavalue_orgunit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.orgunit_id}/{self.period_id}={self.display}"

    @property
    def display(self) -> str:
        if self.not_available:
            return f"n/a ({self.not_available})"
        if self.value_num is not None:
            return format_number(self.value_num)
        return self.value_text


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


class DataValueAudit(models.Model):
    """Append-only history of every value change: who, when, old → new, through what.

    A log, not a relation: its references carry no database constraint and are never cascaded, so the
    history outlives a deleted element or org unit and a million-value import pays no foreign-key
    checks for it (the values it records were checked when they were written). Read per cell or per
    element through ``audit_cell``.
    """

    element = models.ForeignKey(DataElement, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False)
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False)
    period = models.ForeignKey(Period, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False)
    option_combo = models.ForeignKey(
        CategoryOptionCombo, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    old_value = models.CharField(max_length=1000, blank=True, default="")
    new_value = models.CharField(max_length=1000, blank=True, default="")
    action = models.CharField(max_length=10, choices=[("create", _("created")), ("update", _("updated")), ("delete", _("deleted"))])
    source = models.CharField(max_length=10, choices=ValueSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False, db_index=False
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("value change")
        verbose_name_plural = _("value changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["element", "orgunit", "period"], name="audit_cell")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.old_value} → {self.new_value}"


class AggregateValue(models.Model):
    """Sum and count of an element's numeric values over an org unit's subtree (itself included), per period.

    Maintained incrementally by every write; ``check_aggregates`` recomputes from raw values.
    Averages are ``total / count``; roll-ups over periods (e.g. a fiscal year) combine the few
    period rows of one org unit at read time. Derived data: no database foreign keys (each value
    would pay three checks per ancestor), deletions still cascade through the ORM, and
    ``check_aggregates --fix`` rebuilds the table from the values.
    """

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    # Every read leads with the element (the unique key or element_period); an org-unit index would serve only
    # the ORM's cascade when a unit is deleted, which data values already forbid (PROTECT).
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    total = models.FloatField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["element", "orgunit", "period"], name="aggregate_unique_key")]
        indexes = [models.Index(fields=["element", "period"], name="aggregate_element_period")]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.orgunit_id}/{self.period_id}: {self.total} ({self.count})"


class AggregateOptionValue(models.Model):
    """Sum and count of a broken-down element's values per option combination, over an org unit's subtree, per period.

    The companion of :class:`AggregateValue` (which holds the element's total over every option combination),
    maintained in the same transaction by the same writes and checked by ``check_aggregates``. Sums by one option
    (e.g. every หญิง cell of SEX × AREA) add the few combination rows at read time.
    """

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    option_combo = models.ForeignKey(CategoryOptionCombo, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    total = models.FloatField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["element", "option_combo", "orgunit", "period"], name="aggregateoption_unique_key")]
        indexes = [models.Index(fields=["element", "period"], name="aggregateoption_element_period")]

    def __str__(self) -> str:
        return f"{self.element_id}.{self.option_combo_id}/{self.orgunit_id}/{self.period_id}: {self.total} ({self.count})"


class ImportProfile(models.Model):
    """A confirmed mapping of an agency's published file to a dataset, so next edition imports in one step.

    ``mapping`` is the JSON described in :mod:`datasets.imports` (element per column header, answers to
    ambiguous org-unit names, a fixed period if the file names none).
    """

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="import_profiles")
    dataset = models.ForeignKey(Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="import_profiles")
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ["dataset", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "dataset", "name"], name="importprofile_unique_name")]

    def __str__(self) -> str:
        return f"{self.dataset.code} · {self.name}"

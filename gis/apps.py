from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GisConfig(AppConfig):
    name = "gis"
    label = "maps"  # "gis" is django.contrib.gis
    verbose_name = _("Maps")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from datasets.signals import values_changed
        from gis import criteria, receivers  # noqa: F401  (criteria: self-assessment measures register on import)
        from indicators.signals import indicator_values_changed
        from poc.models import OrgUnit
        from poc.navigation import NavItem, register
        from poc.signals import orgunits_imported

        orgunits_imported.connect(receivers.refresh_shapes_after_import, dispatch_uid="gis.refresh_shapes")
        post_save.connect(receivers.refresh_heads_after_save, sender=OrgUnit, dispatch_uid="gis.heads_saved")
        post_delete.connect(receivers.refresh_heads_after_save, sender=OrgUnit, dispatch_uid="gis.heads_deleted")
        values_changed.connect(receivers.forget_measure_changed_at, dispatch_uid="gis.measure_changed_at")
        indicator_values_changed.connect(receivers.forget_indicator_version, dispatch_uid="gis.indicator_version")
        register(NavItem("gis:map", _("Map"), order=40, visible=lambda request: True))
        register(NavItem("gis:layers", _("Map layers"), order=41, visible=lambda request: request.user.is_authenticated))

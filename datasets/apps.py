from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetsConfig(AppConfig):
    name = "datasets"
    verbose_name = _("Datasets")

    def ready(self) -> None:
        from datasets import values_versions
        from datasets.home import owed_panel
        from datasets.signals import values_changed
        from poc.home import HomePanel
        from poc.home import register as register_panel
        from poc.navigation import NavItem, register
        from poc.permissions import Gate

        values_changed.connect(values_versions.on_values_changed, dispatch_uid="datasets.values_versions")
        register_panel(HomePanel("datasets-owed", "datasets/home_owed.html", owed_panel, order=10))

        register(NavItem("datasets:catalogue", _("Datasets"), order=20))
        register(NavItem("datasets:entry", _("Enter data"), order=21, visible=lambda r: Gate.DATA_ENTRY(r.user)))
        register(NavItem("datasets:completeness", _("Completeness"), order=22))
        register(NavItem("open_data:catalogue", _("Open data"), order=80, visible=lambda r: not r.user.is_authenticated))

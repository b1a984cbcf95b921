from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PocConfig(AppConfig):
    name = "poc"
    verbose_name = _("Provincial Operations Centre")

    def ready(self) -> None:
        from poc import permission_version
        from poc.gdal_safety import disable_gdal_network

        disable_gdal_network()
        permission_version.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from poc.navigation import NavItem, register

        # Personal tokens for scripts: in the IT group of the menu (the header stays one row on a 1440 screen).
        register(NavItem("api_tokens", _("API tokens"), order=95, group="it"))

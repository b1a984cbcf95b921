from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("IT risk survey")

    def ready(self) -> None:
        from poc.navigation import NavItem, register
        from risk import criteria  # noqa: F401  (self-assessment measures register on import)

        def signed_in(request) -> bool:
            return request.user.is_authenticated

        register(NavItem("risk:campaign_list", _("Risk survey"), order=60, visible=signed_in))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Risk and operations")

    def ready(self) -> None:
        from poc.navigation import NavItem, register
        from poc.permissions import Gate

        def signed_in(request) -> bool:
            return request.user.is_authenticated

        def it_admin(request) -> bool:
            return Gate.IT_ADMIN(request.user)

        register(NavItem("risk:campaign_list", _("Risk survey"), order=60, visible=signed_in))
        register(NavItem("risk:training_plan", _("Training"), order=62, visible=signed_in))
        register(NavItem("risk:backup_list", _("Backups"), order=80, visible=it_admin))
        register(NavItem("risk:contingency_plan", _("Contingency plan"), order=81, visible=signed_in))
        register(NavItem("risk:usage_report", _("Usage"), order=82, visible=it_admin))

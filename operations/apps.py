from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("IT operations")

    def ready(self) -> None:
        from operations import criteria  # noqa: F401  (self-assessment measures register on import)
        from poc.navigation import NavItem, register
        from poc.permissions import Gate

        def signed_in(request) -> bool:
            return request.user.is_authenticated

        def it_admin(request) -> bool:
            return Gate.IT_ADMIN(request.user)

        register(NavItem("operations:training_plan", _("Training"), order=62, visible=signed_in))
        register(NavItem("operations:backup_list", _("Backups"), order=80, visible=it_admin))
        register(NavItem("operations:contingency_plan", _("Contingency plan"), order=81, visible=signed_in))
        register(NavItem("operations:usage_report", _("Usage"), order=82, visible=it_admin))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Self-assessment")

    def ready(self) -> None:
        from poc.navigation import NavItem, register
        from poc.permissions import Gate

        register(
            NavItem(
                "assessment",
                _("Self-assessment"),
                order=85,
                visible=lambda r: Gate.EXECUTIVE_OR_IT(r.user),
            )
        )

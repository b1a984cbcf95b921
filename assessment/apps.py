from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Self-assessment")

    def ready(self) -> None:
        from poc.navigation import NavItem, register

        register(
            NavItem(
                "assessment",
                _("Self-assessment"),
                order=85,
                visible=lambda r: r.user.is_authenticated and (r.user.is_it_admin or r.user.is_executive),
            )
        )

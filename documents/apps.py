from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents and correspondence")

    def ready(self) -> None:
        from documents import criteria  # noqa: F401  (self-assessment measures register on import)
        from poc.navigation import NavItem, register

        register(NavItem("documents:document_list", _("Documents"), order=64, visible=lambda request: True))
        register(NavItem("documents:letter_list", _("Correspondence"), order=65, visible=lambda r: r.user.is_authenticated))

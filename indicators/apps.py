from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from datasets.signals import values_changed
        from indicators import criteria  # noqa: F401  (self-assessment measures register on import)

        values_changed.connect(on_values_changed, dispatch_uid="indicators.refresh")


def on_values_changed(sender, element_ids, orgunit_ids, period_ids, **kwargs) -> None:
    """Queue a refresh (a Celery task; it runs in-process when there is no Redis)."""
    from indicators.tasks import refresh_for_change_task

    refresh_for_change_task.delay(sorted(element_ids), sorted(orgunit_ids), sorted(period_ids))

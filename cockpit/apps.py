from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "cockpit"
    verbose_name = _("Management cockpit")

    def ready(self) -> None:
        from cockpit import criteria  # noqa: F401  (self-assessment measures register on import)
        from datasets.signals import values_changed
        from indicators.signals import indicator_values_changed
        from poc.navigation import NavItem, register

        values_changed.connect(on_values_changed, dispatch_uid="cockpit.warnings.elements")
        indicator_values_changed.connect(on_indicator_values_changed, dispatch_uid="cockpit.warnings.indicators")
        register(NavItem("cockpit:tiles", _("Cockpit"), order=20))
        register(NavItem("cockpit:my_dashboard", _("My dashboard"), order=21))
        register(NavItem("cockpit:pivot", _("Analysis"), order=22))
        register(NavItem("cockpit:alerts", _("Alerts"), order=23))


def on_values_changed(sender, element_ids, orgunit_ids, period_ids, **kwargs) -> None:
    from cockpit.tasks import evaluate_for_elements_task

    # Only the changed units (and their ancestors) are re-evaluated, not every unit at each rule's level.
    evaluate_for_elements_task.delay(sorted(element_ids), sorted(period_ids), sorted(orgunit_ids))


def on_indicator_values_changed(sender, indicator_ids, orgunit_ids, period_ids, **kwargs) -> None:
    from cockpit.tasks import evaluate_for_indicators_task

    evaluate_for_indicators_task.delay(sorted(indicator_ids), sorted(period_ids), sorted(orgunit_ids))

"""Page titles for the usage report: people read "ห้องบัญชาการผู้บริหาร", not the route name "cockpit:tiles".

Menu pages take their menu label (``poc.navigation``); pages reached from them are named below. A page
that is in neither keeps its route name, so a new page still shows up in the report.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from poc.navigation import NAVIGATION

# Pages not in the menu, by route name (labels reuse the pages' own titles).
PAGE_TITLES: dict[str, str | Promise] = {
    "cockpit:drilldown": _("Indicator drill-down"),
    "cockpit:warroom": _("War room"),
    "cockpit:needs": _("Information needs"),
    "cockpit:alert": _("Alerts"),
    "datasets:detail": _("Dataset"),
    "datasets:history": _("History"),
    "datasets:audit": _("Audit trail"),
    "datasets:upload": _("Import / export"),
    "verification:submission": _("Submission"),
    "verification:notifications": _("Notifications"),
    "risk:campaign_report": _("Risk survey report"),
    "risk:response_edit": _("Risk survey"),
    "assessment": _("Self-assessment"),
}


# Pages recorded before backups, contingency, training and usage moved from the risk app to operations.
MOVED = ("risk:backup", "risk:contingency", "risk:course", "risk:participant", "risk:training", "risk:usage")


def page_title(view_name: str) -> str:
    if view_name.startswith(MOVED):
        view_name = "operations:" + view_name.removeprefix("risk:")
    for item in NAVIGATION:
        if item.url_name == view_name:
            return str(item.label)
    return str(PAGE_TITLES.get(view_name, view_name))

"""The cockpit on one printed page for the monthly provincial meeting (PDF).

Reads what the cockpit page shows (``cockpit_tiles`` and the user's open alerts) and lays it out as a
summary line (how many indicators are off target, on watch, on target or not judged), one compact row
per indicator grouped by perspective, and the open alerts, typeset by ``poc.pdf``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cockpit.models import AlertStatus
from cockpit.selectors import cockpit_tiles, visible_alerts
from indicators.models import Light
from poc.models import OrgUnit, User
from poc.pdf import render_pdf
from poc.periods import format_date_be

BRIEF_ALERTS = 5  # the newest; the summary strip counts them all
LIGHT_ORDER = [Light.RED, Light.AMBER, Light.GREEN, Light.GREY]


def _change_text(change: dict | None) -> str:
    """The tile's change against last year (see ``cockpit.selectors``); an unchanged value says so, not ▲ 0%."""
    if change is None:
        return ""
    if change["direction"] == "flat":
        return _("unchanged")
    return f"{'▲' if change['direction'] == 'up' else '▼'} {change['display']}"


def brief_context(*, user: User, orgunit: OrgUnit, fiscal_year: int) -> dict[str, Any]:
    groups = cockpit_tiles(orgunit=orgunit, fiscal_year=fiscal_year, user=user)
    counts = Counter(tile["light"] for group in groups for tile in group["tiles"])
    perspectives = [
        {
            "name": group["name"],
            "rows": [
                {**tile, "change_text": _change_text(tile["change"]), "light_label": Light(tile["light"]).label} for tile in group["tiles"]
            ],
        }
        for group in groups
    ]
    open_alerts = visible_alerts(user).filter(status=AlertStatus.OPEN)
    total_alerts = open_alerts.count()
    alerts = list(open_alerts.select_related("rule", "orgunit", "period").order_by("-opened_at")[:BRIEF_ALERTS])
    return {
        "title": _("Management cockpit brief · %(unit)s · FY %(fy)s") % {"unit": orgunit.name, "fy": fiscal_year},
        "prepared": _("Prepared %(date)s") % {"date": format_date_be(timezone.localdate(), long=True)},
        "summary": [{"light": light, "label": light.label, "count": counts.get(light, 0)} for light in LIGHT_ORDER],
        "perspectives": perspectives,
        "alerts": alerts,
        "open_alerts": total_alerts,
        "more_alerts": max(0, total_alerts - len(alerts)),
    }


def brief_pdf(*, user: User, orgunit: OrgUnit, fiscal_year: int) -> bytes:
    return render_pdf("cockpit/brief_pdf.html", brief_context(user=user, orgunit=orgunit, fiscal_year=fiscal_year))

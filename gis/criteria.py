"""Self-assessment measures of the GIS app (rubric in ``assessment.services``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from poc.criteria import Evidence, Measure, measures


@measures("4.1")
def gis_layers(evidence: Evidence) -> Measure:
    from gis.models import ThematicLayer
    from poc.models import OrgUnit, OrgUnitLevel

    without = OrgUnit.objects.filter(level=OrgUnitLevel.DISTRICT, geom__isnull=True).count()
    layers = ThematicLayer.objects.count()
    figure = _("%(l)d layers; %(d)d districts without boundary") % {"l": layers, "d": without}
    return Measure(figure, layers > 0 and without == 0)

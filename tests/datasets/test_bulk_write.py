"""Large saves take the COPY path on PostgreSQL: the rows, audit trail and aggregates must match the small-save path."""

import pytest
from django.conf import settings

from datasets.models import AggregateValue, DataValue, DataValueAudit
from datasets.services import CellInput, aggregates_recompute, datavalues_save
from poc.models import Period
from poc.periods import parse_period

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not settings.IS_POSTGIS, reason="COPY runs on PostgreSQL only")
def test_a_large_save_copies_values_audits_and_aggregates_exactly(elements, subdistricts, entry_a):
    spec, periods = parse_period("2550-01"), []
    for _month in range(150):  # 150 months × 4 subdistricts = 600 cells: above the COPY threshold
        periods.append(Period.objects.for_spec(spec))
        spec = spec.next()
    cells = [
        CellInput(element=elements["cases"], orgunit=unit, period=period, raw=str(n), comment="tab\there\\ and\nnewline" if n == 7 else "")
        for n, (unit, period) in enumerate((u, p) for p in periods for u in subdistricts)
    ]
    result = datavalues_save(cells=cells, user=entry_a)
    assert result.ok and result.created == 600
    stored = DataValue.objects.get(element=elements["cases"], value_num=7)
    assert stored.comment == "tab\there\\ and\nnewline" and stored.created_by == entry_a and stored.source == "form"
    assert DataValueAudit.objects.filter(element=elements["cases"], action="create", user=entry_a).count() == 600
    assert DataValueAudit.objects.get(element=elements["cases"], new_value="7").old_value == ""
    province = subdistricts[0].path.split("/")[0]
    top = AggregateValue.objects.get(element=elements["cases"], orgunit__code=province, period=periods[0])
    assert (top.total, top.count) == (0 + 1 + 2 + 3, 4)
    assert aggregates_recompute(element_ids=[elements["cases"].pk]).differences == []

"""Large saves stream their COPY text in chunks and write aggregate deltas prepared in a second thread: the rows,
audit trail, aggregates and the change announced must be exactly those of the plain path."""

import pytest
from django.conf import settings

import datasets.aggregates
import datasets.services
from datasets.aggregates import aggregates_recompute
from datasets.models import AggregateValue, DataValue, DataValueAudit
from datasets.services import CellInput, datavalues_save
from datasets.signals import values_changed
from datasets.transfer import read_table
from tests.datasets.periods import months

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not settings.IS_POSTGIS, reason="COPY runs on PostgreSQL only")
def test_streamed_copies_and_prepared_deltas_write_exact_values_audits_aggregates_and_signal(
    elements, subdistricts, entry_a, monkeypatch, django_capture_on_commit_callbacks
):
    # Seven lines per read (the values arrive in 86 pieces) and deltas through the scratch table from 10 rows on.
    monkeypatch.setattr(datasets.services._CopyStream, "LINES_PER_READ", 7)
    monkeypatch.setattr(datasets.aggregates, "COPY_DELTAS_AFTER", 10)
    announced = []

    def receiver(sender, **kwargs):
        announced.append(kwargs)

    values_changed.connect(receiver)
    try:
        periods = months("2560-01", 150)
        keys = [(u, p) for p in periods for u in subdistricts]
        cells = [CellInput(element=elements["cases"], orgunit=u, period=p, raw=str(n)) for n, (u, p) in enumerate(keys)]
        with django_capture_on_commit_callbacks(execute=True):
            assert datavalues_save(cells=cells, user=entry_a, source="import").created == 600
        corrected = [CellInput(element=elements["cases"], orgunit=u, period=p, raw=str(2 * n + 1)) for n, (u, p) in enumerate(keys)]
        with django_capture_on_commit_callbacks(execute=True):
            assert datavalues_save(cells=corrected, user=entry_a, source="import").updated == 600
    finally:
        values_changed.disconnect(receiver)
    values = DataValue.objects.filter(element=elements["cases"])
    assert sorted(values.values_list("value_num", flat=True)) == [2.0 * n + 1 for n in range(600)]
    audits = DataValueAudit.objects.filter(element=elements["cases"])
    assert audits.filter(action="create").count() == 600 and audits.filter(action="update").count() == 600
    assert audits.get(action="update", orgunit=keys[5][0], period=keys[5][1]).old_value == "5"
    assert audits.get(action="update", orgunit=keys[5][0], period=keys[5][1]).new_value == "11"
    # 4 subdistricts, 2 districts and the province per month; the province's first month sums 1 + 3 + 5 + 7.
    assert AggregateValue.objects.filter(element=elements["cases"]).count() == 150 * 7
    province = subdistricts[0].path.split("/")[0]
    top = AggregateValue.objects.get(element=elements["cases"], orgunit__code=province, period=periods[0])
    assert (top.total, top.count) == (16.0, 4)
    leaf = AggregateValue.objects.get(element=elements["cases"], orgunit=keys[599][0], period=keys[599][1])
    assert (leaf.total, leaf.count) == (1199.0, 1)
    assert aggregates_recompute(element_ids=[elements["cases"].pk]).ok
    expected = {
        "element_ids": {elements["cases"].pk},
        "orgunit_ids": {u.pk for u in subdistricts},
        "period_ids": {p.pk for p in periods},
        "dataset_ids": {elements["cases"].dataset_id},
    }
    assert [{name: kwargs[name] for name in expected} for kwargs in announced] == [expected, expected]


def test_an_uploaded_table_skips_empty_rows_and_fits_each_row_to_the_headers():
    content = b"period,orgunit_code,A,B\n2568-01,1001,1\n,,,\n2568-01,1002,3,4,extra\n2568-01,1003,5,6\n"
    table = read_table(content, "values.csv")
    assert table.headers == ["period", "orgunit_code", "A", "B"]
    assert list(table) == [
        ["2568-01", "1001", "1", None],
        ["2568-01", "1002", "3", "4"],
        ["2568-01", "1003", "5", "6"],
    ]

"""A large save checks its values' foreign keys once per referenced row instead of once per row (PostgreSQL)."""

import psycopg2
import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

import datasets.foreign_keys
import datasets.services
from datasets.foreign_keys import references_locked
from datasets.models import AggregateValue, DataValue, DataValueAudit
from datasets.services import VALUE_COLUMNS, CellInput, datavalues_save
from tests.datasets.periods import months

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGIS, reason="COPY and session_replication_role are PostgreSQL's"),
]


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        return cursor.fetchone()[0]


def _row(element_id: int, orgunit_id: int, period_id: int) -> tuple:
    return (element_id, orgunit_id, period_id, None, 1.0, "", "", "")


def test_references_are_locked_only_when_every_one_exists(elements, subdistricts):
    period = months("2530-01", 1)[0]
    table, element, unit = DataValue._meta.db_table, elements["cases"], subdistricts[0]
    with transaction.atomic():
        assert references_locked(table, VALUE_COLUMNS, [_row(element.pk, unit.pk, period.pk)], {"source": "import"})
        missing_period = [_row(element.pk, unit.pk, period.pk), _row(element.pk, unit.pk, 10**9)]
        assert not references_locked(table, VALUE_COLUMNS, missing_period, {"source": "import"})
        # A key column left out of the copy (its default) is not ours to vouch for.
        assert not references_locked(table, VALUE_COLUMNS[1:], [_row(element.pk, unit.pk, period.pk)[1:]], {})


def test_a_large_save_without_row_checks_stores_audits_and_aggregates_exactly(elements, subdistricts, entry_a, monkeypatch):
    periods = months("2530-01", 150)  # 600 cells: the COPY path
    skipped = []
    original = datasets.foreign_keys.row_checks_skipped

    def spy():
        skipped.append(_setting())
        return original()

    monkeypatch.setattr(datasets.services, "row_checks_skipped", spy)
    cells = [
        CellInput(element=elements["cases"], orgunit=u, period=p, raw=str(n))
        for n, (p, u) in enumerate((p, u) for p in periods for u in subdistricts)
    ]
    result = datavalues_save(cells=cells, user=entry_a, source="import")
    assert result.ok and result.created == 600
    assert skipped == ["origin"]  # the test database's role is a superuser: the once-per-reference path ran
    assert _setting() == "origin"  # and the setting is back for the rest of the session
    assert DataValue.objects.filter(element=elements["cases"]).count() == 600
    assert sorted(DataValue.objects.filter(element=elements["cases"]).values_list("value_num", flat=True)) == [float(n) for n in range(600)]
    assert DataValueAudit.objects.filter(element=elements["cases"], action="create").count() == 600
    province = subdistricts[0].path.split("/")[0]
    top = AggregateValue.objects.get(element=elements["cases"], orgunit__code=province, period=periods[0])
    assert (top.total, top.count) == (0 + 1 + 2 + 3, 4)


def test_without_the_privilege_the_per_row_checks_run_and_the_save_is_the_same(elements, subdistricts, entry_a, monkeypatch):
    monkeypatch.setattr(datasets.foreign_keys, "_may_skip_row_checks", lambda cursor: False)
    periods = months("2531-01", 150)
    cells = [CellInput(element=elements["cases"], orgunit=u, period=p, raw="2") for p in periods for u in subdistricts]
    assert datavalues_save(cells=cells, user=entry_a, source="import").created == 600
    assert DataValue.objects.filter(element=elements["cases"], value_num=2).count() == 600


def test_a_copy_that_fails_without_row_checks_leaves_nothing_and_restores_the_setting(elements, subdistricts, entry_a, monkeypatch):
    periods = months("2532-01", 150)
    cells = [CellInput(element=elements["cases"], orgunit=u, period=p, raw="1") for p in periods for u in subdistricts]
    original = datasets.services._insert

    def duplicate_rows(model, columns, rows, **constants):  # a row twice: the unique index refuses the COPY
        original(model, columns, [*rows, rows[0]] if model is DataValue else rows, **constants)

    monkeypatch.setattr(datasets.services, "_insert", duplicate_rows)
    with pytest.raises((IntegrityError, psycopg2.IntegrityError)):
        datavalues_save(cells=cells, user=entry_a, source="import")
    assert _setting() == "origin"
    assert not DataValue.objects.filter(element=elements["cases"]).exists()
    assert not DataValueAudit.objects.filter(element=elements["cases"]).exists()

"""Large saves take the COPY path on PostgreSQL: the rows, audit trail and aggregates must match the small-save path."""

import pytest
from django.conf import settings

from datasets.aggregates import aggregates_recompute
from datasets.models import AggregateValue, DataValue, DataValueAudit
from datasets.services import CellInput, datavalues_save
from poc.models import Period
from tests.datasets.periods import months

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not settings.IS_POSTGIS, reason="COPY runs on PostgreSQL only")
def test_a_large_save_copies_values_audits_and_aggregates_exactly(elements, subdistricts, entry_a):
    periods = months("2550-01", 150)  # 150 months × 4 subdistricts = 600 cells: above the COPY threshold
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


@pytest.mark.skipif(not settings.IS_POSTGIS, reason="COPY runs on PostgreSQL only")
def test_a_large_corrected_file_merges_changed_values_with_exact_audit_and_aggregates(elements, subdistricts, entry_a, make_user, agency_a):
    colleague = make_user("entry_a2", ["data_entry"], agency_a)
    periods = months("2550-01", 150)  # 600 existing cells corrected at once: above the set-based merge threshold
    keys = [(u, p) for p in periods for u in subdistricts]
    first = [CellInput(element=elements["cases"], orgunit=u, period=p, raw=str(n)) for n, (u, p) in enumerate(keys)]
    assert datavalues_save(cells=first, user=entry_a).created == 600
    # The corrected file: every value doubled plus one, one comment with COPY's special characters.
    corrected = [
        CellInput(element=elements["cases"], orgunit=u, period=p, raw=str(2 * n + 1), comment="แก้\tไข\\" if n == 5 else "")
        for n, (u, p) in enumerate(keys)
    ]
    result = datavalues_save(cells=corrected, user=colleague, source="import")
    assert result.ok and (result.created, result.updated, result.deleted) == (0, 600, 0)
    stored = DataValue.objects.get(element=elements["cases"], orgunit=keys[5][0], period=keys[5][1])
    assert (stored.value_num, stored.comment, stored.source) == (11.0, "แก้\tไข\\", "import")
    assert stored.updated_by == colleague and stored.created_by == entry_a and stored.updated_at > stored.created_at
    assert DataValue.objects.filter(element=elements["cases"]).count() == 600
    updates = DataValueAudit.objects.filter(element=elements["cases"], action="update")
    assert updates.count() == 600 and set(updates.values_list("user", "source").distinct()) == {(colleague.pk, "import")}
    assert updates.get(orgunit=keys[5][0], period=keys[5][1]).old_value == "5"
    assert updates.get(orgunit=keys[5][0], period=keys[5][1]).new_value == "11"
    province = subdistricts[0].path.split("/")[0]
    top = AggregateValue.objects.get(element=elements["cases"], orgunit__code=province, period=periods[0])
    assert (top.total, top.count) == (1 + 3 + 5 + 7, 4)
    assert aggregates_recompute(element_ids=[elements["cases"].pk]).differences == []


def test_a_small_correction_keeps_the_per_cell_path_and_stamps(elements, subdistricts, entry_a, make_user, agency_a):
    colleague = make_user("entry_a2", ["data_entry"], agency_a)
    period = Period.objects.for_code("2567-01")
    unit = subdistricts[0]
    datavalues_save(cells=[CellInput(element=elements["cases"], orgunit=unit, period=period, raw="4")], user=entry_a)
    cell = CellInput(element=elements["cases"], orgunit=unit, period=period, raw="9", comment="ตรวจแล้ว", expected="4")
    assert datavalues_save(cells=[cell], user=colleague).updated == 1
    stored = DataValue.objects.get(element=elements["cases"], orgunit=unit, period=period)
    assert (stored.value_num, stored.comment, stored.updated_by, stored.created_by) == (9.0, "ตรวจแล้ว", colleague, entry_a)


def test_a_lost_update_reports_who_changed_the_cell_and_writes_nothing(elements, subdistricts, entry_a, make_user, agency_a):
    colleague = make_user("entry_a2", ["data_entry"], agency_a, first_name="สมศรี", last_name="ใจดี")
    period = Period.objects.for_code("2567-02")
    unit = subdistricts[1]
    datavalues_save(cells=[CellInput(element=elements["cases"], orgunit=unit, period=period, raw="4")], user=entry_a)
    datavalues_save(cells=[CellInput(element=elements["cases"], orgunit=unit, period=period, raw="6", expected="4")], user=colleague)
    stale = CellInput(element=elements["cases"], orgunit=unit, period=period, raw="8", expected="4", ref="B2")
    result = datavalues_save(cells=[stale], user=entry_a)
    stored = DataValue.objects.get(element=elements["cases"], orgunit=unit, period=period)
    assert [(c.ref, c.theirs, c.by, c.at) for c in result.conflicts] == [("B2", "6", "สมศรี ใจดี", stored.updated_at)]
    assert stored.value_num == 6.0 and result.updated == 0


@pytest.mark.skipif(not settings.IS_POSTGIS, reason="planner statistics are PostgreSQL's")
def test_a_large_save_refreshes_the_planner_statistics(elements, subdistricts, entry_a, monkeypatch):
    from django.db import connection

    import datasets.services

    def estimated_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [DataValue._meta.db_table])
            return cursor.fetchone()[0]

    monkeypatch.setattr(datasets.services, "ANALYZE_AFTER", 600)
    periods = months("2540-01", 150)
    small = [CellInput(element=elements["cases"], orgunit=subdistricts[0], period=periods[0], raw="1")]
    datavalues_save(cells=small, user=entry_a)
    assert estimated_rows() != 1  # below the threshold: not analysed (the estimate is stale, not the one row)
    cells = [CellInput(element=elements["beds"], orgunit=u, period=p, raw="3") for p in periods for u in subdistricts]
    assert datavalues_save(cells=cells, user=entry_a).created == 600
    assert estimated_rows() == 601


def test_a_large_mixed_save_in_any_order_creates_updates_clears_and_reports_conflicts_exactly(elements, subdistricts, entry_a, monkeypatch):
    import random

    import datasets.services

    # Stored cells are read in chunks of 7 (sorted by period and unit): a shuffled file must still find every one.
    monkeypatch.setattr(datasets.services, "EXISTING_CHUNK", 7)
    periods = months("2530-01", 150)
    keys = [(u, p) for p in periods for u in subdistricts]
    first = [CellInput(element=elements["cases"], orgunit=u, period=p, raw=str(n)) for n, (u, p) in enumerate(keys)]
    assert datavalues_save(cells=first, user=entry_a).created == 600
    second = []
    for n, (unit, period) in enumerate(keys):
        kind = n % 5
        cell = CellInput(element=elements["cases"], orgunit=unit, period=period, ref=f"{n}:CASES")
        if kind == 0:
            cell.raw = ""  # cleared
        elif kind == 1:
            cell.raw = str(n)  # unchanged
        elif kind == 2:
            cell.not_available = "confidential"
        elif kind == 3:
            cell.raw = str(n + 1000)
        else:
            cell.raw, cell.expected = str(n + 1), "99999"  # someone else's value was seen: a conflict, nothing written
        second.append(cell)
    second += [CellInput(element=elements["beds"], orgunit=u, period=p, raw="2") for u, p in keys[:30]]
    random.Random(20).shuffle(second)
    result = datavalues_save(cells=second, user=entry_a, source="import")
    assert result.ok
    assert (result.created, result.updated, result.deleted, result.unchanged) == (30, 240, 120, 120)
    assert sorted((c.ref, c.theirs) for c in result.conflicts) == sorted((f"{n}:CASES", str(n)) for n in range(4, 600, 5))
    assert {c.by for c in result.conflicts} == {"entry_a"}
    cases = DataValue.objects.filter(element=elements["cases"])
    assert cases.count() == 480 and cases.filter(not_available="confidential").count() == 120
    assert cases.get(orgunit=keys[3][0], period=keys[3][1]).value_num == 1003.0
    assert cases.get(orgunit=keys[4][0], period=keys[4][1]).value_num == 4.0  # the conflict kept the stored value
    audits = DataValueAudit.objects.filter(source="import")
    counts = {a: audits.filter(action=a).count() for a in ("create", "update", "delete")}
    assert counts == {"create": 30, "update": 240, "delete": 120}
    assert audits.get(element=elements["cases"], orgunit=keys[2][0], period=keys[2][1]).new_value == "n/a:confidential"
    assert audits.get(element=elements["cases"], orgunit=keys[5][0], period=keys[5][1]).old_value == "5"
    assert aggregates_recompute(element_ids=[elements["cases"].pk, elements["beds"].pk]).ok


def test_a_failure_while_a_large_save_writes_leaves_nothing_behind(elements, subdistricts, entry_a, monkeypatch):
    import datasets.services

    periods = months("2520-01", 150)
    cells = [CellInput(element=elements["cases"], orgunit=u, period=p, raw="1") for p in periods for u in subdistricts]

    def broken(changes, chains):
        raise RuntimeError("the delta thread failed")

    monkeypatch.setattr(datasets.services, "_sum_changes", broken)
    with pytest.raises(RuntimeError, match="the delta thread failed"):
        datavalues_save(cells=cells, user=entry_a)
    assert not DataValue.objects.filter(element=elements["cases"]).exists()
    assert not DataValueAudit.objects.filter(element=elements["cases"]).exists()
    assert not AggregateValue.objects.filter(element=elements["cases"]).exists()


@pytest.mark.skipif(not settings.IS_POSTGIS, reason="fillfactor and HOT updates are PostgreSQL's")
def test_a_corrected_file_rewrites_values_and_aggregates_in_place_without_new_index_entries(elements, subdistricts, entry_a):
    from django.db import connection

    from datasets.models import AggregateOptionValue

    tables = [model._meta.db_table for model in (DataValue, AggregateValue, AggregateOptionValue)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables])
        assert dict(cursor.fetchall()) == {table: ["fillfactor=50"] for table in tables}
    periods = months("2510-01", 150)
    keys = [(u, p) for p in periods for u in subdistricts]
    assert (
        datavalues_save(cells=[CellInput(element=elements["cases"], orgunit=u, period=p, raw="10") for u, p in keys], user=entry_a).created
        == 600
    )

    def updates() -> dict[str, tuple[int, int]]:
        with connection.cursor() as cursor:  # this transaction's own counts: (rows updated, of which in place)
            cursor.execute("SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)", [tables[:2]])
            return {name: (updated, hot) for name, updated, hot in cursor.fetchall()}

    before = updates()
    corrected = [CellInput(element=elements["cases"], orgunit=u, period=p, raw="12") for u, p in keys]
    assert datavalues_save(cells=corrected, user=entry_a, source="import").updated == 600
    after = updates()
    changed = {name: (after[name][0] - before[name][0], after[name][1] - before[name][1]) for name in after}
    # Every aggregate row (4 subdistricts, 2 districts, the province per month) rewritten in place; the values too,
    # but for the odd row per page that the page's line pointers leave no room for (566 of 600 on PostgreSQL 15;
    # 0 of 600 on full pages).
    assert changed[tables[1]] == (150 * 7, 150 * 7)
    assert changed[tables[0]][0] == 600 and changed[tables[0]][1] >= 540
    assert AggregateValue.objects.get(element=elements["cases"], orgunit=subdistricts[0], period=periods[0]).total == 12

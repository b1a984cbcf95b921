"""A rebuild outside a transaction vacuums the rewritten aggregates (the first reads after it would set every page's
hint bits themselves); inside one it can only analyse them."""

import pytest
from django.db import connection

from datasets.aggregates import aggregates_rebuild
from datasets.models import AggregateValue
from tests.maintenance import maintenance_counts

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's")


def maintenance() -> tuple[int, int]:
    return maintenance_counts(AggregateValue._meta.db_table)


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_vacuums_and_analyses_the_aggregates(save, entry_a, elements, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 5)])
    vacuums, analyses = maintenance()
    aggregates_rebuild()
    assert maintenance() == (vacuums + 1, analyses + 1)
    assert AggregateValue.objects.filter(element=elements["cases"], orgunit=subdistricts[0], total=5).count() == 1


@pytest.mark.django_db
def test_inside_a_transaction_a_rebuild_only_analyses(save, entry_a, elements, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 5)])
    vacuums, _analyses = maintenance()
    aggregates_rebuild()  # VACUUM would fail here: "cannot run inside a transaction block"
    assert maintenance()[0] == vacuums
    assert AggregateValue.objects.filter(element=elements["cases"], orgunit=subdistricts[0], total=5).count() == 1

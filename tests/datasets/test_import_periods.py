"""Periods named in an import are created in the import's own transaction: a killed import leaves no period behind."""

from __future__ import annotations

import pytest

from datasets import transfer
from datasets.models import DataValue
from poc.models import Period
from tests.indicators.conftest import fy_dataset, inputs, monthly_dataset, topic  # noqa: F401

CSV = b"period,orgunit_code,CASES,POP\nFY2551,990101,5,100\nFY2552,990102,6,120\n"


class Killed(Exception):
    """Stands for the worker dying in the middle of the save."""


@pytest.mark.django_db
def test_a_killed_import_leaves_no_period_rows(entry_a, inputs, fy_dataset, monkeypatch):  # noqa: F811
    def die(**kwargs):
        assert Period.objects.filter(code="FY2551").exists()  # created inside the import's transaction…
        raise Killed

    monkeypatch.setattr(transfer, "datavalues_save", die)
    with pytest.raises(Killed):
        transfer.values_import(dataset=fy_dataset, user=entry_a, content=CSV, filename="v.csv")
    assert not Period.objects.filter(code__in=["FY2551", "FY2552"]).exists()  # …and gone with it


@pytest.mark.django_db
def test_an_import_with_errors_leaves_no_period_rows_and_a_good_one_stores_them(entry_a, inputs, fy_dataset):  # noqa: F811
    bad = transfer.values_import(dataset=fy_dataset, user=entry_a, content=CSV.replace(b",6,", b",-6,"), filename="v.csv")
    assert bad.errors and not Period.objects.filter(code__in=["FY2551", "FY2552"]).exists()
    good = transfer.values_import(dataset=fy_dataset, user=entry_a, content=CSV, filename="v.csv")
    assert good.ok and good.created == 4
    assert DataValue.objects.filter(period__code="FY2552", element__code="POP").get().value_num == 120

"""A national map's values read on the second connection (poc.parallel_reads): the same body, byte for byte."""

import gzip
import json

import pytest
from django.db import connection

from gis.forms import MapQueryForm
from gis.selectors import choropleth_body
from poc import parallel_reads


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection is used on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_choropleth_built_with_the_second_connection_is_the_same_body(
    settings, second_connection, shapes, save, entry_a, elements, subdistricts
):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 5), (elements["cases"], subdistricts[2], "2568-02", 7)])
    form = MapQueryForm({"element": "CASES", "period": "FY2568", "level": "3"}, user=entry_a)
    assert form.is_valid(), form.errors
    used = []
    original = parallel_reads._in_reader
    parallel_reads._in_reader = lambda *args: used.append(args[0].__name__) or original(*args)
    try:
        parallel = choropleth_body(form.selection())
    finally:
        parallel_reads._in_reader = original
    assert used == ["measure_values"]
    settings.POC_PARALLEL_READS = False
    assert choropleth_body(form.selection()) == parallel
    values = {f["properties"]["code"]: f["properties"]["value"] for f in json.loads(gzip.decompress(parallel))["features"]}
    assert values == {"990101": 5, "990102": None, "990201": 7, "990202": None}

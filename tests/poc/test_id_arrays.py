"""Ids go to PostgreSQL as one array literal (``'{1,2,3}'``), not as ``ARRAY[1,2,3]`` (an expression per id for the
server to parse and plan); the rows found are the same on both databases."""

import pytest
from django.db import connection

from poc.lookups import id_array, ids_filter
from poc.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_an_id_array_is_one_literal():
    assert id_array([3, 1, 20]) == "{3,1,20}"
    assert id_array([]) == "{}"
    assert id_array(iter([7])) == "{7}"


def test_units_are_found_by_their_ids(province):
    wanted = sorted(OrgUnit.objects.filter(level=3).values_list("pk", flat=True))[:3]
    units = OrgUnit.objects.filter(ids_filter("id", wanted))
    assert sorted(units.values_list("pk", flat=True)) == wanted
    assert not OrgUnit.objects.filter(ids_filter("id", [])).exists()
    sql, params = units.query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql and id_array(wanted) in params  # one parameter: the literal
        assert not any(isinstance(param, list) for param in params)
    else:
        assert params.count(wanted[0]) == 1 and len(params) >= len(wanted)

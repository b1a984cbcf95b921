"""Property-based fuzzing of the parsers that face user input: they fail only with their own clear errors."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasets.models import DataElement, ValueType
from datasets.services import parse_value
from poc.models import User
from poc.periods import PeriodError, parse_period
from poc.services import accounts_create_from_csv

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
CODE_LIKE = st.from_regex(r"(FY)?[0-9]{0,5}(-[BQHM]?[0-9]{0,3})?", fullmatch=True)


@given(st.one_of(TEXT, CODE_LIKE))
def test_period_parser_accepts_or_raises_period_error(code):
    try:
        spec = parse_period(code)
    except PeriodError:
        return
    assert spec.start <= spec.end
    assert parse_period(spec.code) == spec  # whatever parses round-trips


@pytest.mark.parametrize("value_type", [t.value for t in ValueType])
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(TEXT, st.floats(allow_nan=True, allow_infinity=True), st.integers()))
def test_value_parser_returns_a_finite_number_or_a_clear_error(value_type, raw):
    element = DataElement(code="X", value_type=value_type, min_value=0, max_value=1000, options=["ก", "ข"])
    try:
        number, text = parse_value(element, raw)
    except ValueError as exc:
        assert str(exc)  # a message a person can act on
        return
    if element.is_numeric:
        assert number is not None and 0 <= number <= 1000
    else:
        assert number is None and isinstance(text, str)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=300))
def test_accounts_csv_never_half_creates(agency_a, body):
    before = User.objects.count()
    result = accounts_create_from_csv("agency_code,username,first_name,last_name,email,roles\n" + body)
    if result.errors:
        assert User.objects.count() == before
    else:
        assert User.objects.count() == before + len(result.created)
    User.objects.exclude(pk__in=User.objects.order_by("pk")[:before].values("pk")).delete()

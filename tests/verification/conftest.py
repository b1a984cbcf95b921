"""Verification fixtures: a population dataset of agency A with a balance rule, on top of the datasets fixtures."""

import pytest

from datasets.models import DataElement, Dataset, ValueType
from poc.models import Period
from tests.datasets.conftest import dataset, elements, save, subdistricts, topic  # noqa: F401
from verification.services import validation_rule_create


@pytest.fixture
def population(topic, agency_a):  # noqa: F811
    ds = Dataset.objects.create(
        code="DS-POP",
        topic=topic,
        name_th="ประชากร",
        name_en="Population",
        agency=agency_a,
        collection_level=3,
        period_type="M",
        due_days=15,
    )
    for order, code in enumerate(["POP_MALE", "POP_FEMALE", "POP_TOTAL", "DEATHS"]):
        DataElement.objects.create(code=code, dataset=ds, name_th=code, value_type=ValueType.INTEGER, min_value=0, order=order)
    return ds


@pytest.fixture
def pop_elements(population):
    return {e.code: e for e in population.elements.all()}


@pytest.fixture
def rules(population):
    return [
        validation_rule_create(dataset=population, name="Balance", left="POP_MALE + POP_FEMALE", operator="==", right="POP_TOTAL",
                               message_en="Men and women must add up to the total", message_th="ชายรวมหญิงต้องเท่ากับประชากรรวม"),
        validation_rule_create(dataset=population, name="Deaths", left="DEATHS", operator="<=", right="POP_TOTAL * 0.05",
                               severity="warning", message_en="Unusually many deaths", message_th="จำนวนตายสูงผิดปกติ"),
    ]  # fmt: skip


@pytest.fixture
def pop_values(save, entry_a, pop_elements, subdistricts):  # noqa: F811
    """Write {element code: value} for one subdistrict and period through the real service."""

    def write(unit, period_code, **values):
        result = save(entry_a, [(pop_elements[code], unit, period_code, value) for code, value in values.items()])
        assert result.ok, result.errors
        return Period.objects.for_code(period_code)

    return write


@pytest.fixture
def it_verifier(make_user, it_agency):
    return make_user("it_verifier", ["verifier"], it_agency)

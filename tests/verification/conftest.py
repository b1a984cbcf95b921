"""Verification fixtures: a population dataset of agency A with a balance rule, on top of the datasets fixtures."""

import pytest
from guardian.shortcuts import assign_perm

from datasets.models import DataElement, Dataset, ValueType
from poc.models import Agency, OrgUnit, Period
from tests.datasets.conftest import dataset, elements, save, subdistricts, topic  # noqa: F401
from verification import services


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
        services.validation_rule_create(
            dataset=population,
            name="Balance",
            left="POP_MALE + POP_FEMALE",
            operator="==",
            right="POP_TOTAL",
            message_en="Men and women must add up to the total",
            message_th="ชายรวมหญิงต้องเท่ากับประชากรรวม",
        ),
        services.validation_rule_create(
            dataset=population,
            name="Deaths",
            left="DEATHS",
            operator="<=",
            right="POP_TOTAL * 0.05",
            severity="warning",
            message_en="Unusually many deaths",
            message_th="จำนวนตายสูงผิดปกติ",
        ),
    ]


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


@pytest.fixture
def two_levels(population, rules):
    """The population dataset approved in two levels: the district's office, then the province."""
    population.approval_levels = 2
    population.save()
    return population


@pytest.fixture
def district_office(make_user, agency_a):
    """The verifier of district 9901's office, granted verify_data on the owning provincial agency."""
    office = Agency.objects.create(code="AG-D1", name_th="สำนักงานอำเภอทดสอบ 1", orgunit=OrgUnit.objects.get(code="9901"))
    user = make_user("district_verifier", ["verifier"], office)
    assign_perm("poc.verify_data", user, agency_a)
    return user


@pytest.fixture
def submitted(two_levels, district_office, pop_values, subdistricts, entry_a):  # noqa: F811
    """Both subdistricts of district 9901 submitted for 2568-01 (balanced values), its office already in place."""
    period = None
    result = []
    for unit in subdistricts[:2]:
        period = pop_values(unit, "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
        submission = services.submission_get_or_create(dataset=two_levels, orgunit=unit, period=period, user=entry_a)
        result.append(services.submission_submit(submission=submission, user=entry_a))
    return result

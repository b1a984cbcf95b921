"""Validation rules over broken-down elements: ``CODE`` is the total, ``CODE.F`` an option, ``CODE.F_MUN`` one combination."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from datasets.models import DataElement, ValueType
from datasets.services import datavalues_save
from poc.models import OrgUnit, Period
from tests.categories import option_cells
from verification import services
from verification.cells import unit_values_by_code
from verification.models import Submission, Violation
from verification.rule_checks import rules_evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture
def th():
    """Thai messages whatever an earlier test left active."""
    with translation.override("th"):
        yield


@pytest.fixture
def broken_down(dataset, sex_area):
    """POP and DENGUE by SEX × AREA, and BEDS without categories, in the health dataset."""
    pop = DataElement.objects.create(
        code="POP", dataset=dataset, name_th="ประชากร", name_en="Population", value_type=ValueType.INTEGER, category_combo=sex_area, order=1
    )
    dengue = DataElement.objects.create(
        code="DENGUE",
        dataset=dataset,
        name_th="ผู้ป่วยไข้เลือดออก",
        name_en="Dengue cases",
        value_type=ValueType.INTEGER,
        category_combo=sex_area,
        order=2,
    )
    beds = DataElement.objects.create(code="BEDS", dataset=dataset, name_th="เตียง", value_type=ValueType.INTEGER, order=3)
    return {"POP": pop, "DENGUE": dengue, "BEDS": beds}


def _write(user, element, unit, period_code, values):
    result = datavalues_save(cells=option_cells(element, unit, period_code, values), user=user)
    assert result.ok, result.errors
    return Period.objects.for_code(period_code)


def test_terms_read_the_total_one_option_and_one_combination_at_and_above_the_collection_level(broken_down, entry_a, subdistricts):
    first, second = subdistricts[0], subdistricts[1]
    period = _write(entry_a, broken_down["POP"], first, "2568-01", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
    _write(entry_a, broken_down["POP"], second, "2568-01", {"F_MUN": 5})
    district = OrgUnit.objects.get(code="9901")
    values = unit_values_by_code(broken_down["POP"].dataset, [first, second, district], period)
    assert values[first.pk]["POP"] == 100
    assert (values[first.pk]["POP.F"], values[first.pk]["POP.M"], values[first.pk]["POP.MUN"]) == (70, 30, 40)
    assert values[first.pk]["POP.F_NONMUN"] == 40
    assert (values[second.pk]["POP"], values[second.pk]["POP.F"], values[second.pk]["POP.M"]) == (5, 5, None)
    assert (values[district.pk]["POP"], values[district.pk]["POP.F"], values[district.pk]["POP.F_MUN"]) == (105, 75, 35)
    assert values[first.pk]["DENGUE.F"] is None and values[first.pk]["BEDS"] is None
    assert "BEDS.F" not in values[first.pk]  # an element without categories has no option terms


def test_a_rule_on_one_option_fails_for_that_option_only_and_names_it(broken_down, entry_a, subdistricts, dataset, en):
    unit = subdistricts[0]
    _write(entry_a, broken_down["POP"], unit, "2568-01", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
    period = _write(entry_a, broken_down["DENGUE"], unit, "2568-01", {"M_MUN": 50, "F_MUN": 3, "F_NONMUN": 4})
    services.validation_rule_create(
        dataset=dataset,
        name="หญิง",
        left="DENGUE.F",
        operator="<=",
        right="POP.F",
        message_th="ผู้ป่วยหญิงต้องไม่เกินประชากรหญิง",
        message_en="Female cases exceed female population",
    )
    services.validation_rule_create(
        dataset=dataset, name="ชาย", left="DENGUE.M", operator="<=", right="POP.M", message_en="Male cases exceed male population"
    )
    services.validation_rule_create(
        dataset=dataset, name="cell", left="DENGUE.M_MUN", operator="<=", right="POP.M_MUN", severity="warning", message_en="Municipal men"
    )
    female, male, cell = rules_evaluate(dataset, unit, period)
    assert (female.passed, female.left, female.right) == (True, 7, 70)
    assert (male.passed, male.left, male.right) == (False, 50, 30)
    assert male.detail == "Male cases exceed male population: DENGUE.M [Male] (50) = 50 <= POP.M [Male] (30) = 30"
    assert cell.is_warning and cell.detail == (
        "Municipal men: DENGUE.M_MUN [Male, Municipal] (50) = 50 <= POP.M_MUN [Male, Municipal] (10) = 10"
    )
    report = services.validation_run(dataset=dataset, period=period)
    assert (report.errors, report.warnings) == (1, 1)
    assert sorted(Violation.objects.values_list("rule__name", "left_value", "right_value")) == [("cell", 50, 10), ("ชาย", 50, 30)]


def test_a_failed_option_rule_blocks_submission_with_the_option_named_in_thai(broken_down, entry_a, subdistricts, dataset, th):
    unit = subdistricts[0]
    _write(entry_a, broken_down["POP"], unit, "2568-01", {"F_MUN": 30, "F_NONMUN": 40})
    period = _write(entry_a, broken_down["DENGUE"], unit, "2568-01", {"F_MUN": 80})
    services.validation_rule_create(
        dataset=dataset, name="หญิง", left="DENGUE.F", operator="<=", right="POP.F_MUN", message_th="ผู้ป่วยหญิงเกินประชากรหญิงในเขตเทศบาล"
    )
    submission = Submission.objects.create(dataset=dataset, orgunit=unit, period=period)
    with pytest.raises(ValidationError) as error:
        services.submission_submit(submission=submission, user=entry_a)
    assert "ผู้ป่วยหญิงเกินประชากรหญิงในเขตเทศบาล: DENGUE.F [หญิง] (80) = 80 <= POP.F_MUN [หญิง, ในเขตเทศบาล] (30) = 30" in error.value.messages


def test_a_total_term_of_a_broken_down_element_is_the_sum_of_its_parts(broken_down, entry_a, subdistricts, dataset):
    unit = subdistricts[0]
    period = _write(entry_a, broken_down["POP"], unit, "2568-01", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
    services.validation_rule_create(dataset=dataset, name="sum", left="POP", operator="==", right="POP.M + POP.F")
    services.validation_rule_create(dataset=dataset, name="area", left="POP.MUN", operator="==", right="40")
    assert [(r.passed, r.left, r.right) for r in rules_evaluate(dataset, unit, period)] == [(True, 100, 100), (True, 40, 40)]


@pytest.mark.parametrize(
    ("left", "message"),
    [
        ("POP.X", "ไม่รู้จักตัวเลือกหมวดหมู่: POP.X"),
        ("POP.F_X", "ไม่รู้จักตัวเลือกหมวดหมู่: POP.F_X"),
        ("BEDS.F", "ไม่รู้จักตัวเลือกหมวดหมู่: BEDS.F"),
        ("NOPE.F", "NOPE.F"),
        ("POP.__class__", "“.”"),
    ],
)
def test_an_unknown_option_is_refused_with_a_thai_message_when_the_rule_is_saved(broken_down, dataset, left, message, th):
    with pytest.raises(ValidationError) as error:
        services.validation_rule_create(dataset=dataset, name="bad", left=left, operator="<=", right="POP.F")
    assert message in error.value.message_dict["left"][0]
    assert not dataset.validation_rules.exists()


def test_the_demo_seeds_a_rule_on_one_age_group_of_the_broken_down_dengue_cases(topic, agency_a, subdistricts, entry_a, en):
    from datasets.models import Dataset
    from tests.categories import make_combo
    from verification.demo import run_rules, seed_rules

    ages = make_combo("AGE", {"AGE": [("A0004", "0–4 ปี", "0–4 years"), ("A0509", "5–9 ปี", "5–9 years")]})
    dengue = Dataset.objects.create(
        code="DS-DENGUE", topic=topic, name_th="ไข้เลือดออก", agency=agency_a, collection_level=3, period_type="M"
    )
    cases = DataElement.objects.create(
        code="DENGUE_CASES", dataset=dengue, name_th="ผู้ป่วย", name_en="Cases", value_type=ValueType.INTEGER, category_combo=ages
    )
    DataElement.objects.create(code="DENGUE_DEATHS", dataset=dengue, name_th="ผู้เสียชีวิต", value_type=ValueType.INTEGER)
    _write(entry_a, cases, subdistricts[0], "2568-01", {"A0004": 6, "A0509": 2})
    _write(entry_a, cases, subdistricts[1], "2568-01", {"A0004": 1, "A0509": 5})
    rules = seed_rules()
    assert [(r.name, r.left, r.right) for r in rules] == [
        ("ผู้เสียชีวิตไม่เกินผู้ป่วย", "DENGUE_DEATHS", "DENGUE_CASES"),
        ("ผู้ป่วยเด็กเล็กไม่เกินครึ่งหนึ่ง", "DENGUE_CASES.A0004", "DENGUE_CASES * 0.5"),
    ]
    run_rules(rules)
    violation = Violation.objects.get()
    assert (violation.orgunit, violation.left_value, violation.right_value) == (subdistricts[0], 6, 4)
    assert "DENGUE_CASES.A0004 [0–4 years] (6) = 6 <= DENGUE_CASES (8) * 0.5 = 4" in violation.detail

"""Indicator terms over a broken-down element: its total (POPSA), one option (POPSA.F) or one combination (POPSA.F_MUN)."""

import pytest
from django.core.exceptions import ValidationError

from datasets.models import DataElement, ValueType
from datasets.services import datavalues_save
from indicators.expressions import evaluate, expression_codes, expression_references
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import indicator_values
from indicators.services import indicator_save, indicators_load
from poc.models import OrgUnit
from tests.categories import option_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(fy_dataset, sex_area):
    return DataElement.objects.create(
        code="POPSA", dataset=fy_dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area
    )


@pytest.fixture
def save(django_capture_on_commit_callbacks, entry_a):
    """Cells through the real service with on-commit hooks run (the values_changed receiver refreshes indicators)."""

    def do_save(cells):
        with django_capture_on_commit_callbacks(execute=True):
            result = datavalues_save(cells=cells, user=entry_a)
        assert result.ok, result.errors

    return do_save


def _indicator(code: str, numerator: str, denominator: str, factor: float = 100) -> Indicator:
    return indicator_save(
        indicator=Indicator(code=code, name_th=code, numerator=numerator, denominator=denominator, factor=factor, perspective_th="ส")
    )


def test_expression_terms_name_the_element_and_its_option():
    assert expression_references("POP.F / (POP.F_MUN + POP)") == {"POP.F", "POP.F_MUN", "POP"}
    assert expression_codes("POP.F / (POP.F_MUN + POP)") == {"POP"}
    assert evaluate("POP.F / POP * 100", {"POP.F": 70, "POP": 200}) == pytest.approx(35)
    with pytest.raises(ValidationError):
        expression_references("POP.F.MUN")
    with pytest.raises(ValidationError):
        expression_references("POP._hidden")


def test_female_share_is_the_exact_share_per_unit_and_summed_up_the_tree(population, subdistricts, save):
    share = _indicator("FSHARE", "POPSA.F", "POPSA")
    municipal = _indicator("FMUN", "POPSA.F_MUN", "POPSA.MUN")
    first, second = subdistricts[0], subdistricts[1]
    save(
        option_cells(population, first, "FY2568", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
        + option_cells(population, second, "FY2568", {"M_MUN": 5, "F_NONMUN": 15})
    )
    assert set(share.inputs.values_list("code", flat=True)) == {"POPSA"}
    province, district = OrgUnit.objects.get(code="99"), OrgUnit.objects.get(code="9901")
    values = indicator_values(share, [first.pk, second.pk, district.pk, province.pk], "FY2568")
    assert values[first.pk] == pytest.approx(70.0)
    assert values[second.pk] == pytest.approx(75.0)
    assert values[province.pk] == pytest.approx(85 / 120 * 100)
    row = IndicatorValue.objects.get(indicator=share, orgunit=province, period__code="FY2568")
    assert (row.numerator, row.denominator) == (85, 120)
    municipal_values = indicator_values(municipal, [first.pk, second.pk], "FY2568")
    assert municipal_values[first.pk] == pytest.approx(75.0)  # 30 of 40 municipal residents
    assert municipal_values[second.pk] is None  # no F_MUN cell entered: a missing input, not a zero


def test_option_indicator_is_recomputed_live_when_one_part_changes(population, subdistricts, save):
    share = _indicator("FSHARE", "POPSA.F", "POPSA")
    first = subdistricts[0]
    save(option_cells(population, first, "FY2568", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40}))
    province = OrgUnit.objects.get(code="99")
    assert indicator_values(share, [province.pk], "FY2568")[province.pk] == pytest.approx(70.0)
    save(option_cells(population, first, "FY2568", {"F_MUN": 130}))  # female 170 of 200
    assert indicator_values(share, [province.pk], "FY2568")[province.pk] == pytest.approx(85.0)


def test_unknown_option_or_option_of_an_element_without_categories_is_refused_in_thai(population, inputs):
    with pytest.raises(ValidationError) as exc:
        _indicator("BAD", "POPSA.X", "POPSA")
    assert exc.value.messages == ["POPSA ไม่มีตัวเลือกหมวดหมู่ X"]
    with pytest.raises(ValidationError) as exc:
        _indicator("BAD", "CASES.F", "POPSA")
    assert exc.value.messages == ["CASES ไม่ได้แยกตามหมวดหมู่"]
    assert not Indicator.objects.filter(code="BAD").exists()


def test_catalogue_with_an_unknown_option_loads_nothing(population, tmp_path):
    path = tmp_path / "ind.yaml"
    path.write_text(
        "indicators:\n"
        "  - {code: OK1, name_th: ดี, numerator: POPSA.F, denominator: POPSA, factor: 100, perspective_th: ส}\n"
        "  - {code: BAD1, name_th: เสีย, numerator: POPSA.NOPE, denominator: POPSA, perspective_th: ส}\n",
        encoding="utf-8",
    )
    result = indicators_load(path=path)
    assert result.errors == ["ตัวชี้วัดลำดับ 2 BAD1: POPSA ไม่มีตัวเลือกหมวดหมู่ NOPE"]
    assert not Indicator.objects.exists()

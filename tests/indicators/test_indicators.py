import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from indicators.models import Indicator, IndicatorTarget, IndicatorValue, Light
from indicators.selectors import indicator_series, indicator_values
from indicators.services import indicator_save, indicator_values_refresh, indicators_load
from indicators.traffic_lights import traffic_light
from poc.models import OrgUnit


def _units():
    return {u.code: u for u in OrgUnit.objects.all()}


def test_values_are_aggregated_up_the_hierarchy(rate, inputs, subdistricts, entry_a, write):
    write(
        entry_a,
        [(inputs["cases"], s, "FY2568", c) for s, c in zip(subdistricts, [10, 20, 30, 40], strict=True)]
        + [(inputs["pop"], s, "FY2568", 1000) for s in subdistricts],
    )
    units = _units()
    values = indicator_values(rate, [units["99"].pk, units["9901"].pk, units["990101"].pk], "FY2568")
    assert values[units["99"].pk] == pytest.approx(100 / 4000 * 1000)
    assert values[units["9901"].pk] == pytest.approx(30 / 2000 * 1000)
    assert values[units["990101"].pk] == pytest.approx(10)
    row = IndicatorValue.objects.get(indicator=rate, orgunit=units["99"], period__code="FY2568")
    assert (row.numerator, row.denominator) == (100, 4000)


def test_zero_denominator_and_missing_inputs_give_no_value(rate, inputs, subdistricts, entry_a, write):
    first, second, third, _fourth = subdistricts
    write(entry_a, [(inputs["cases"], first, "FY2568", 5), (inputs["pop"], first, "FY2568", 0), (inputs["cases"], second, "FY2568", 5)])
    values = indicator_values(rate, [first.pk, second.pk, third.pk], "FY2568")
    assert values == {first.pk: None, second.pk: None, third.pk: None}


def test_materialised_values_refresh_after_a_value_write(rate, inputs, subdistricts, entry_a, write):
    sub = subdistricts[0]
    write(entry_a, [(inputs["cases"], sub, "FY2568", 10), (inputs["pop"], sub, "FY2568", 1000)])
    province = OrgUnit.objects.get(code="99")
    assert indicator_values(rate, [province.pk], "FY2568")[province.pk] == pytest.approx(10)
    write(entry_a, [(inputs["cases"], sub, "FY2568", 25)])
    assert indicator_values(rate, [province.pk], "FY2568")[province.pk] == pytest.approx(25)
    assert indicator_series(rate, province.pk, ["FY2567", "FY2568"]) == [None, pytest.approx(25)]


def test_refresh_command_rebuilds_deleted_values(rate, inputs, subdistricts, entry_a, write):
    write(entry_a, [(inputs["cases"], subdistricts[0], "FY2568", 10), (inputs["pop"], subdistricts[0], "FY2568", 1000)])
    IndicatorValue.objects.all().delete()
    call_command("refresh_indicators")
    assert IndicatorValue.objects.filter(indicator=rate).count() == 7  # every unit down to the collection level
    assert IndicatorValue.objects.filter(indicator=rate, value__isnull=False).count() == 3  # the subdistrict and its ancestors
    assert indicator_values_refresh(indicators=[rate], fiscal_years=[2568]) > 0


@pytest.mark.parametrize(
    ("polarity", "value", "light"),
    [
        ("lower_better", 9, Light.GREEN),
        ("lower_better", 10, Light.GREEN),
        ("lower_better", 11, Light.AMBER),
        ("lower_better", 12.5, Light.RED),
        ("higher_better", 10, Light.GREEN),
        ("higher_better", 9.5, Light.AMBER),
        ("higher_better", 8, Light.RED),
        ("context", 50, Light.GREY),
        ("higher_better", None, Light.GREY),
    ],
)
def test_traffic_light_honours_polarity(polarity, value, light):
    indicator = Indicator(code="X", polarity=polarity)
    red = 12 if polarity == "lower_better" else 9
    assert traffic_light(indicator, value, IndicatorTarget(target=10, red_at=red, tolerance=10)) == light


def test_default_threshold_rule_is_ten_percent_beyond_target():
    higher, lower = Indicator(polarity="higher_better"), Indicator(polarity="lower_better")
    target = IndicatorTarget(target=100, tolerance=10)
    assert [traffic_light(higher, v, target) for v in (100, 95, 89)] == [Light.GREEN, Light.AMBER, Light.RED]
    assert [traffic_light(lower, v, target) for v in (100, 105, 111)] == [Light.GREEN, Light.AMBER, Light.RED]
    assert traffic_light(higher, 100, None) == Light.GREY


def test_indicator_with_unknown_element_or_unsafe_formula_is_refused(inputs):
    with pytest.raises(ValidationError):
        indicator_save(indicator=Indicator(code="BAD", name_th="x", numerator="NOPE", perspective_th="x"))
    with pytest.raises(ValidationError):
        indicator_save(indicator=Indicator(code="BAD", name_th="x", numerator="CASES.real", perspective_th="x"))
    assert not Indicator.objects.filter(code="BAD").exists()


def test_catalogue_load_is_all_or_nothing(inputs, tmp_path):
    path = tmp_path / "ind.yaml"
    path.write_text(
        "indicators:\n"
        "  - {code: OK1, name_th: ดี, numerator: CASES, denominator: POP, factor: 100, polarity: lower_better, perspective_th: ส,\n"
        "     targets: [{fy: 2568, target: 5}]}\n"
        "  - {code: BAD1, name_th: เสีย, numerator: MISSING_CODE, polarity: higher_better, perspective_th: ส}\n",
        encoding="utf-8",
    )
    result = indicators_load(path=path)
    assert any("MISSING_CODE" in e for e in result.errors)
    assert not Indicator.objects.exists()
    path.write_text(path.read_text(encoding="utf-8").split("  - {code: BAD1")[0], encoding="utf-8")
    result = indicators_load(path=path)
    assert result.errors == [] and result.created == 1 and result.targets == 1
    assert set(Indicator.objects.get(code="OK1").inputs.values_list("code", flat=True)) == {"CASES", "POP"}


def test_shipped_catalogue_defines_33_indicators_with_safe_formulas():
    import yaml

    from indicators.expressions import expression_codes
    from indicators.services import CATALOGUE

    entries = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["indicators"]
    assert len(entries) == 33
    for entry in entries:
        assert expression_codes(entry["numerator"])
        expression_codes(entry.get("denominator") or "")
        assert "RECONSTRUCTION" in entry["source_note"]

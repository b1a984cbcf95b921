"""Outliers of broken-down elements: each option combination is its own series, the total is judged too, and the
verifier's list of values names the option."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from datasets.models import DataElement, ValueType
from datasets.services import datavalues_save
from poc.models import Period
from tests.categories import option_cells
from verification import services
from verification.models import OutlierConfirmation, Submission
from verification.outliers import option_outlier_flags, outlier_flags
from verification.selectors import submission_values

pytestmark = pytest.mark.django_db

HISTORY = ["2567-06", "2567-07", "2567-08", "2567-09", "2567-10", "2567-11"]
F_MUN = [30, 31, 29, 30, 32, 30]  # median 30, MAD 0.5 → 30 ± 2.59
M_MUN = [100, 102, 98, 101, 99, 100]  # median 100, MAD 1 → 100 ± 5.19; totals 130–133: median 130.5, MAD 0.5


@pytest.fixture
def pop(dataset, sex_area):
    return DataElement.objects.create(
        code="POP", dataset=dataset, name_th="ประชากร", name_en="Population", value_type=ValueType.INTEGER, category_combo=sex_area
    )


@pytest.fixture
def december(pop, subdistricts, entry_a):
    unit = subdistricts[0]
    cells = [c for code, f, m in zip(HISTORY, F_MUN, M_MUN, strict=True) for c in option_cells(pop, unit, code, {"F_MUN": f, "M_MUN": m})]
    cells += option_cells(pop, unit, "2567-12", {"F_MUN": 90, "M_MUN": 40})  # parts far off, total 130 as usual
    result = datavalues_save(cells=cells, user=entry_a)
    assert result.ok, result.errors
    return Period.objects.for_code("2567-12")


def test_each_option_combination_is_judged_on_its_own_history_and_the_total_on_the_totals(pop, december, subdistricts, en):
    unit = subdistricts[0]
    pop.max_value = 80  # lowered after the values were entered
    combos = {c.code: c.pk for c in pop.category_combo.option_combos.all()}
    flags = option_outlier_flags([pop], [unit], december)
    assert set(flags) == {(pop.pk, combos["F_MUN"], unit.pk), (pop.pk, combos["M_MUN"], unit.pk)}
    female, male = flags[(pop.pk, combos["F_MUN"], unit.pk)], flags[(pop.pk, combos["M_MUN"], unit.pk)]
    assert (female.kind, female.value) == ("range", 90)  # above the element's maximum 80: each cell is bounded
    assert female.explanation == "outside the allowed range ––80"  # no minimum, maximum 80
    assert (male.kind, male.value, round(male.low, 2), round(male.high, 2)) == ("history", 40, 94.81, 105.19)
    assert male.explanation == "expected 94.8–105, from Jun 2567 – Nov 2567"
    # The total 130 is within its own history, and the maximum bounds cells, not their sum.
    assert outlier_flags([pop], [unit], december) == {}


def test_the_submission_lists_the_total_then_each_option_with_its_flag(pop, december, subdistricts, dataset, en):
    submission = Submission.objects.create(dataset=dataset, orgunit=subdistricts[0], period=december)
    rows = submission_values(submission)
    assert [(r.label, r.current, r.previous, r.flag is not None) for r in rows] == [
        ("Population", 130, 130, False),  # November: 30 + 100
        ("Population · Male, Municipal", 40, 100, True),
        ("Population · Male, Non-municipal", None, None, False),
        ("Population · Female, Municipal", 90, 30, True),
        ("Population · Female, Non-municipal", None, None, False),
    ]


def test_a_verifier_confirms_one_option_cell_and_the_page_names_it(pop, december, subdistricts, dataset, entry_a, client):
    submission = Submission.objects.create(dataset=dataset, orgunit=subdistricts[0], period=december)
    female = pop.category_combo.option_combos.get(code="F_MUN")
    client.force_login(entry_a)
    page = client.get(reverse("verification:submission", args=[submission.pk])).content.decode()
    assert "POP.F_MUN ประชากร · หญิง, ในเขตเทศบาล" in page and f'name="option_combo" value="{female.pk}"' in page
    url = reverse("verification:outlier_confirm", args=[submission.pk])
    response = client.post(url, {"element": pop.pk, "option_combo": female.pk, "comment": "หอพักคนงานเปิดใหม่"})
    assert response.status_code == 302
    confirmation = OutlierConfirmation.objects.get()
    assert (confirmation.option_combo, confirmation.value, confirmation.comment) == (female, 90, "หอพักคนงานเปิดใหม่")
    rows = {r.option_combo.code if r.option_combo else "": r for r in submission_values(submission)}
    assert rows["F_MUN"].confirmation == confirmation and rows["M_MUN"].confirmation is None and rows[""].confirmation is None
    assert client.post(url, {"element": pop.pk, "option_combo": "x", "comment": "y"}).status_code == 400
    assert OutlierConfirmation.objects.count() == 1


def test_an_option_of_another_combination_or_an_empty_cell_cannot_be_confirmed(pop, december, subdistricts, entry_a, dataset):
    beds = DataElement.objects.create(code="BEDS", dataset=dataset, name_th="เตียง", value_type=ValueType.INTEGER)
    empty = pop.category_combo.option_combos.get(code="F_NONMUN")
    with pytest.raises(ValidationError, match="BEDS"):
        services.outlier_confirm(element=beds, orgunit=subdistricts[0], period=december, user=entry_a, comment="x", option_combo=empty)
    with pytest.raises(ValidationError):
        services.outlier_confirm(element=pop, orgunit=subdistricts[0], period=december, user=entry_a, comment="x", option_combo=empty)
    assert not OutlierConfirmation.objects.exists()


def test_the_entry_grid_hint_of_an_outlying_part_sits_under_that_part(pop, december, subdistricts):
    from verification.outliers import entry_hints

    unit = subdistricts[0]
    combos = {c.code: c.pk for c in pop.category_combo.option_combos.all()}
    hints = entry_hints([pop], [unit], december)
    assert hints[(pop.pk, unit.pk, combos["M_MUN"])].flag
    assert hints[(pop.pk, unit.pk, combos["F_MUN"])].flag
    assert (pop.pk, unit.pk, combos["F_NONMUN"]) not in hints
    assert not hints.get((pop.pk, unit.pk), None) or not hints[(pop.pk, unit.pk)].flag  # the total is within its history

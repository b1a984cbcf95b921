"""Categories in the catalogue YAML: loaded with their option combinations, idempotent, refused with every problem listed."""

from pathlib import Path

import pytest

from datasets.catalogue import catalogue_load
from datasets.models import Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement, DataValue
from poc.demo import seed_agencies
from poc.models import OrgUnit, Period

pytestmark = pytest.mark.django_db

CATEGORIES = """
categories:
  - code: SEX
    name_th: เพศ
    name_en: Sex
    options:
      - {code: M, name_th: ชาย, name_en: Male}
      - {code: F, name_th: หญิง, name_en: Female}
  - code: AREA
    name_th: เขตการปกครอง
    options:
      - {code: MUN, name_th: ในเขตเทศบาล}
      - {code: NONMUN, name_th: นอกเขตเทศบาล}
category_combos:
  - {code: SEX_AREA, name_th: เพศ × เขต, categories: [SEX, AREA]}
topics:
  - {code: TX1, name_th: หัวข้อทดสอบ}
datasets:
  - code: DS-X
    topic: TX1
    name_th: ชุดทดสอบ
    agency: AG-A
    level: subdistrict
    period_type: Y
    elements:
      - {code: X_POP, name_th: ประชากร, value_type: integer, min: 0, categories: SEX_AREA}
      - {code: X_HOUSES, name_th: บ้าน, value_type: integer, min: 0}
"""


def write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cells(combo_code: str) -> list[tuple[str, str]]:
    return list(CategoryOptionCombo.objects.filter(combo__code=combo_code).order_by("order").values_list("code", "name_th"))


def test_categories_load_with_generated_option_combinations(tmp_path, agency_a):
    result = catalogue_load(paths=[write(tmp_path, CATEGORIES)])
    assert result.ok, result.errors
    assert result.created == {"topics": 1, "categories": 2, "category_combos": 1, "datasets": 1, "elements": 2}
    assert list(CategoryOption.objects.filter(category__code="AREA").values_list("code", flat=True)) == ["MUN", "NONMUN"]
    assert cells("SEX_AREA") == [
        ("M_MUN", "ชาย, ในเขตเทศบาล"),
        ("M_NONMUN", "ชาย, นอกเขตเทศบาล"),
        ("F_MUN", "หญิง, ในเขตเทศบาล"),
        ("F_NONMUN", "หญิง, นอกเขตเทศบาล"),
    ]
    assert DataElement.objects.get(code="X_POP").category_combo.code == "SEX_AREA"
    assert DataElement.objects.get(code="X_HOUSES").category_combo is None


def test_loading_again_changes_nothing_and_keeps_the_cells(tmp_path, agency_a):
    path = write(tmp_path, CATEGORIES)
    catalogue_load(paths=[path])
    before = dict(CategoryOptionCombo.objects.values_list("code", "pk"))
    again = catalogue_load(paths=[path])
    assert again.ok and set(again.created.values()) == {0} and set(again.updated.values()) == {0}
    assert dict(CategoryOptionCombo.objects.values_list("code", "pk")) == before
    # A new option adds its cells; the existing ones keep their rows (values refer to them).
    female = "      - {code: F, name_th: หญิง, name_en: Female}\n"
    write(tmp_path, CATEGORIES.replace(female, female + "      - {code: X, name_th: ไม่ระบุ}\n"))
    assert catalogue_load(paths=[path]).ok
    after = dict(CategoryOptionCombo.objects.values_list("code", "pk"))
    assert set(after) == set(before) | {"X_MUN", "X_NONMUN"} and {code: after[code] for code in before} == before


def test_every_category_problem_is_listed_in_thai_and_nothing_is_loaded(tmp_path, agency_a):
    bad = (
        CATEGORIES.replace("{code: MUN, name_th: ในเขตเทศบาล}\n", "{code: MUN, name_th: ในเขตเทศบาล}\n      - {code: MUN, name_th: ซ้ำ}\n")
        .replace("categories: [SEX, AREA]}", "categories: [SEX, SEX]}\n  - {code: BY_AGE, name_th: อายุ, categories: [AGE]}")
        .replace("{code: M, name_th: ชาย, name_en: Male}", "{code: M-1, name_th: ชาย}")
        .replace("categories: SEX_AREA}", "categories: NOPE}")
        .replace("code: X_HOUSES, name_th: บ้าน, value_type: integer", "code: X_NOTE, name_th: โน้ต, value_type: text, categories: SEX_AREA")
    )
    result = catalogue_load(paths=[write(tmp_path, bad)])
    text = "\n".join(result.errors)
    expected = [
        "a.yaml: categories[2] AREA: ตัวเลือก MUN ซ้ำกันสองครั้ง",
        "a.yaml: categories[1] SEX: รหัสตัวเลือก M-1",
        "a.yaml: category_combos[1] SEX_AREA: หมวดหมู่ SEX ซ้ำกันสองครั้ง",
        "ชุดหมวดหมู่ BY_AGE: ไม่รู้จักหมวดหมู่ AGE",
        "รายการข้อมูล X_POP: ไม่รู้จักชุดหมวดหมู่ NOPE",
        "X_NOTE: แยกตามหมวดหมู่ได้เฉพาะรายการข้อมูลชนิดจำนวนเต็มหรือทศนิยม",
    ]
    assert [e for e in expected if e not in text] == [], text
    assert not Category.objects.exists() and not CategoryCombo.objects.exists() and not DataElement.objects.exists()


@pytest.fixture
def stored_female_cell(tmp_path, agency_a, province):
    """The test catalogue loaded and one value stored in the F_MUN cell of X_POP."""
    path = write(tmp_path, CATEGORIES)
    assert catalogue_load(paths=[path]).ok
    DataValue.objects.create(
        element=DataElement.objects.get(code="X_POP"),
        orgunit=OrgUnit.objects.get(code="990101"),
        period=Period.objects.for_code("2568"),
        option_combo=CategoryOptionCombo.objects.get(code="F_MUN"),
        value_num=120,
    )
    return path


def test_removing_an_option_that_values_use_is_refused_and_rolls_back(tmp_path, stored_female_cell, en):
    write(tmp_path, CATEGORIES.replace("      - {code: F, name_th: หญิง, name_en: Female}\n", "").replace("name_th: ชาย,", "name_th: ผู้ชาย,"))
    result = catalogue_load(paths=[stored_female_cell])
    assert result.errors == ["values are stored for option combinations F_MUN of SEX_AREA: they cannot be removed"]
    assert set(result.created.values()) == {0} and set(result.updated.values()) == {0}
    assert list(CategoryOption.objects.filter(category__code="SEX").values_list("code", "name_th")) == [("M", "ชาย"), ("F", "หญิง")]
    assert len(cells("SEX_AREA")) == 4


def test_an_element_with_stored_values_keeps_its_breakdown(tmp_path, stored_female_cell, en):
    write(tmp_path, CATEGORIES.replace("min: 0, categories: SEX_AREA}", "min: 0}"))
    result = catalogue_load(paths=[stored_female_cell])
    assert result.errors == ["element X_POP: values are stored, so its breakdown cannot change from SEX_AREA to no breakdown"]
    assert DataElement.objects.get(code="X_POP").category_combo.code == "SEX_AREA"
    # Without values the breakdown may go.
    DataValue.objects.all().delete()
    assert catalogue_load(paths=[stored_female_cell]).ok
    assert DataElement.objects.get(code="X_POP").category_combo is None


def test_shipped_catalogue_breaks_population_dengue_and_visitors_down(province):
    seed_agencies(province, "ตย")
    assert catalogue_load().ok
    broken_down = DataElement.objects.filter(category_combo__isnull=False).values_list("code", "category_combo__code")
    assert dict(broken_down) == {"POP": "SEX_AREA", "DENGUE_CASES": "AGE", "TOUR_VISITORS": "NATIONALITY"}
    assert [code for code, _name in cells("SEX_AREA")] == ["M_MUN", "M_NONMUN", "F_MUN", "F_NONMUN"]
    assert [code for code, _name in cells("AGE")][:3] == ["A0004", "A0509", "A1014"] and len(cells("AGE")) == 9
    assert not DataElement.objects.filter(code__in=["POP_MALE", "POP_FEMALE", "POP_TOTAL", "TOUR_THAI", "TOUR_FOREIGN"]).exists()

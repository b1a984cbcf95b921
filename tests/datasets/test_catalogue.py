from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from datasets.catalogue import CATALOGUE_DIR, catalogue_load
from datasets.models import DataElement, Dataset, Topic
from poc.demo import seed_agencies
from poc.models import OrgUnitLevel

pytestmark = pytest.mark.django_db

BASIC_DATASETS = [d["code"] for d in yaml.safe_load((CATALOGUE_DIR / "10_basic_data.yaml").read_text(encoding="utf-8"))["datasets"]]
VALID = """
topics:
  - {code: TX1, name_th: หัวข้อทดสอบ, name_en: Test topic}
datasets:
  - code: DS-X
    topic: TX1
    name_th: ชุดทดสอบ
    agency: AG-A
    level: subdistrict
    period_type: Y
    elements:
      - {code: X_MALE, name_th: ชาย, value_type: integer, min: 0, max: null, aggregation: sum, demo: {base: 100}}
      - {code: X_FEMALE, name_th: หญิง, value_type: integer, min: 0}
      - {code: X_TOTAL, name_th: รวม, value_type: integer, demo: {sum_of: [X_MALE, X_FEMALE]}}
"""


def write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalogue_loads_45_topics_and_a_dataset_for_each(province):
    seed_agencies(province, "ตย")
    result = catalogue_load()
    assert result.ok, result.errors
    assert Topic.objects.count() >= 45
    assert not Topic.objects.filter(datasets__isnull=True).exists()
    population = Dataset.objects.get(code="DS-POP")
    assert population.collection_level == OrgUnitLevel.SUBDISTRICT and population.period_type == "Y"
    assert list(population.elements.values_list("code", flat=True)) == ["POP", "HOUSEHOLDS"]
    assert all(2 <= d.elements.count() <= 5 for d in Dataset.objects.filter(code__in=BASIC_DATASETS))


def test_loading_twice_updates_by_code_without_duplicates(tmp_path, agency_a):
    path = write(tmp_path, VALID)
    first = catalogue_load(paths=[path])
    assert first.created == {"topics": 1, "categories": 0, "category_combos": 0, "datasets": 1, "elements": 3}
    write(tmp_path, VALID.replace("name_th: ชาย,", "name_th: เพศชาย,"))
    second = catalogue_load(paths=[path])
    assert set(second.created.values()) == {0}
    assert second.updated == {"topics": 0, "categories": 0, "category_combos": 0, "datasets": 0, "elements": 1}
    assert DataElement.objects.get(code="X_MALE").name_th == "เพศชาย"
    assert DataElement.objects.count() == 3


def test_any_error_loads_nothing_and_every_error_is_listed(tmp_path, agency_a, en):
    write(tmp_path, VALID, "10_good.yaml")
    write(
        tmp_path,
        """
datasets:
  - code: DS-Y
    topic: T-NOPE
    name_th: ผิด
    agency: AG-ZZZ
    level: county
    period_type: WK
    colour: red
    elements:
      - {code: Y1, name_th: หนึ่ง, value_type: money, demo: {ratio_of: NOPE, seasonal: monsoon}}
""",
        "20_bad.yaml",
    )
    result = catalogue_load(paths=[tmp_path])
    assert not result.ok
    text = "\n".join(result.errors)
    expected = [
        "20_bad.yaml: datasets[1] DS-Y: unknown key(s): colour",
        "level must be one of",
        "period_type must be one of",
        "value_type must be one of",
        "demo seasonal must be one of",
        "unknown topic T-NOPE",
        "unknown agency AG-ZZZ",
        "demo refers to unknown element NOPE",
    ]
    assert [e for e in expected if e not in text] == []
    assert not Topic.objects.exists() and not Dataset.objects.exists()


def test_duplicate_element_codes_across_files_are_refused(tmp_path, agency_a, en):
    write(tmp_path, VALID, "10.yaml")
    write(tmp_path, VALID.replace("DS-X", "DS-Z").replace("TX1", "TX2"), "20.yaml")
    result = catalogue_load(paths=[tmp_path])
    assert any("X_MALE is also defined in dataset DS-X" in e for e in result.errors)
    assert not DataElement.objects.exists()


def test_unreadable_yaml_is_reported(tmp_path, agency_a):
    write(tmp_path, "datasets: [ {code: ", "broken.yaml")
    result = catalogue_load(paths=[tmp_path])
    assert result.errors and result.errors[0].startswith("broken.yaml: ")


def test_command_fails_loudly_and_loads_nothing_on_error(tmp_path, agency_a):
    write(tmp_path, VALID.replace("level: subdistrict", "level: planet"))
    with pytest.raises(CommandError):
        call_command("load_catalogue", str(tmp_path))
    assert not Dataset.objects.exists()
    write(tmp_path, VALID)
    call_command("load_catalogue", str(tmp_path))
    assert Dataset.objects.filter(code="DS-X").exists()


def test_catalogue_folder_is_shipped_in_the_app():
    assert (CATALOGUE_DIR / "00_topics.yaml").is_file()

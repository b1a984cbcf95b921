"""Data migration 0011: population, visitors and dengue cases move to broken-down elements with their totals intact.

A small copy of the demo database in the old shape (separate male/female/total elements, Thai/foreign/total visitors,
dengue cases as one figure, a balance rule, indicators and a warning rule naming the parts) is written at migration
0010 with the historical models, migrated forward, and compared with what was there before.
"""

from collections import defaultdict

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from datasets.aggregates import aggregates_recompute
from poc.models import MunicipalityArea, OrgUnit, OrgUnitLevel, Period

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("datasets", "0010_categories_and_option_combos"),
    ("cockpit", "0003_orgunit_level_municipality"),
    ("indicators", "0004_weekly_daily_period_types"),
    ("verification", "0002_approval_levels"),
]
AFTER = [("datasets", "0011_population_dengue_visitors_by_category")]
SUBDISTRICTS = ["990101", "990102", "990201", "990202"]
YEARS = ["2566", "2567", "2568"]


def migrate(targets):
    """Migrate the test database to ``targets``; the historical models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0010(province, agency_a):
    """The database at 0010 (and back at the latest migrations afterwards)."""
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_demo(apps, agency) -> dict:
    """The old-shape catalogue and values; returns the old figures per (element code, unit code, period code)."""
    Topic, Dataset, DataElement, DataValue = (apps.get_model("datasets", m) for m in ("Topic", "Dataset", "DataElement", "DataValue"))
    topic = Topic.objects.create(code="T09", name_th="ประชากร")

    def dataset(code: str, level: int, period_type: str, elements: list[str]) -> dict:
        ds = Dataset.objects.create(
            code=code, topic=topic, name_th=code, agency_id=agency.pk, collection_level=level, period_type=period_type
        )
        return {c: DataElement.objects.create(code=c, dataset=ds, name_th=c, value_type="integer", order=i) for i, c in enumerate(elements)}

    pop = dataset("DS-POP", OrgUnitLevel.SUBDISTRICT, "Y", ["POP_MALE", "POP_FEMALE", "POP_TOTAL", "HOUSEHOLDS"])
    tour = dataset("DS-TOURISM", OrgUnitLevel.PROVINCE, "M", ["TOUR_THAI", "TOUR_FOREIGN", "TOUR_VISITORS"])
    dengue = dataset("DS-DENGUE", OrgUnitLevel.SUBDISTRICT, "M", ["DENGUE_CASES"])
    units = {u.code: u for u in OrgUnit.objects.all()}
    figures: dict[tuple[str, str, str], float] = {}

    def put(element, unit: str, period: str, number: float) -> None:
        DataValue.objects.create(
            element=element,
            orgunit_id=units[unit].pk,
            period_id=Period.objects.for_code(period).pk,
            value_num=number,
            source="form",
            comment=f"{element.code} {unit}",
        )
        figures[(element.code, unit, period)] = number

    for i, unit in enumerate(SUBDISTRICTS):
        for j, year in enumerate(YEARS):
            male, female = 10_001 + 997 * i + 31 * j, 10_240 + 1013 * i + 29 * j
            if (unit, year) != ("990202", "2568"):  # a cell where only the total was entered
                put(pop["POP_MALE"], unit, year, male)
                put(pop["POP_FEMALE"], unit, year, female)
            put(pop["POP_TOTAL"], unit, year, male + female)
            put(pop["HOUSEHOLDS"], unit, year, 7000 + i)
        for month, cases in (("2568-07", 7 + i), ("2568-08", 23 * i)):
            put(dengue["DENGUE_CASES"], unit, month, cases)
    for month, thai, foreign in (("2568-01", 690_123, 78_001), ("2568-02", 701_555, 80_999)):
        put(tour["TOUR_THAI"], "99", month, thai)
        put(tour["TOUR_FOREIGN"], "99", month, foreign)
        put(tour["TOUR_VISITORS"], "99", month, thai + foreign)
    # A stale aggregate the rebuild must replace.
    apps.get_model("datasets", "AggregateValue").objects.create(
        element=pop["POP_TOTAL"], orgunit_id=units["99"].pk, period_id=Period.objects.for_code("2568").pk, total=1, count=1
    )
    rules, population = apps.get_model("verification", "ValidationRule").objects, pop["POP_MALE"].dataset_id
    rules.create(dataset_id=population, name="balance", left="POP_MALE + POP_FEMALE", operator="==", right="POP_TOTAL")
    rules.create(dataset_id=population, name="houses", left="HOUSEHOLDS", operator="<=", right="POP_TOTAL * 0.5")
    Indicator = apps.get_model("indicators", "Indicator")
    female_share = Indicator.objects.create(
        code="I-F",
        name_th="สัดส่วนหญิง",
        numerator="POP_FEMALE",
        denominator="POP_TOTAL",
        definition="(POP_FEMALE) / (POP_TOTAL)",
        perspective_th="สังคม",
    )
    female_share.inputs.set([pop["POP_FEMALE"], pop["POP_TOTAL"]])
    apps.get_model("cockpit", "WarningRule").objects.create(name_th="ชายลด", element=pop["POP_MALE"], kind="change", change_pct=-10)
    return {"figures": figures, "pop_total_id": pop["POP_TOTAL"].pk, "units": units}


def subtree_sums(figures: dict, code: str, units: dict) -> dict[tuple[int, str], float]:
    """Old figures of ``code`` summed over every unit's subtree (what the aggregates must now say), per period."""
    sums: dict[tuple[int, str], float] = defaultdict(float)
    for (element, unit, period), number in figures.items():
        if element == code:
            for ancestor in units[unit].path.rstrip("/").split("/"):
                sums[(units[ancestor].pk, period)] += number
    return dict(sums)


def test_totals_and_parts_survive_the_move_to_categories(at_0010, agency_a, province):
    municipality = OrgUnit.objects.create(code="9999", name_th="เทศบาลทดสอบ", level=OrgUnitLevel.MUNICIPALITY, parent=province)
    MunicipalityArea.objects.create(municipality=municipality, subdistrict=OrgUnit.objects.get(code="990101"), share=0.6)
    MunicipalityArea.objects.create(municipality=municipality, subdistrict=OrgUnit.objects.get(code="990102"), share=None)
    old = old_demo(at_0010, agency_a)
    figures, units = old["figures"], old["units"]
    old_value_count = len(figures)

    apps = migrate(AFTER)
    DataElement, DataValue = apps.get_model("datasets", "DataElement"), apps.get_model("datasets", "DataValue")
    AggregateValue, AggregateOptionValue = apps.get_model("datasets", "AggregateValue"), apps.get_model("datasets", "AggregateOptionValue")
    period_codes = dict(Period.objects.values_list("pk", "code"))

    pop = DataElement.objects.get(code="POP")
    assert pop.pk == old["pop_total_id"] and pop.category_combo.code == "SEX_AREA" and pop.name_th == "ประชากรตามทะเบียนราษฎร"
    assert not DataElement.objects.filter(code__in=["POP_MALE", "POP_FEMALE", "POP_TOTAL", "TOUR_THAI", "TOUR_FOREIGN"]).exists()
    assert dict(DataElement.objects.filter(category_combo__isnull=False).values_list("code", "category_combo__code")) == {
        "POP": "SEX_AREA",
        "TOUR_VISITORS": "NATIONALITY",
        "DENGUE_CASES": "AGE",
    }
    assert not DataValue.objects.filter(element__category_combo__isnull=False, option_combo__isnull=True).exists()

    # Every unit's and ancestor's total per period is the old total, for each converted element.
    for new_code, old_code in (("POP", "POP_TOTAL"), ("TOUR_VISITORS", "TOUR_VISITORS"), ("DENGUE_CASES", "DENGUE_CASES")):
        element = DataElement.objects.get(code=new_code)
        stored = {(a.orgunit_id, period_codes[a.period_id]): a.total for a in AggregateValue.objects.filter(element=element)}
        assert stored == subtree_sums(figures, old_code, units), new_code
        by_option: dict[tuple[int, int], float] = defaultdict(float)
        for a in AggregateOptionValue.objects.filter(element=element):
            by_option[(a.orgunit_id, a.period_id)] += a.total
        assert {(o, period_codes[p]): t for (o, p), t in by_option.items()} == stored, new_code

    # The rebuilt aggregates are what the live engine computes from the new cells.
    converted = DataElement.objects.filter(category_combo__isnull=False).values_list("pk", flat=True)
    assert not aggregates_recompute(element_ids=converted).differences

    # Each old part is its option, summed over the areas; the area split follows the municipal share.
    cells = defaultdict(dict)
    for value in DataValue.objects.filter(element=pop).select_related("option_combo", "orgunit", "period"):
        cells[(value.orgunit.code, value.period.code)][value.option_combo.code] = value
    for (code, unit, year), number in figures.items():
        if code in ("POP_MALE", "POP_FEMALE"):
            sex = "M" if code == "POP_MALE" else "F"
            parts = cells[(unit, year)]
            assert parts[f"{sex}_MUN"].value_num + parts[f"{sex}_NONMUN"].value_num == number
            assert parts[f"{sex}_MUN"].comment == f"{code} {unit}"  # the cell keeps the old value's comment
    m, f = figures[("POP_MALE", "990101", "2568")], figures[("POP_FEMALE", "990101", "2568")]
    assert cells[("990101", "2568")]["M_MUN"].value_num == round(m * 0.6) and cells[("990101", "2568")]["F_MUN"].value_num == round(f * 0.6)
    assert cells[("990102", "2568")]["F_NONMUN"].value_num == 0  # covered by a municipality of unknown share: wholly municipal
    # 12026 × 0.25 = 3006.5: a remainder tie goes to the first option.
    assert figures[("POP_MALE", "990201", "2567")] == 12026 and cells[("990201", "2567")]["M_MUN"].value_num == 3007
    # Only a total was stored: shared 49.4 % / 50.6 % by sex, in whole people adding up to it.
    only_total = cells[("990202", "2568")]
    total = figures[("POP_TOTAL", "990202", "2568")]
    males = only_total["M_MUN"].value_num + only_total["M_NONMUN"].value_num
    assert males + only_total["F_MUN"].value_num + only_total["F_NONMUN"].value_num == total and males == round(total * 0.494)

    visitors = {
        (v.period.code, v.option_combo.code): v.value_num
        for v in DataValue.objects.filter(element__code="TOUR_VISITORS").select_related("period", "option_combo")
    }
    nationality = {"TOUR_THAI": "TH", "TOUR_FOREIGN": "FOREIGN"}
    old_visitors = {(p, nationality[c]): n for (c, _u, p), n in figures.items() if c in nationality}
    assert visitors == old_visitors and len(visitors) == 4
    dengue = defaultdict(float)
    for value in DataValue.objects.filter(element__code="DENGUE_CASES").select_related("orgunit", "period"):
        assert value.value_num == int(value.value_num)
        dengue[(value.orgunit.code, value.period.code)] += value.value_num
    assert dengue == {(u, p): n for (c, u, p), n in figures.items() if c == "DENGUE_CASES"}

    # Audited: a delete line per old value moved, a create line per new cell.
    audits = apps.get_model("datasets", "DataValueAudit").objects.filter(source="admin")
    moved = sum(1 for code, _u, _p in figures if code != "HOUSEHOLDS")
    assert audits.filter(action="delete").count() == moved and moved == old_value_count - len(SUBDISTRICTS) * len(YEARS)
    assert audits.filter(action="create").count() == DataValue.objects.filter(option_combo__isnull=False).count()

    # Formulas name the new element; the balance rule is gone (the total is derived); the warning waits for a person.
    rules = apps.get_model("verification", "ValidationRule").objects
    assert list(rules.values_list("name", "left", "right")) == [("houses", "HOUSEHOLDS", "POP * 0.5")]
    indicator = apps.get_model("indicators", "Indicator").objects.get(code="I-F")
    assert (indicator.numerator, indicator.denominator, indicator.definition) == ("POP.F", "POP", "(POP.F) / (POP)")
    assert list(indicator.inputs.values_list("code", flat=True)) == ["POP"]
    warning = apps.get_model("cockpit", "WarningRule").objects.get()
    assert warning.element_id == pop.pk and not warning.is_active


def test_a_database_without_the_old_elements_is_left_alone(at_0010):
    apps = migrate(AFTER)
    assert not apps.get_model("datasets", "CategoryCombo").objects.exists()
    assert not apps.get_model("datasets", "DataValueAudit").objects.exists()

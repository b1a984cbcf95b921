"""The cost of one cell saved through the entry form, with everything it triggers (indicators, warnings, caches),
pinned in queries: it must not grow with the rows of the grid, the indicators fed by the cell or the months stored."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cockpit.models import Alert, RuleKind, WarningRule
from datasets.models import DataValue, NotAvailableReason
from datasets.services import CellInput, datavalues_save
from indicators.models import Indicator, IndicatorValue
from indicators.services import indicator_save
from poc.models import Period
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db
PERIOD = "2568-01"

# Queries of one saved cell (the request, the write and its receivers run inline: one indicator, two warning rules),
# measured on PostGIS. Raise only with a reason: each one is paid by every save of every clerk. On SpatiaLite the
# aggregates' upsert is one more statement Django sees (PostgreSQL's goes to psycopg2 directly).
SPATIALITE = 0 if connection.vendor == "postgresql" else 1
SAVE_QUERIES = 63 + SPATIALITE  # 23 of them the request and the write (FORM_QUERIES)
FORM_QUERIES = 23 + SPATIALITE


@pytest.fixture
def world(entry_a, agency_a, dataset, elements, subdistricts):
    """Every required cell answered for a year of months, an indicator and two warning rules on CASES."""
    cells = []
    for month in ["2567-10", "2567-11", "2567-12", PERIOD, "2568-02", "2568-03"]:
        period = Period.objects.for_code(month)
        for element in [e for e in elements.values() if e.required]:
            for unit in subdistricts:
                if element.code == "CASES":
                    cells.append(CellInput(element=element, orgunit=unit, period=period, raw="12"))
                else:
                    cells.append(CellInput(element=element, orgunit=unit, period=period, not_available=NotAvailableReason.NOT_COLLECTED))
    assert datavalues_save(cells=cells, user=entry_a).ok
    Period.objects.for_code("FY2568")  # stored by the first refresh of the year: not part of every save
    add_indicator(agency_a, "CASES1")
    WarningRule.objects.create(name_th="ผู้ป่วยมาก", element=elements["cases"], level=3, kind=RuleKind.ABOVE, high=20)
    WarningRule.objects.create(name_th="ผู้ป่วยมากทั้งจังหวัด", element=elements["cases"], level=1, kind=RuleKind.ABOVE, high=1000)
    return elements


def add_indicator(agency, code: str) -> Indicator:
    indicator = Indicator(code=code, name_th=code, numerator="CASES", period_type="M", perspective_th="สุขภาพ", agency=agency)
    return indicator_save(indicator=indicator)


@pytest.fixture
def save_one_cell(client, entry_a, dataset, django_capture_on_commit_callbacks):
    """POST one changed cell as the browser does (only it, with the value it was loaded with), with what it triggers
    after commit run inline unless ``receivers=False``: the number of queries it took."""
    assert client.login(username=entry_a.username, password=TEST_PASSWORD)
    client.get(reverse("home"))  # the session and the user's permissions are warm, as for a clerk at work

    def save(cases, unit, value: str, *, within: str = "99", receivers: bool = True) -> int:
        cell = f"{cases.pk}-{unit.pk}"
        stored = DataValue.objects.get(element=cases, orgunit=unit, period__code=PERIOD).value_num
        url = f"{reverse('datasets:entry')}?dataset={dataset.code}&period={PERIOD}&orgunit={within}"
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=receivers):
            response = client.post(url, {f"v-{cell}": value, f"na-{cell}": "", f"o-{cell}": f"{stored:g}"})
        assert response.status_code == 302, response.content.decode()[:500]
        assert DataValue.objects.get(element=cases, orgunit=unit, period__code=PERIOD).value_num == float(value)
        return len(captured.captured_queries)

    return save


def test_one_cell_saved_with_all_it_triggers_costs_a_fixed_number_of_queries(save_one_cell, world, subdistricts, agency_a):
    cases, unit = world["cases"], subdistricts[0]
    save_one_cell(cases, unit, "25")  # opens the subdistrict's alert (and mails its recipients)
    # What it triggered happened: the indicator's month and fiscal year, the alert of the subdistrict.
    codes = set(IndicatorValue.objects.filter(orgunit=unit, value__isnull=False).values_list("period__code", flat=True))
    assert {PERIOD, "FY2568"} <= codes
    assert list(Alert.objects.values_list("orgunit__code", "value")) == [(unit.code, 25)]
    steady = save_one_cell(cases, unit, "26")
    assert steady <= SAVE_QUERIES, steady
    # Three more indicators fed by the cell, a grid of two rows instead of four: the same number of queries.
    for code in ("CASES2", "CASES3", "CASES4"):
        add_indicator(agency_a, code)
    assert save_one_cell(cases, unit, "27") == steady
    assert save_one_cell(cases, unit, "28", within="9901") == steady
    assert IndicatorValue.objects.get(indicator__code="CASES4", orgunit=unit, period__code=PERIOD).value == 28


def test_the_form_part_of_a_save_reads_no_history(save_one_cell, world, subdistricts):
    """Without its receivers, the save is the request, the grid's current values, the locks and the write."""
    cases, unit = world["cases"], subdistricts[0]
    queries = save_one_cell(cases, unit, "25", receivers=False)
    assert queries <= FORM_QUERIES, queries
    assert save_one_cell(cases, unit, "26", within="9901", receivers=False) == queries

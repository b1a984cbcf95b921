"""The governor's cockpit, the war room and the phone view, measured in Chromium at the sizes they are used at.

Thirty-three indicators in ten perspectives, as the catalogue has: the layout facts (tiles per row, nothing
wider than the screen, the alert panel on the wall screen without scrolling, type size) are read from the
rendered page. Screenshots go to var/screenshots (untracked).
"""

from pathlib import Path

import pytest

from cockpit.models import Alert, RuleKind, WarningRule
from datasets.models import DataElement, Dataset, Topic, ValueType
from datasets.services import CellInput, datavalues_save
from indicators.models import Indicator, IndicatorTarget
from indicators.services import indicator_save, indicator_values_refresh
from poc.models import OrgUnit, Period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PERSPECTIVES = [
    ("เศรษฐกิจ", 6),
    ("สุขภาพ", 4),
    ("การศึกษา", 3),
    ("ชีวิตการงาน", 3),
    ("รายได้", 4),
    ("ที่อยู่อาศัยและสภาพแวดล้อม", 3),
    ("ชีวิตครอบครัวและชุมชน", 2),
    ("การคมนาคมและการสื่อสาร", 3),
    ("การมีส่วนร่วม", 2),
    ("ทรัพยากรธรรมชาติและสิ่งแวดล้อม", 3),
]


def shot(page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def sized(browser, live_server):
    """sized(width, height) -> a logged-in-ready page of that viewport (closed after the test)."""
    contexts = []

    def make(width: int, height: int):
        context = browser.new_context(base_url=live_server.url, locale="th-TH", viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def login(page, username: str) -> None:
    from tests.conftest import TEST_PASSWORD

    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def province_indicators(province, agency_a):
    """33 indicators over one FY dataset reported by every subdistrict for FY2567–2568; three districts' worth of alerts."""
    topic = Topic.objects.create(code="T99", name_th="ตัวชี้วัดจังหวัด", name_en="Province indicators")
    dataset = Dataset.objects.create(
        code="DS-PROV", topic=topic, name_th="ตัวชี้วัดจังหวัด", agency=agency_a, collection_level=3, period_type="FY", due_days=30
    )
    count = DataElement.objects.create(code="COUNT", dataset=dataset, name_th="จำนวน", value_type=ValueType.INTEGER)
    people = DataElement.objects.create(code="PEOPLE", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER)
    number = 0
    for perspective, size in PERSPECTIVES:
        for _i in range(size):
            number += 1
            indicator = indicator_save(
                indicator=Indicator(
                    code=f"IND{number:02d}",
                    name_th=f"ตัวชี้วัด{perspective}ที่ {number}",
                    numerator="COUNT",
                    denominator="PEOPLE",
                    factor=100000,
                    decimals=1,
                    order=number,
                    agency=agency_a,
                    polarity="lower_better" if number % 2 else "higher_better",
                    perspective_th=perspective,
                )
            )
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2568, target=[900.0, 1100.0, 1000.0][number % 3])
    cells = []
    for year, base in ((2567, 95), (2568, 100)):
        period = Period.objects.for_code(f"FY{year}")
        for i, sub in enumerate(OrgUnit.objects.filter(level=3).order_by("code")):
            cells += [
                CellInput(element=count, orgunit=sub, period=period, raw=base + 10 * i),
                CellInput(element=people, orgunit=sub, period=period, raw=10000),
            ]
    assert datavalues_save(cells=cells, user=None, check_permissions=False).ok
    indicator_values_refresh()
    rule = WarningRule.objects.create(
        name_th="เกินเกณฑ์เฝ้าระวัง", indicator=Indicator.objects.get(code="IND01"), level=2, kind=RuleKind.ABOVE, high=1
    )
    from cockpit.services import rule_evaluate

    rule_evaluate(rule=rule, periods=[Period.objects.for_code("FY2568")])
    assert Alert.objects.count() == 2
    return number


def _layout(page) -> dict:
    return page.evaluate(
        """() => {
        const tiles = [...document.querySelectorAll('.tile')].map(t => t.getBoundingClientRect());
        const firstTop = Math.min(...tiles.map(r => r.top));
        return {
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            height: document.documentElement.scrollHeight,
            tiles: tiles.length,
            firstRow: tiles.filter(r => Math.abs(r.top - firstTop) < 2).length,
            lowest: Math.max(...tiles.map(r => r.bottom)),
            widest: Math.max(...tiles.map(r => r.right)),
            stripTop: document.querySelector('#summary-strip').getBoundingClientRect().top,
            firstTileTop: firstTop,
        };
    }"""
    )


def test_cockpit_uses_the_width_of_a_1440_and_a_1920_screen(sized, executive, province_indicators):
    for width, height, at_least in ((1440, 900, 6), (1920, 1080, 8)):
        page = sized(width, height)
        login(page, "governor")
        page.goto("/cockpit/?fy=2568")
        layout = _layout(page)
        assert layout["tiles"] == 33
        assert layout["overflow"] == 0 and layout["widest"] <= width
        assert layout["firstRow"] >= at_least, layout  # tiles side by side, not a 3,600 px column
        assert layout["stripTop"] < min(400, layout["firstTileTop"])  # the summary strip comes first
        assert page.locator("#summary-strip [data-state=red] b").inner_text() == str(page.locator(".tile[data-state=red]").count())
        assert "รายงานแล้ว 100%" in page.locator("#as-of").inner_text()
        shot(page, f"cockpit_{width}x{height}", full_page=True)
        assert layout["height"] < 2 * height  # the 33 tiles fit in about two screens


def test_war_room_fits_every_tile_and_the_alerts_on_a_1920x1080_wall(sized, executive, province_indicators):
    page = sized(1920, 1080)
    login(page, "governor")
    page.goto("/cockpit/warroom/?fy=2568")
    shot(page, "warroom_1920x1080")
    layout = _layout(page)
    assert layout["tiles"] == 33 and page.locator(".warroom-page").count() == 1
    assert layout["overflow"] == 0 and layout["height"] <= 1080 and layout["lowest"] <= 1080  # no scrolling, nothing cut off
    clipped = page.evaluate(
        "[...document.querySelectorAll('.tile')].filter(t => t.scrollHeight > t.clientHeight + 1)"
        ".map(t => [t.querySelector('.tile-code').textContent, t.scrollHeight, t.clientHeight])"
    )
    assert clipped == [], clipped  # every tile shows all it holds, the red ones' agency included
    assert page.locator(".tile[data-state=red] .tile-owner").first.is_visible()
    alerts = page.locator("#warroom-alerts")
    box = alerts.bounding_box()
    assert alerts.is_visible() and box["y"] >= 0 and box["y"] + 100 < 1080
    assert alerts.locator("li.sev-warning").count() == 2
    value_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.tile-value')).fontSize)")
    name_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.tile-name')).fontSize)")
    assert value_px >= 30 and name_px >= 16  # readable from across the room


def test_cockpit_reads_on_a_phone(sized, executive, province_indicators):
    page = sized(390, 844)
    login(page, "governor")
    page.goto("/cockpit/?fy=2568")
    layout = _layout(page)
    assert layout["overflow"] == 0 and layout["widest"] <= 390
    assert layout["firstRow"] == 2  # two tiles side by side
    strip = page.locator("#summary-strip").bounding_box()
    assert strip["x"] >= 0 and strip["x"] + strip["width"] <= 390
    font_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.tile-value')).fontSize)")
    assert font_px >= 18
    page.locator("#summary-strip").scroll_into_view_if_needed()
    shot(page, "cockpit_390x844")


def test_district_drilldown_ranks_districts_instead_of_painting_them_red(sized, executive, province_indicators):
    page = sized(1440, 900)
    login(page, "governor")
    page.goto("/cockpit/?fy=2568")
    page.locator(".tile[data-state=red]").first.click()  # IND03: 1,150 per 100,000 against a target of 900
    page.wait_for_selector(".plot .main-svg")  # plotly drew the ranked bars
    rows = page.locator("table.drill-table tbody tr")
    assert [rows.nth(i).get_attribute("data-rank") for i in range(2)] == ["1", "2"]
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(2)] == ["อำเภอทดสอบ 1", "อำเภอทดสอบ 2"]
    assert [rows.nth(i).locator("td.versus").inner_text() for i in range(2)] == ["ดีกว่า", "ด้อยกว่า"]
    assert page.locator("table.drill-table .dot.red").count() == 0
    assert page.locator("#drill-target").inner_text() == "900.0"
    shot(page, "cockpit_drilldown_1440x900", full_page=True)

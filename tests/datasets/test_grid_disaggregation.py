"""The entry grid of a broken-down element: one sub-column per option combination under a header of its categories,
a live total that is never posted, each part saved and checked for conflicts on its own, errors naming the option."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from datasets.models import DataElement, DataValue, DataValueAudit, NotAvailableReason, ValueType
from datasets.selectors import element_value
from datasets.services import datavalues_save
from poc.periods import parse_period
from tests.categories import option_cells
from tests.conftest import TEST_PASSWORD
from verification.models import Status, Submission

pytestmark = pytest.mark.django_db
PERIOD = "2568-01"
PARTS = ("M_MUN", "M_NONMUN", "F_MUN", "F_NONMUN")


@pytest.fixture
def population(dataset, sex_area):
    return DataElement.objects.create(
        code="POP",
        dataset=dataset,
        name_th="ประชากร",
        name_en="Population",
        value_type=ValueType.INTEGER,
        category_combo=sex_area,
        required=False,
        order=2,
    )


@pytest.fixture
def cases(dataset):
    return DataElement.objects.create(code="CASES", dataset=dataset, name_th="ผู้ป่วย", value_type=ValueType.INTEGER, required=False, order=1)


@pytest.fixture
def client_a(client, entry_a):
    assert client.login(username=entry_a.username, password=TEST_PASSWORD)
    return client


def url(dataset):
    return f"{reverse('datasets:entry')}?dataset={dataset.code}&period={PERIOD}&orgunit=99"


def field(element, unit, code=None):
    """The grid's name of a cell: ``<element>-<orgunit>`` or, for a part, ``<element>-<orgunit>-<option combination>``."""
    if code is None:
        return f"{element.pk}-{unit.pk}"
    return f"{element.pk}-{unit.pk}-{element.category_combo.option_combos.get(code=code).pk}"


def post_parts(element, unit, values, expected=""):
    data = {}
    for code, raw in values.items():
        name = field(element, unit, code)
        data.update({f"v-{name}": raw, f"na-{name}": "", f"o-{name}": expected})
    return data


class _Table(HTMLParser):
    """The grid's header rows as (text, colspan, rowspan), the totals column and the footer, read from the page."""

    def __init__(self):
        super().__init__()
        self.header, self.totals, self.footer = [], {}, []
        self._section, self._cell, self._text = None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._section == "thead":
            self.header.append([])
        elif tag in ("th", "td"):
            self._cell, self._text = attrs, []

    def handle_endtag(self, tag):
        if tag not in ("th", "td") or self._cell is None:
            return
        text = " ".join("".join(self._text).split())
        if self._section == "thead":
            self.header[-1].append((text, int(self._cell.get("colspan", 1)), int(self._cell.get("rowspan", 1))))
        elif self._section == "tbody" and "data-total" in self._cell:
            self.totals[self._cell["data-total"]] = text
        elif self._section == "tfoot":
            self.footer.append(text)
        self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._text.append(data)


def read_table(html):
    table = _Table()
    table.feed(html)
    return table


def test_a_broken_down_element_shows_its_parts_under_two_header_rows_with_stored_parts_and_their_total(
    client_a, entry_a, dataset, cases, population, subdistricts
):
    first, second = subdistricts[0], subdistricts[1]
    cells = option_cells(population, first, PERIOD, {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
    cells += option_cells(population, second, PERIOD, {"M_MUN": 1, "F_NONMUN": 2})
    cells += option_cells(population, first, "2567-12", {"M_MUN": 9, "F_MUN": 31})  # the previous period, shown grey
    assert datavalues_save(cells=cells, user=entry_a).ok
    html = client_a.get(url(dataset)).content.decode()
    table = read_table(html)
    assert table.header == [
        [("หน่วยพื้นที่", 1, 3), ("ผู้ป่วย", 1, 3), ("ประชากร", 5, 1)],
        [("ชาย", 2, 1), ("หญิง", 2, 1), ("รวม", 1, 2)],
        [("ในเขตเทศบาล", 1, 1), ("นอกเขตเทศบาล", 1, 1), ("ในเขตเทศบาล", 1, 1), ("นอกเขตเทศบาล", 1, 1)],
    ]
    for code, value in zip(PARTS, ("10", "20", "30", "40"), strict=True):
        assert f'name="v-{field(population, first, code)}" value="{value}"' in html
    assert f'name="v-{field(population, second, "M_NONMUN")}" value=""' in html
    assert f'name="o-{field(population, first, "F_MUN")}" value="30"' in html  # what the clerk saw, per part
    assert f'name="v-{field(cases, first)}"' in html  # an element without categories keeps its single cell
    assert f'name="v-{field(population, first)}"' not in html  # the total is shown, never a field
    # Grey previous values per part (9 and 31) and the previous total (40) under the row's total.
    part = html[html.index(f'name="v-{field(population, first, "F_MUN")}"') :]
    assert '<small class="ds-prev" title="งวดก่อน">31</small>' in part[: part.index("</td>")]
    assert table.totals == {
        field(population, first): "100 40",
        field(population, second): "3",
        **{field(population, unit): "" for unit in subdistricts[2:]},
    }
    # The column totals at the bottom: cases (empty), each part, the total.
    assert table.footer == ["รวม", "", "11", "20", "30", "42", "103"]


def test_option_names_follow_the_interface_language(client_a, en, dataset, population, subdistricts):
    table = read_table(client_a.get(url(dataset), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert [text for text, _span, _rows in table.header[1] + table.header[2]] == [
        "Male",
        "Female",
        "Total",
        "Municipal",
        "Non-municipal",
        "Municipal",
        "Non-municipal",
    ]


def test_saving_writes_each_part_as_its_own_value_and_the_total_is_summed(client_a, dataset, cases, population, subdistricts, province):
    unit = subdistricts[0]
    data = post_parts(population, unit, {"M_MUN": "1,200", "M_NONMUN": "300", "F_MUN": "๑๒๕๐", "F_NONMUN": "310"})
    data.update({f"v-{field(cases, unit)}": "7", f"na-{field(cases, unit)}": "", f"o-{field(cases, unit)}": ""})
    response = client_a.post(url(dataset), data)
    assert response.status_code == 302
    stored = DataValue.objects.filter(element=population, orgunit=unit).values_list("option_combo__code", "value_num")
    assert sorted(stored) == [("F_MUN", 1250), ("F_NONMUN", 310), ("M_MUN", 1200), ("M_NONMUN", 300)]
    assert DataValue.objects.get(element=cases, orgunit=unit).option_combo is None
    assert DataValueAudit.objects.filter(element=population, action="create").count() == 4
    assert element_value(population, province, parse_period(PERIOD)) == 3060
    html = client_a.get(url(dataset)).content.decode()
    assert read_table(html).totals[field(population, unit)] == "3,060"


def test_a_posted_total_of_a_broken_down_element_is_refused_and_nothing_is_saved(client_a, dataset, population, subdistricts):
    unit = subdistricts[0]
    data = post_parts(population, unit, {"M_MUN": "10"})
    data.update({f"v-{field(population, unit)}": "100", f"na-{field(population, unit)}": ""})
    response = client_a.post(url(dataset), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "ประชากร · รวม: POP แยกตามหมวดหมู่: กรอกแต่ละส่วน ระบบรวมยอดให้เอง" in html
    assert "ยังไม่ได้บันทึก: มี 1 ช่องที่ต้องแก้ไข" in html
    assert not DataValue.objects.exists()


def test_an_error_in_a_part_names_the_element_and_its_options_and_keeps_what_was_typed(client_a, dataset, population, subdistricts):
    unit = subdistricts[1]
    response = client_a.post(url(dataset), post_parts(population, unit, {"M_MUN": "12", "F_MUN": "สิบ"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ประชากร · หญิง, ในเขตเทศบาล: “สิบ” ไม่ใช่ตัวเลข" in html
    assert f'name="v-{field(population, unit, "F_MUN")}" value="สิบ"' in html
    assert not DataValue.objects.exists()  # all or nothing: the good part is not saved either


def test_a_required_broken_down_element_needs_every_part(client_a, dataset, population, subdistricts):
    population.required = True
    population.save()
    unit = subdistricts[0]
    data = {}
    for other in subdistricts:  # every part of every row answered, but one
        parts = {code: "5" for code in PARTS if (other, code) != (unit, "F_NONMUN")}
        data.update(post_parts(population, other, parts))
    html = client_a.post(url(dataset), data).content.decode()
    assert "ประชากร · หญิง, นอกเขตเทศบาล: จำเป็นต้องกรอก: ใส่ค่า หรือระบุว่าไม่มีข้อมูล" in html
    assert html.count('class="errorlist" role="alert"') == 1
    assert not DataValue.objects.exists()
    name = field(population, unit, "F_NONMUN")
    data.update({f"v-{name}": "", f"na-{name}": NotAvailableReason.CONFIDENTIAL, f"o-{name}": ""})
    assert client_a.post(url(dataset), data).status_code == 302
    assert DataValue.objects.get(element=population, orgunit=unit, option_combo__code="F_NONMUN").not_available == "confidential"
    assert DataValue.objects.filter(element=population).count() == 16


def test_a_part_changed_by_someone_else_is_not_overwritten_and_the_other_parts_are_saved(
    client_a, make_user, agency_a, entry_a, dataset, population, subdistricts
):
    unit = subdistricts[0]
    assert datavalues_save(cells=option_cells(population, unit, PERIOD, {"M_MUN": 10, "F_MUN": 30}), user=entry_a).ok
    colleague = make_user("somchai", ["data_entry"], agency_a, first_name="สมชาย", last_name="ใจดี")
    assert datavalues_save(cells=option_cells(population, unit, PERIOD, {"F_MUN": 35}), user=colleague).ok
    # entry_a opened the form when F_MUN was 30 and changes both parts.
    data = post_parts(population, unit, {"M_MUN": "11"}, expected="10") | post_parts(population, unit, {"F_MUN": "33"}, expected="30")
    response = client_a.post(url(dataset), data)
    html = response.content.decode()
    assert response.status_code == 200
    values = dict(DataValue.objects.filter(element=population, orgunit=unit).values_list("option_combo__code", "value_num"))
    assert values == {"M_MUN": 11, "F_MUN": 35}
    mine = field(population, unit, "F_MUN")
    assert "สมชาย ใจดี บันทึก “35” เมื่อ" in html and f'name="o-{mine}" value="35"' in html and f'name="keep-{mine}" value="theirs"' in html
    assert f'name="keep-{field(population, unit, "M_MUN")}"' not in html
    assert read_table(html).totals[field(population, unit)] == "44"  # 11 saved + 33 typed
    assert client_a.post(url(dataset), post_parts(population, unit, {"F_MUN": "33"}, expected="35")).status_code == 302
    assert DataValue.objects.get(element=population, orgunit=unit, option_combo__code="F_MUN").value_num == 33


def test_parts_of_a_verified_form_are_read_only_and_a_crafted_post_changes_nothing(
    client_a, make_user, it_agency, entry_a, dataset, population, subdistricts, province
):
    unit = subdistricts[0]
    assert datavalues_save(cells=option_cells(population, unit, PERIOD, {"M_MUN": 10, "F_MUN": 30}), user=entry_a).ok
    checker = make_user("checker", ["verifier"], it_agency, first_name="มาลี", last_name="ตรวจดี")
    Submission.objects.create(
        dataset=dataset,
        orgunit=province,
        period=DataValue.objects.first().period,
        status=Status.VERIFIED,
        verified_by=checker,
        verified_at=timezone.now(),
    )
    html = client_a.get(url(dataset)).content.decode()
    name = field(population, unit, "F_MUN")
    box = html[html.index(f'name="v-{name}"') :]
    assert 'value="30"' in box.split(">")[0] and "disabled" in box.split(">")[0]
    assert f'name="o-{name}"' not in html and f'name="na-{name}"' not in html
    assert read_table(html).totals[field(population, unit)] == "40"
    client_a.post(url(dataset), post_parts(population, unit, {"F_MUN": "99"}, expected="30"))
    assert DataValue.objects.get(element=population, orgunit=unit, option_combo__code="F_MUN").value_num == 30


def test_hints_keyed_by_option_combination_show_in_their_part_and_element_hints_under_the_total(
    monkeypatch, client_a, entry_a, dataset, population, subdistricts
):
    """The hint contract (datasets.hints): (element, unit, option combination) for a part, (element, unit) for the total."""
    from datasets import hints

    unit = subdistricts[0]
    assert datavalues_save(cells=option_cells(population, unit, "2567-12", {"F_MUN": 31, "M_MUN": 9}), user=entry_a).ok

    def last_period(elements, orgunits, period):
        """Each stored part of the previous period as a hint on its part, their sum on the total."""
        found, totals = {}, {}
        previous = DataValue.objects.filter(element__in=list(elements), orgunit__in=list(orgunits), period__code="2567-12")
        for value in previous:
            found[(value.element_id, value.orgunit_id, value.option_combo_id)] = hints.CellHint(text=f"เดิม {value.value_num:g}")
            totals[(value.element_id, value.orgunit_id)] = totals.get((value.element_id, value.orgunit_id), 0) + value.value_num
        found.update({key: hints.CellHint(flag=f"รวมเดิม {total:g}") for key, total in totals.items()})
        return found

    monkeypatch.setitem(hints.PROVIDERS._items, "test-last-period", last_period)
    html = client_a.get(url(dataset)).content.decode()

    def cell_html(marker):
        start = html.index(marker)
        return html[start : html.index("</td>", start)]

    assert '<small class="ds-hint help">เดิม 31</small>' in cell_html(f'name="v-{field(population, unit, "F_MUN")}"')
    assert '<small class="ds-hint help">เดิม 9</small>' in cell_html(f'name="v-{field(population, unit, "M_MUN")}"')
    assert "ds-hint" not in cell_html(f'name="v-{field(population, unit, "F_NONMUN")}"')
    assert "⚠ รวมเดิม 40" in cell_html(f'data-total="{field(population, unit)}"')
    assert html.count("รวมเดิม") == 1


def test_a_broken_down_percentage_has_no_total_column_and_a_posted_total_is_still_refused(client_a, dataset, sex_area, subdistricts):
    rate = DataElement.objects.create(
        code="RATE_SA",
        dataset=dataset,
        name_th="อัตรา",
        value_type=ValueType.PERCENT,
        aggregation="average",
        category_combo=sex_area,
        required=False,
    )
    html = client_a.get(url(dataset)).content.decode()
    table = read_table(html)
    assert table.header[:2] == [[("หน่วยพื้นที่", 1, 3), ("อัตรา", 4, 1)], [("ชาย", 2, 1), ("หญิง", 2, 1)]]
    assert table.totals == {} and table.footer == []  # percentages of parts do not add up
    unit = subdistricts[0]
    response = client_a.post(url(dataset), {f"v-{field(rate, unit)}": "50", f"na-{field(rate, unit)}": ""})
    assert response.status_code == 200
    assert "RATE_SA 990101: RATE_SA แยกตามหมวดหมู่: กรอกแต่ละส่วน ระบบรวมยอดให้เอง" in response.content.decode()
    assert not DataValue.objects.exists()

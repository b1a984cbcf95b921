"""The clerk's entry grid: honest errors, read-only verified rows, only changed cells posted, no lost updates."""

import pytest
from django.urls import reverse
from django.utils import timezone

from datasets.models import DataValue, NotAvailableReason
from datasets.services import CellInput, datavalues_save
from poc.models import Period
from tests.conftest import TEST_PASSWORD
from verification.models import Status, Submission

pytestmark = pytest.mark.django_db
PERIOD = "2568-01"


@pytest.fixture
def client_for(client):
    def login(user):
        assert client.login(username=user.username, password=TEST_PASSWORD)
        return client

    return login


@pytest.fixture
def filled(entry_a, elements, subdistricts):
    """Every required cell already answered (not available), CASES of the first subdistrict 12."""
    period = Period.objects.for_code(PERIOD)
    cells = [
        CellInput(element=e, orgunit=u, period=period, not_available=NotAvailableReason.NOT_COLLECTED)
        for e in elements.values()
        if e.required
        for u in subdistricts
        if (e.code, u) != ("CASES", subdistricts[0])
    ]
    cells.append(CellInput(element=elements["cases"], orgunit=subdistricts[0], period=period, raw="12"))
    assert datavalues_save(cells=cells, user=entry_a).ok
    return period


def url(dataset):
    return f"{reverse('datasets:entry')}?dataset={dataset.code}&period={PERIOD}&orgunit=99"


def name(element, unit):
    return f"{element.pk}-{unit.pk}"


def test_text_in_a_number_cell_is_kept_and_called_not_a_number(client_for, entry_a, dataset, elements, subdistricts, filled):
    client = client_for(entry_a)
    cell = name(elements["cases"], subdistricts[1])
    response = client.post(url(dataset), {f"v-{cell}": "สิบสอง", f"na-{cell}": "", f"o-{cell}": "n/a:not_collected"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "“สิบสอง” ไม่ใช่ตัวเลข" in html
    assert 'value="สิบสอง"' in html  # the text stays in the box to be corrected
    assert "จำเป็นต้องกรอก" not in html and "required: enter" not in html
    assert DataValue.objects.get(element=elements["cases"], orgunit=subdistricts[1]).not_available == "not_collected"


def test_number_cells_are_text_boxes_with_a_numeric_keyboard_and_nothing_is_red_before_typing(
    client_for, entry_a, dataset, elements, subdistricts
):
    html = client_for(entry_a).get(url(dataset)).content.decode()
    cell = name(elements["cases"], subdistricts[0])
    box = html[html.index(f'name="v-{cell}"') - 10 : html.index(f'name="v-{cell}"') + 400]
    assert 'type="text"' in box and 'inputmode="numeric"' in box and 'type="number"' not in box
    assert "has-error" not in html and 'class="errorlist"' not in html and " invalid" not in html


def test_only_the_changed_cells_are_written(client_for, entry_a, entry_b, dataset, elements, subdistricts, filled):
    cases = elements["cases"]
    client = client_for(entry_a)
    changed, untouched = name(cases, subdistricts[1]), name(cases, subdistricts[0])
    # The browser posts only the changed cell; an old-style full post of an unchanged cell is skipped as well.
    response = client.post(
        url(dataset),
        {
            f"v-{changed}": "7",
            f"na-{changed}": "",
            f"o-{changed}": "n/a:not_collected",
            f"v-{untouched}": "12",
            f"na-{untouched}": "",
            f"o-{untouched}": "12",
        },
    )
    assert response.status_code == 302
    assert DataValue.objects.get(element=cases, orgunit=subdistricts[1]).value_num == 7
    assert (
        DataValue.objects.get(element=cases, orgunit=subdistricts[0]).updated_at
        < DataValue.objects.get(element=cases, orgunit=subdistricts[1]).updated_at
    )


def test_a_cell_changed_by_someone_else_meanwhile_is_not_overwritten_and_both_values_are_shown(
    client_for, entry_a, make_user, agency_a, dataset, elements, subdistricts, filled
):
    cases = elements["cases"]
    colleague = make_user("somchai", ["data_entry"], agency_a, first_name="สมชาย", last_name="ใจดี")
    # entry_a opened the form when CASES was 12; somchai then saved 15.
    assert datavalues_save(cells=[CellInput(element=cases, orgunit=subdistricts[0], period=filled, raw="15")], user=colleague).ok
    client = client_for(entry_a)
    mine, other = name(cases, subdistricts[0]), name(cases, subdistricts[1])
    response = client.post(
        url(dataset),
        {f"v-{mine}": "20", f"na-{mine}": "", f"o-{mine}": "12", f"v-{other}": "3", f"na-{other}": "", f"o-{other}": "n/a:not_collected"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert DataValue.objects.get(element=cases, orgunit=subdistricts[0]).value_num == 15  # not overwritten
    assert DataValue.objects.get(element=cases, orgunit=subdistricts[1]).value_num == 3  # the other change is saved
    assert "สมชาย ใจดี บันทึก “15” เมื่อ" in html and "หลังจากคุณเปิดแบบฟอร์ม" in html and 'value="20"' in html
    assert f'name="o-{mine}" value="15"' in html  # saving again is checked against what they now see
    assert f'name="keep-{mine}" value="theirs"' in html
    # The user chooses: take theirs leaves 15, keep mine writes 20.
    client.post(url(dataset), {f"v-{mine}": "20", f"na-{mine}": "", f"o-{mine}": "15", f"keep-{mine}": "theirs"})
    assert DataValue.objects.get(element=cases, orgunit=subdistricts[0]).value_num == 15
    assert client.post(url(dataset), {f"v-{mine}": "20", f"na-{mine}": "", f"o-{mine}": "15", f"keep-{mine}": "mine"}).status_code == 302
    assert DataValue.objects.get(element=cases, orgunit=subdistricts[0]).value_num == 20


def test_verified_rows_are_read_only_with_who_verified_when_and_no_submit_button(
    client_for, entry_a, make_user, it_agency, dataset, elements, subdistricts, filled, province
):
    checker = make_user("checker", ["verifier"], it_agency, first_name="มาลี", last_name="ตรวจดี")
    Submission.objects.create(
        dataset=dataset,
        orgunit=province,
        period=filled,
        status=Status.VERIFIED,
        verified_by=checker,
        verified_at=timezone.make_aware(timezone.datetime(2025, 2, 20, 10, 0)),
    )
    client = client_for(entry_a)
    html = client.get(url(dataset)).content.decode()
    cell = name(elements["cases"], subdistricts[0])
    box = html[html.index(f'name="v-{cell}"') : html.index(f'name="v-{cell}"') + 400]
    assert "disabled" in box.split(">")[0] and "readonly" in box.split(">")[0]
    assert "ตรวจสอบโดย มาลี ตรวจดี เมื่อ 20 ก.พ. 2568" in html
    assert f'name="na-{cell}"' not in html and f'name="o-{cell}"' not in html
    assert "ส่งตรวจสอบ" not in html and reverse("verification:submission_open") not in html
    assert "บันทึกทั้งหมด" not in html  # every row is verified: nothing to save
    assert f'name="v-{name(elements["rate"], subdistricts[0])}" value="ไม่ได้จัดเก็บในปีนั้น"' in html  # n/a shown as its reason
    # A crafted post changes nothing either.
    client.post(url(dataset), {f"v-{cell}": "99", f"na-{cell}": "", f"o-{cell}": "12"})
    assert DataValue.objects.get(element=elements["cases"], orgunit=subdistricts[0]).value_num == 12


def test_submit_for_verification_is_offered_while_the_form_is_open(client_for, entry_a, dataset, elements, subdistricts, filled):
    html = client_for(entry_a).get(url(dataset)).content.decode()
    assert reverse("verification:submission_open") in html


def test_a_save_reads_only_what_it_writes_and_a_refused_one_still_shows_previous_values_and_hints(
    client_for, entry_a, dataset, elements, subdistricts, filled, monkeypatch
):
    import datasets.forms

    cases = elements["cases"]
    assert datavalues_save(
        cells=[CellInput(element=cases, orgunit=subdistricts[1], period=Period.objects.for_code("2567-12"), raw="5")], user=entry_a
    ).ok
    hinted = []
    real_hints = datasets.forms.cell_hints
    monkeypatch.setattr(datasets.forms, "cell_hints", lambda *args: hinted.append(args) or real_hints(*args))
    client = client_for(entry_a)
    cell = name(cases, subdistricts[1])
    # Saved: the page redirects, so neither the previous period's values nor hints and flags are read.
    assert client.post(url(dataset), {f"v-{cell}": "7", f"na-{cell}": "", f"o-{cell}": "n/a:not_collected"}).status_code == 302
    assert hinted == []
    # Refused: the grid is shown again with all of them.
    response = client.post(url(dataset), {f"v-{cell}": "สิบสอง", f"na-{cell}": "", f"o-{cell}": "7"})
    html = response.content.decode()
    assert response.status_code == 200 and len(hinted) == 1
    box = html[html.index(f'name="v-{cell}"') :]
    assert '<small class="ds-prev" title="งวดก่อน">5</small>' in box[: box.index("</td>")]
    assert '<datalist id="id_period-M"><option value="' in html  # the period picker still offers the dataset's periods

import pytest

from datasets.models import DataElement, Dataset, Topic, ValueType
from datasets.services import CellInput, datavalues_save
from poc.models import OrgUnit, Period
from tests.browser.conftest import screenshot
from verification import services
from verification.models import Status, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submission(province, agency_a, entry_a):
    topic = Topic.objects.create(code="T09", name_th="ประชากร")
    dataset = Dataset.objects.create(code="DS-POP", topic=topic, name_th="ประชากร", agency=agency_a, collection_level=3, period_type="M")
    elements = [
        DataElement.objects.create(code=c, dataset=dataset, name_th=c, value_type=ValueType.INTEGER) for c in ("MALE", "FEMALE", "TOTAL")
    ]
    services.validation_rule_create(dataset=dataset, name="ชาย + หญิง = รวม", left="MALE + FEMALE", operator="==", right="TOTAL")
    unit, period = OrgUnit.objects.get(code="990101"), Period.objects.for_code("2568-01")
    cells = [CellInput(element=e, orgunit=unit, period=period, raw=v) for e, v in zip(elements, (60, 40, 100), strict=True)]
    assert datavalues_save(cells=cells, user=entry_a).ok
    return services.submission_get_or_create(dataset=dataset, orgunit=unit, period=period, user=entry_a)


def act(page, action: str, comment: str = "") -> None:
    if comment:
        page.fill("textarea[name=comment]", comment)
    page.click(f"button[value={action}]")
    page.wait_for_load_state("networkidle")


def test_submit_return_resubmit_verify_in_the_browser(page, login, submission, entry_a, make_user, it_agency):
    make_user("it_verifier", ["verifier"], it_agency)
    url = f"/verification/submissions/{submission.pk}/"
    login("entry_a")
    page.goto(url)
    assert page.locator("#status").inner_text() == "ร่าง"
    act(page, "submit")
    assert page.locator("#status").inner_text() == "ส่งแล้ว"

    login("it_verifier")
    page.goto("/verification/?queue=1")
    assert page.locator("#submissions tbody tr").count() == 1
    assert page.locator(".notif-link .badge").inner_text() == "1"
    page.click("#submissions tbody a")
    page.wait_for_load_state("networkidle")
    act(page, "return")  # without a comment: refused with a message
    assert page.locator(".messages .msg-error").inner_text() == "ต้องระบุหมายเหตุ"
    act(page, "return", "ตัวเลขชายไม่ตรงกับทะเบียน")
    assert page.locator("#status").inner_text() == "ส่งกลับให้แก้ไข"

    login("entry_a")
    page.goto(url)
    act(page, "submit", "ตรวจกับทะเบียนแล้ว ถูกต้อง")
    assert page.locator("#status").inner_text() == "ส่งใหม่แล้ว"

    login("it_verifier")
    page.goto(url)
    act(page, "verify", "ถูกต้อง")
    assert page.locator("#status").inner_text() == "ตรวจสอบแล้ว"
    assert page.locator("#events tbody tr").count() == 5
    screenshot(page, "verification-submission-verified")
    assert Submission.objects.get().status == Status.VERIFIED

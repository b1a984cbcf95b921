"""Issue 13 in Chromium: an indicator on another agency's restricted dataset stays out of the
cockpit, its drill-down and the pivot export; a verifier who sent a submission gets no buttons to
verify or return it."""

import pytest

from datasets.models import DataElement, Dataset, Sensitivity, Topic, ValueType, VerificationBy
from datasets.services import CellInput, datavalues_save
from indicators.models import Indicator
from indicators.services import indicator_save, indicator_values_refresh
from poc.models import OrgUnit, Period
from verification import services as verification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drug_rate(province, agency_b):
    topic = Topic.objects.create(code="T30", name_th="ยาเสพติด", name_en="Narcotics")
    dataset = Dataset.objects.create(
        code="DS-DRUGS",
        topic=topic,
        name_th="คดียาเสพติด",
        agency=agency_b,
        collection_level=3,
        period_type="FY",
        sensitivity=Sensitivity.RESTRICTED,
    )
    cases = DataElement.objects.create(code="DRUG_CASES", dataset=dataset, name_th="คดี", value_type=ValueType.INTEGER)
    people = DataElement.objects.create(code="DRUG_POP", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER)
    indicator = indicator_save(
        indicator=Indicator(
            code="IND25", name_th="อัตราคดียาเสพติด", numerator="DRUG_CASES", denominator="DRUG_POP", factor=100000, perspective_th="ความมั่นคง"
        )
    )
    period = Period.objects.for_code("FY2568")
    cells = []
    for sub in OrgUnit.objects.filter(level=3):
        cells += [
            CellInput(element=cases, orgunit=sub, period=period, raw=2044),
            CellInput(element=people, orgunit=sub, period=period, raw=295511),
        ]
    assert datavalues_save(cells=cells, user=None, check_permissions=False).ok
    indicator_values_refresh()
    return indicator


def test_other_agency_never_sees_an_indicator_on_restricted_inputs(page, login, entry_a, entry_b, drug_rate):
    login("entry_a")
    page.goto("/cockpit/?fy=2568")
    assert "IND25" not in page.content() and "691.7" not in page.content()
    assert page.goto("/cockpit/indicator/IND25/?fy=2568").status == 404
    assert "691.7" not in page.content()
    export = page.request.get(f"/cockpit/pivot/?item=i:{drug_rate.pk}&from=2568&to=2568&export=csv")
    assert export.status == 404 and b"691" not in export.body()
    page.context.clear_cookies()
    login("entry_b")  # the owning agency reads it
    page.goto("/cockpit/?fy=2568")
    assert "IND25" in page.locator(".tile").first.inner_text() and "691.7" in page.content()


def test_the_sender_gets_no_verify_button(page, login, make_user, agency_a, dataset, elements, subdistricts, save):
    dataset.verification_by = VerificationBy.AGENCY
    dataset.save()
    both = make_user("both_a", ["data_entry", "verifier"], agency_a)
    assert save(both, [(elements["cases"], subdistricts[0], "2568-01", 5)]).ok
    submission = verification.submission_get_or_create(
        dataset=dataset, orgunit=subdistricts[0], period=Period.objects.for_code("2568-01"), user=both
    )
    verification.submission_submit(submission=submission, user=both)
    login("both_a")
    page.goto(f"/verification/submissions/{submission.pk}/")
    assert page.locator("button[value=verify]").count() == 0 and page.locator("button[value=return]").count() == 0

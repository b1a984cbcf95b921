"""The thirteen 500s of issue 14: each parameter now gets a Thai 400 (or is ignored), never an exception."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from poc.models import User
from poc.params import BadParameter, fiscal_year_param, id_list_param, id_param, period_param
from tests.cockpit.conftest import fy_dataset, inputs, monthly_dataset, rate, topic  # noqa: F401
from tests.risk.test_survey import campaign, questions  # noqa: F401
from verification.models import Notification

FISCAL_YEAR_MESSAGE = "ปีงบประมาณต้องเป็นปีพุทธศักราช"


@pytest.mark.parametrize("text", ["²", "๒๕๖๘x", "0", "-1", "99999", "99999999", "1e3", "2568.0", " ", "１２３４"])
def test_fiscal_year_param_refuses_what_is_not_a_be_year(text):
    if text.strip() == "":
        assert fiscal_year_param({"fy": text}, default=7) == 7
        return
    with pytest.raises(BadParameter):
        fiscal_year_param({"fy": text})


def test_parameters_parse_ascii_values_within_bounds():
    assert fiscal_year_param({"fy": " 2568 "}) == 2568
    assert fiscal_year_param({}, default=2567) == 2567
    assert id_param({"id": "42"}, "id") == 42
    assert period_param({"period": "2568-q1"}).code == "2568-Q1"
    for bad in ("0", "-3", "²", str(10**23), "4.5"):
        with pytest.raises(BadParameter):
            id_param({"id": bad}, "id")
    with pytest.raises(BadParameter):
        period_param({"period": "FY99999"})


def _bad_request(response, needle: str = "") -> str:
    body = response.content.decode()
    assert response.status_code == 400
    assert "Traceback" not in body
    if response["Content-Type"] == "application/json":  # API and .json endpoints
        assert needle in response.json()["error"]
    else:
        assert "<title>" in body and needle in body
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("fy", ["²", "0", "99999999"])
@pytest.mark.parametrize("name", ["datasets:completeness", "datasets:completeness_json"])
def test_completeness_refuses_bad_fiscal_years(client, entry_a, name, fy):
    client.force_login(entry_a)
    _bad_request(client.get(reverse(name), {"fy": fy}), FISCAL_YEAR_MESSAGE)


@pytest.mark.django_db
def test_letter_register_refuses_bad_fiscal_year_and_agency(client, entry_a):
    client.force_login(entry_a)
    _bad_request(client.get(reverse("documents:letter_list"), {"fy": "²"}), FISCAL_YEAR_MESSAGE)
    _bad_request(client.get(reverse("documents:letter_list"), {"agency": "abc"}), "agency")
    assert client.get(reverse("documents:letter_list"), {"fy": "2568"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("fy", ["99999", "-1", "0"])
def test_cockpit_pages_refuse_bad_fiscal_years(client, executive, rate, fy):  # noqa: F811
    client.force_login(executive)
    for url in (reverse("cockpit:tiles"), reverse("cockpit:warroom"), reverse("cockpit:drilldown", args=[rate.code])):
        _bad_request(client.get(url, {"fy": fy}), FISCAL_YEAR_MESSAGE)


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"item": "e:abc"}, {"item": "x"}, {"item": "i:"}, {"item": "i:1", "from": "99999", "to": "99999"}])
def test_pivot_refuses_bad_items_and_years(client, executive, rate, query):  # noqa: F811
    client.force_login(executive)
    _bad_request(client.get(reverse("cockpit:pivot"), query))


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", str(10**23)])
def test_marking_notifications_read_refuses_bad_ids(client, entry_a, value):
    Notification.objects.create(user=entry_a, title="x")
    client.force_login(entry_a)
    _bad_request(client.post(reverse("verification:notifications"), {"id": value}))
    assert Notification.objects.get(user=entry_a).read_at is None


@pytest.mark.django_db
def test_survey_answer_page_refuses_a_non_numeric_agency(client, campaign, it_admin):  # noqa: F811
    client.force_login(it_admin)
    _bad_request(client.get(reverse("risk:response_edit", args=[campaign.pk]), {"agency": "abc"}), "agency")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["has space", "u" * 151])
def test_account_upload_with_an_invalid_username_reports_the_row(client, it_admin, agency_a, username):
    client.force_login(it_admin)
    csv_text = f"agency_code,username,roles\nAG-A,ok_user,data_entry\nAG-A,{username},data_entry\n"
    response = client.post(reverse("accounts_issue"), {"file": SimpleUploadedFile("a.csv", csv_text.encode())}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Row 3" in response.content.decode()
    assert not User.objects.filter(username="ok_user").exists()


def test_id_list_param_reads_every_value():
    from django.http import QueryDict

    assert id_list_param(QueryDict("id=1&id=&id=3"), "id") == [1, 3]


@given(st.one_of(st.text(max_size=30), st.integers().map(str), st.floats().map(str)))
def test_parameter_helpers_return_a_value_in_bounds_or_raise_bad_parameter(text):
    for parse, low, high in ((lambda p: fiscal_year_param(p), 2400, 2700), (lambda p: id_param(p, "fy"), 1, 2**63 - 1)):
        try:
            value = parse({"fy": text})
        except BadParameter as exc:
            assert str(exc)
            continue
        assert value is None or (isinstance(value, int) and low <= value <= high)

"""A GET never writes: unknown periods are looked up, not created; control characters are a 400, not a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from poc.models import Period
from poc.periods import parse_period
from tests.cockpit.conftest import fy_dataset, inputs, monthly_dataset, rate, topic  # noqa: F401


@pytest.mark.django_db
def test_period_lookup_returns_an_unsaved_period_with_the_right_dates():
    period = Period.objects.lookup(parse_period("2561-05"))
    assert period.pk is None and Period.objects.count() == 0
    assert (period.code, str(period.start_date), str(period.end_date), period.fiscal_year) == ("2561-05", "2018-05-01", "2018-05-31", 2561)
    stored = Period.objects.for_code("2561-05")
    assert Period.objects.lookup(parse_period("2561-05")).pk == stored.pk


@pytest.mark.django_db
def test_anonymous_map_requests_for_unknown_periods_create_no_period(client, province):
    for code in ("2561-05", "FY2550", "2555-Q3"):
        assert client.get(reverse("gis:map"), {"period": code}).status_code == 200
    assert Period.objects.count() == 0


@pytest.mark.django_db
def test_filter_and_pivot_pages_create_no_period(client, verifier_a, executive, rate):  # noqa: F811
    before = set(Period.objects.values_list("code", flat=True))
    client.force_login(verifier_a)
    assert client.get(reverse("verification:submissions"), {"period": "2551-07"}).status_code == 200
    assert client.get(reverse("verification:violations"), {"period": "2551-07"}).status_code == 200
    client.force_login(executive)
    response = client.get(reverse("cockpit:pivot"), {"item": f"i:{rate.pk}", "from": "2550", "to": "2553"})
    assert response.status_code == 200
    assert set(Period.objects.values_list("code", flat=True)) == before


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/datasets/%00/", "/cockpit/?orgunit=%00", "/api/datavalues/?dataset=a%00b"])
def test_control_characters_in_the_address_are_a_thai_400(client, entry_a, url):
    client.force_login(entry_a)
    response = client.get(url)
    assert response.status_code == 400
    assert "อักขระที่ไม่อนุญาต" in response.content.decode()


@pytest.mark.django_db
def test_control_characters_in_a_form_post_are_a_400(client, entry_a):
    client.force_login(entry_a)
    assert client.post(reverse("verification:notifications"), {"id": "1\x00"}).status_code == 400

"""The pivot's fiscal-year range is limited (POC_PIVOT_MAX_PERIODS): a huge range is a clear 400, not 1 GB and a 500."""

import tracemalloc

import pytest
from django.urls import reverse

from tests.cockpit.test_views import filled, gov  # noqa: F401


def test_a_range_of_thirty_million_years_is_refused_quickly_in_thai(gov, filled):  # noqa: F811
    tracemalloc.start()
    response = gov.get(reverse("cockpit:pivot"), {"item": f"i:{filled.pk}", "from": 0, "to": 30_000_000})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    body = response.content.decode()
    assert response.status_code == 400  # 0 and 30,000,000 are no Buddhist-era years: refused before any range is built
    assert "ปีงบประมาณต้องเป็นปีพุทธศักราช" in body and "<table" not in body
    assert peak < 50 * 1024 * 1024


def test_every_buddhist_era_year_at_once_is_refused_in_thai(gov, filled):  # noqa: F811
    response = gov.get(reverse("cockpit:pivot"), {"item": f"i:{filled.pk}", "from": 2400, "to": 2700})
    body = response.content.decode()
    assert response.status_code == 400
    assert "ช่วงตั้งแต่ 2400 ถึง 2700 มี 301 ปีงบประมาณ" in body and "ไม่เกิน 10 ปี" in body
    assert "POC_PIVOT_MAX_PERIODS" in body and "<table" not in body


def test_the_limit_is_a_setting_and_the_export_is_refused_too(gov, filled, settings):  # noqa: F811
    settings.POC_PIVOT_MAX_PERIODS = 2
    url = reverse("cockpit:pivot")
    refused = gov.get(url, {"item": f"i:{filled.pk}", "from": 2566, "to": 2568, "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and not refused["Content-Type"].startswith("text/csv")
    assert "The range from 2566 to 2568 holds 3 fiscal years; the analysis shows at most 2 at a time." in refused.content.decode()
    allowed = gov.get(url, {"item": f"i:{filled.pk}", "from": 2568, "to": 2567, "export": "csv"})  # either order
    assert allowed.status_code == 200 and allowed["Content-Type"].startswith("text/csv")
    assert "12.5" in allowed.content.decode("utf-8-sig")


@pytest.mark.parametrize(("first", "last"), [(2559, 2568), (2568, 2568)])
def test_ranges_within_the_limit_show_every_year(gov, filled, first, last):  # noqa: F811
    response = gov.get(reverse("cockpit:pivot"), {"item": f"i:{filled.pk}", "from": first, "to": last})
    assert response.status_code == 200
    assert response.context["years"] == list(range(first, last + 1))

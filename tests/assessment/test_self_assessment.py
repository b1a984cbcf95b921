import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assessment.services import assess
from operations.models import BackupRecord
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def by_code(result):
    return {c.code: c for c in result.criteria}


def test_history_criterion_needs_four_fiscal_years(save, entry_a, elements, subdistricts):
    cases = elements["cases"]
    save(entry_a, [(cases, subdistricts[0], f"{year}-01", 5) for year in (2566, 2567, 2568)])
    result = by_code(assess(2569))
    assert not result["1.3"].met and result["1.3"].evidence == ["DS-HEALTH"]
    save(entry_a, [(cases, subdistricts[0], "2568-12", 5)])  # December 2568 lies in FY2569
    assert by_code(assess(2569))["1.3"].met


def test_small_catalogue_fails_level_one_so_nothing_above_counts(save, entry_a, elements, subdistricts):
    save(entry_a, [(elements["cases"], s, "2568-01", 5) for s in subdistricts])
    result = assess(2568)
    topics = by_code(result)["1.1"]
    assert topics.figure == "1/1" and not topics.met  # covered, but fewer than 45 topic groups
    assert result.reached == 0 and result.score == 0
    BackupRecord.objects.create(filename="b.tar.gz", created_at=timezone.now(), engine="x", sha256="0" * 64, verification_status="ok")
    result = assess(2568)
    assert by_code(result)["5.1"].met
    assert result.score == pytest.approx(20 / 3, abs=0.1)  # one of level 5's three criteria
    assert result.reached == 0  # levels are cumulative: level 1 still fails


def test_backup_criterion_requires_a_recent_verified_backup(province):
    record = BackupRecord.objects.create(
        filename="a.tar.gz", created_at=timezone.now() - dt.timedelta(hours=5), engine="x", sha256="0" * 64
    )
    assert not by_code(assess())["5.1"].met  # not verified
    record.verification_status = "ok"
    record.save()
    assert by_code(assess())["5.1"].met
    BackupRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    assert not by_code(assess())["5.1"].met


def test_report_page_and_pdf_are_for_executives_and_it(client, entry_a, executive):
    client.force_login(entry_a)
    assert client.get(reverse("assessment")).status_code == 403
    client.force_login(executive)
    page = client.get(reverse("assessment"), {"fy": "2568"})
    assert page.status_code == 200 and 'data-code="5.3"' in page.content.decode()
    document = client.get(reverse("assessment_pdf"), {"fy": "2568"})
    assert document["Content-Type"] == "application/pdf" and document.content.startswith(b"%PDF")
    text = pdf_text(document.content)
    # Thai typeset whole (libthai line breaking): "ไม่ผ่าน", never "ไม่ผ่า|น", in every failing row.
    assert "การประเมินตนเอง" in text or "ปีงบประมาณ 2568" in text
    assert text.count("ไม่ผ่าน") >= 2 and "ไม่ผ่า\nน" not in text
    assert "ระดับ 1" in text and "5.3" in text


def test_default_year_is_the_last_completed_fiscal_year(province):
    from freezegun import freeze_time

    with freeze_time("2026-11-24"):
        assert assess().fiscal_year == 2569  # FY2570 began on 1 Oct 2026
    with freeze_time("2026-09-30"):
        assert assess().fiscal_year == 2568


def test_every_criterion_finds_its_module():
    from django.utils import translation

    with translation.override("en"):
        assert not [c.code for c in assess(2568).criteria if "not installed" in c.figure]


def test_verification_coverage_counts_rules_or_range_checks(elements, dataset, en):
    result = by_code(assess(2568))["3.1"]
    assert not result.met and result.evidence == ["DS-HEALTH"]  # BEDS has no range and there is no rule
    elements["beds"].min_value = 0
    elements["beds"].save()
    assert by_code(assess(2568))["3.1"].met  # every numeric element is now range-checked


@pytest.mark.skipif(not settings.REDIS_URL, reason="the page-view buffer lives in Redis")
def test_executive_visits_include_buffered_page_views_and_assessing_writes_nothing(executive, entry_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from operations.models import PageView
    from operations.usage import flush_page_views, record_page_view
    from poc.periods import fiscal_year_of

    flush_page_views()  # whatever earlier tests left in the buffer
    stored = PageView.objects.count()
    fiscal_year = fiscal_year_of(timezone.localdate())
    record_page_view(user_id=executive.pk, agency_id=executive.agency_id, view_name="cockpit:tiles", path="/cockpit/")
    record_page_view(user_id=executive.pk, agency_id=executive.agency_id, view_name="home", path="/")  # not the cockpit
    record_page_view(user_id=entry_a.pk, agency_id=entry_a.agency_id, view_name="cockpit:tiles", path="/cockpit/")  # not an executive

    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        visits = by_code(assess(fiscal_year))["2.1"]

    assert visits.met and visits.figure == "1 visits by 1 executives"
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == [] and PageView.objects.count() == stored
    assert flush_page_views() == 3  # the buffer was read, not emptied
    with translation.override("en"):
        assert by_code(assess(fiscal_year))["2.1"].figure == "1 visits by 1 executives"

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from poc.notifications import unread_notification_count
from verification import services
from verification.models import Notification, Status, Submission, Violation

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def unbalanced(pop_values, subdistricts, rules):
    """Two of four subdistricts break the balance rule in 2568-01, one in 2568-02."""
    for unit, total in zip(subdistricts, [100, 101, 100, 99], strict=True):
        pop_values(unit, "2568-01", POP_MALE=50, POP_FEMALE=50, POP_TOTAL=total)
    pop_values(subdistricts[0], "2568-02", POP_MALE=50, POP_FEMALE=50, POP_TOTAL=90)


def test_run_validation_command_stores_every_violation(unbalanced, population):
    out = io.StringIO()
    call_command("run_validation", "--dataset", "DS-POP", "--period", "2568-01", stdout=out)
    assert "4 units, 2 rules, 2 errors, 0 warnings" in out.getvalue()
    assert sorted(Violation.objects.values_list("orgunit__code", flat=True)) == ["990102", "990202"]
    call_command("run_validation", "--dataset", "DS-POP", "--period", "2568-01", "--orgunit", "9901", stdout=out)
    assert Violation.objects.count() == 2  # a rerun replaces, never duplicates


def test_violations_page_lists_all_with_hotspots_and_trend(unbalanced, population, client_for, entry_a):
    call_command("run_validation", "--period", "2568-01", stdout=io.StringIO())
    call_command("run_validation", "--period", "2568-02", stdout=io.StringIO())
    client = client_for(entry_a)
    response = client.get(reverse("verification:violations"))
    assert response.status_code == 200 and response.context["total"] == 3
    assert response.context["trend_figure"]["data"][0]["x"] == ["ม.ค. 2568", "ก.พ. 2568"]
    hotspots = client.get(reverse("verification:violation_hotspots"), {"period": "2568-01"}).json()
    assert hotspots == {"990102": 1, "990202": 1}
    shapes = client.get(reverse("verification:orgunit_shapes"), {"codes": "990102,990202"}).json()
    assert {f["properties"]["code"] for f in shapes["features"]} == {"990102", "990202"}


def test_violations_of_restricted_datasets_are_hidden_from_other_agencies(unbalanced, population, client_for, entry_b):
    population.sensitivity = "restricted"
    population.save()
    call_command("run_validation", "--period", "2568-01", stdout=io.StringIO())
    assert client_for(entry_b).get(reverse("verification:violations")).context["total"] == 0


def test_submission_page_flow_through_views(unbalanced, population, subdistricts, client_for, entry_a, it_verifier):
    client = client_for(entry_a)
    response = client.post(reverse("verification:submission_open"), {"dataset": population.pk, "orgunit": "990101", "period": "2568-01"})
    submission = Submission.objects.get()
    assert response.url == reverse("verification:submission", args=[submission.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and "POP_MALE" in page.content.decode()
    client.post(reverse("verification:submission_action", args=[submission.pk, "submit"]), {"comment": ""})
    assert Submission.objects.get().status == Status.SUBMITTED
    client = client_for(it_verifier)
    queue = client.get(reverse("verification:submissions"), {"queue": "1"})
    assert list(queue.context["page"]) == [submission]
    client.post(reverse("verification:submission_action", args=[submission.pk, "return"]), {"comment": ""})
    assert Submission.objects.get().status == Status.SUBMITTED  # a return without a comment is refused
    client.post(reverse("verification:submission_action", args=[submission.pk, "verify"]), {"comment": "ok"})
    assert Submission.objects.get().status == Status.VERIFIED


def test_other_agency_cannot_see_a_submission(unbalanced, population, subdistricts, client_for, entry_a, entry_b):
    period = population.elements.first().values.first().period
    submission = services.submission_get_or_create(dataset=population, orgunit=subdistricts[0], period=period, user=entry_a)
    assert client_for(entry_b).get(reverse("verification:submission", args=[submission.pk])).status_code == 404


def test_notifications_count_in_header_and_mark_read(client_for, entry_a):
    services.notify(users=[entry_a], title="Hello", url="/")
    client = client_for(entry_a)
    assert 'data-unread="1"' in client.get(reverse("home")).content.decode()
    client.post(reverse("verification:notifications"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "data-unread" not in client.get(reverse("home")).content.decode()


def test_unread_count_is_cached_and_forgotten_on_every_change(entry_a, django_assert_num_queries):
    assert unread_notification_count(entry_a) == 0
    with django_assert_num_queries(0):
        assert unread_notification_count(entry_a) == 0  # cached
    services.notify(users=[entry_a], title="One")
    assert unread_notification_count(entry_a) == 1
    note = Notification.objects.create(user=entry_a, title="Two (admin)")  # single saves forget it too
    assert unread_notification_count(entry_a) == 2
    note.delete()
    assert unread_notification_count(entry_a) == 1
    services.notifications_mark_read(user=entry_a)
    assert unread_notification_count(entry_a) == 0


def test_responsibility_matrix_page_and_excel(population, dataset, client_for, executive):
    client = client_for(executive)
    response = client.get(reverse("verification:responsibility"))
    assert response.status_code == 200 and {r.dataset.code for r in response.context["rows"]} == {"DS-POP", "DS-HEALTH"}
    export = client.get(reverse("verification:responsibility"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 3 and {sheet.cell(2, 1).value, sheet.cell(3, 1).value} == {"DS-POP", "DS-HEALTH"}

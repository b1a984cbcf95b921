"""The audit trail names the option combination of each change of a broken-down element."""

import pytest
from django.urls import reverse

from datasets.models import DataElement, ValueType
from datasets.services import datavalues_save
from tests.categories import option_cells

pytestmark = pytest.mark.django_db


def test_audit_lines_name_the_option_combination_changed(dataset, sex_area, subdistricts, entry_a, client):
    pop = DataElement.objects.create(code="POP", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area)
    unit = subdistricts[0]
    assert datavalues_save(cells=option_cells(pop, unit, "2568-01", {"F_MUN": 30}), user=entry_a).ok
    assert datavalues_save(cells=option_cells(pop, unit, "2568-01", {"F_MUN": 31, "M_NONMUN": 5}), user=entry_a).ok
    client.force_login(entry_a)
    page = client.get(reverse("datasets:audit", args=[dataset.code]), {"element": "POP"}).content.decode()
    table = page[page.index('id="audit-table"') :]
    assert table.count('title="F_MUN">หญิง, ในเขตเทศบาล</span>') == 2
    assert table.count('title="M_NONMUN">ชาย, นอกเขตเทศบาล</span>') == 1
    assert "<td>30</td><td>31</td>" in table

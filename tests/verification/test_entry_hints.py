"""The entry grid explains what is expected (seasonal history) and flags stored outliers (issue 4, issue 9.2)."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_entry_grid_shows_the_expected_range_and_flags_an_outlier(client, save, entry_a, elements, subdistricts):
    cases, sub = elements["cases"], subdistricts[0]
    save(entry_a, [(cases, sub, f"{year}-01", n) for year, n in ((2565, 120), (2566, 150), (2567, 180))])
    client.force_login(entry_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"{reverse('datasets:entry')}?dataset=DS-HEALTH&period=2568-01&orgunit=99"
    page = client.get(url).content.decode()
    assert 'class="ds-hint help">expected' in page and "from Jan 2565–2567" in page
    assert "ds-flag" not in page  # nothing stored yet, nothing to flag
    save(entry_a, [(cases, sub, "2568-01", 5000)])
    page = client.get(url).content.decode()
    assert page.count('class="ds-flag notice"') == 1
    assert reverse("verification:submission_open") in page  # the grid leads on to submission

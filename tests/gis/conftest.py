"""Map fixtures: the shared province with simplified boundaries, plus the datasets catalogue fixtures."""

import pytest

from gis.services import shapes_refresh
from tests.datasets.conftest import dataset, elements, save, subdistricts, topic  # noqa: F401


@pytest.fixture
def shapes(province):
    shapes_refresh()
    return province

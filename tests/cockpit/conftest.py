"""Cockpit fixtures: the indicator fixtures (FY rate per subdistrict, monthly reservoir storage per district)."""

from tests.indicators.conftest import fy_dataset, inputs, monthly_dataset, rate, subdistricts, topic, write  # noqa: F401

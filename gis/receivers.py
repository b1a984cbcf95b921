"""Signal receivers: keep simplified boundaries in step with imports, and the values version fresh."""

from __future__ import annotations

from django.core.cache import cache


def refresh_shapes_after_import(sender, orgunit_ids: list[int], **kwargs) -> None:
    from gis.services import shapes_refresh

    shapes_refresh(orgunit_ids=orgunit_ids)


def forget_values_version(sender, element_ids=(), **kwargs) -> None:
    from gis.selectors import values_version_key

    cache.delete_many([values_version_key("element", element_id) for element_id in element_ids])


def forget_indicator_version(sender, indicator_ids=(), **kwargs) -> None:
    from gis.selectors import values_version_key

    cache.delete_many([values_version_key("indicator", indicator_id) for indicator_id in indicator_ids])

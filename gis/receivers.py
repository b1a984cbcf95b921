"""Signal receivers: keep simplified boundaries in step with imports, and the values version fresh."""

from __future__ import annotations

from poc import cache_versions


def refresh_shapes_after_import(sender, orgunit_ids: list[int], **kwargs) -> None:
    from gis.services import shapes_refresh

    shapes_refresh(orgunit_ids=orgunit_ids)


def forget_values_version(sender, element_ids=(), **kwargs) -> None:
    cache_versions.forget("map-element", element_ids)


def forget_indicator_version(sender, indicator_ids=(), **kwargs) -> None:
    cache_versions.forget("map-indicator", indicator_ids)

"""Signal receivers: keep simplified boundaries in step with imports, and when each measure last changed."""

from __future__ import annotations

from poc import cache_versions


def refresh_shapes_after_import(sender, orgunit_ids: list[int], **kwargs) -> None:
    from gis.services import shapes_refresh

    shapes_refresh(orgunit_ids=orgunit_ids)


def forget_measure_changed_at(sender, element_ids=(), **kwargs) -> None:
    cache_versions.forget("map-element", element_ids)


def forget_indicator_version(sender, indicator_ids=(), **kwargs) -> None:
    cache_versions.forget("map-indicator", indicator_ids)

"""Signal receivers: keep simplified boundaries and map features in step with imports and edits, and when each measure
last changed."""

from __future__ import annotations

from poc import cache_versions


def refresh_shapes_after_import(sender, orgunit_ids: list[int], **kwargs) -> None:
    from gis.services import shapes_refresh

    shapes_refresh(orgunit_ids=orgunit_ids)


def refresh_heads_after_save(sender, instance, **kwargs) -> None:
    """A unit saved or deleted one by one (the admin): its map feature and its parent's (children) follow."""
    from gis.services import shape_heads_refresh

    shape_heads_refresh(orgunit_ids=[pk for pk in (instance.pk, instance.parent_id) if pk])


def forget_measure_changed_at(sender, element_ids=(), **kwargs) -> None:
    cache_versions.forget("map-element", element_ids)


def forget_indicator_version(sender, indicator_ids=(), **kwargs) -> None:
    cache_versions.forget("map-indicator", indicator_ids)

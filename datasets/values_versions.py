"""A version per dataset that changes with its values: caches of what is counted from a dataset's values (completeness)
key on it, so a write recounts its own dataset and leaves every other dataset's figures cached.

Every write of values announces itself with ``values_changed`` after commit (``datavalues_save``, the one write path;
the benchmark's bulk generator calls :func:`bump` itself), and :func:`on_values_changed` bumps the version of each
dataset whose elements were written.
"""

from __future__ import annotations

from collections.abc import Iterable

from poc import cache_versions

PREFIX = "dataset-values"


def name(dataset_id: int) -> str:
    return f"{PREFIX}:{dataset_id}"


def current(dataset_ids: Iterable[int]) -> dict[int, int]:
    """Each dataset's version, in one cache round trip."""
    dataset_ids = list(dataset_ids)
    found = cache_versions.current_many(name(pk) for pk in dataset_ids)
    return {pk: found[name(pk)] for pk in dataset_ids}


def bump(dataset_ids: Iterable[int]) -> None:
    cache_versions.bump_many(name(pk) for pk in set(dataset_ids))


def on_values_changed(sender, element_ids=(), dataset_ids=None, **kwargs) -> None:
    """``values_changed`` receiver: bump the datasets of the written elements (named by the sender, else looked up)."""
    if dataset_ids is None:
        from datasets.models import DataElement

        dataset_ids = DataElement.objects.filter(pk__in=list(element_ids)).values_list("dataset_id", flat=True).distinct()
    bump(dataset_ids)

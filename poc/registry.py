"""The one registry module: the places where apps contribute pieces to another app without that app
importing them (register in the contributing app's ``AppConfig.ready()``).

    VALUE_LOCKS   checks that lock entry cells (verification: a verified submission)
    ENTRY_HINTS   hints beside entry-grid cells (verification: expected ranges, outlier flags)
    NAVIGATION    main-menu items (``poc.navigation.NavItem``), one per URL name
    CRITERIA      self-assessment measures as (criterion code, function), via ``@poc.criteria.measures``
    FORM_STATUSES where each entry form stands (verification: submitted, verified), via ``datasets.formstate.register``
    HOME_PANELS   panels of the home page (``poc.home.HomePanel``: datasets shows what a clerk owes)

Permission rules have their own registry in ``poc.permissions`` (``RULES``) next to the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Contributions in registration order; registering the same one again (same ``key``) is a no-op,
    since ``ready()`` may run more than once (tests, management commands)."""

    def __init__(self, name: str, *, key: Callable[[T], Hashable] = lambda item: item) -> None:
        self.name = name
        self._key = key
        self._items: dict[Hashable, T] = {}

    def register(self, item: T) -> T:
        self._items.setdefault(self._key(item), item)
        return item

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return any(existing is item or existing == item for existing in self._items.values())

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)}>"


VALUE_LOCKS: Registry[Callable[..., set[tuple[int, int, int]]]] = Registry("value locks")
ENTRY_HINTS: Registry[Callable[..., dict]] = Registry("entry-grid hints")
NAVIGATION: Registry[Any] = Registry("navigation", key=lambda item: item.url_name)
CRITERIA: Registry[tuple[str, Callable[..., Any]]] = Registry("self-assessment measures", key=lambda pair: pair[0])
FORM_STATUSES: Registry[Callable[..., dict]] = Registry("entry-form statuses")
HOME_PANELS: Registry[Any] = Registry("home-page panels", key=lambda panel: panel.key)

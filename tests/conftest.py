"""Shared fixtures: a small hierarchy, two agencies and users by role. Every app's tests use these."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from poc.models import Agency, OrgUnit, OrgUnitLevel, User
from poc.services import user_create

TEST_PASSWORD = "correct-horse-battery-2568"


def square(x: float, y: float, size: float = 0.1) -> MultiPolygon:
    return MultiPolygon(Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=4326)


@pytest.fixture
def province(db) -> OrgUnit:
    """Province 99 → districts 9901, 9902 → subdistricts 990101, 990102, 990201, 990202 → one village each."""
    root = OrgUnit.objects.create(
        code="99", name_th="จังหวัดทดสอบ", name_en="Testland", level=OrgUnitLevel.PROVINCE, geom=square(100, 12, 0.4)
    )
    for d in (1, 2):
        district = OrgUnit.objects.create(
            code=f"990{d}",
            name_th=f"อำเภอทดสอบ {d}",
            name_en=f"District {d}",
            level=OrgUnitLevel.DISTRICT,
            parent=root,
            geom=square(100 + 0.2 * (d - 1), 12, 0.2),
        )
        for s in (1, 2):
            sub = OrgUnit.objects.create(
                code=f"990{d}0{s}",
                name_th=f"ตำบลทดสอบ {d}-{s}",
                name_en=f"Subdistrict {d}-{s}",
                level=OrgUnitLevel.SUBDISTRICT,
                parent=district,
                geom=square(100 + 0.2 * (d - 1) + 0.1 * (s - 1), 12, 0.1),
            )
            OrgUnit.objects.create(
                code=f"{sub.code}01", name_th="หมู่ที่ 1", level=OrgUnitLevel.VILLAGE, parent=sub, point=sub.geom.point_on_surface
            )
    return root


@pytest.fixture
def agency_a(province) -> Agency:
    return Agency.objects.create(code="AG-A", name_th="หน่วยงานเอ", name_en="Agency A", orgunit=province, letter_prefix="ทส 0001")


@pytest.fixture
def agency_b(province) -> Agency:
    return Agency.objects.create(code="AG-B", name_th="หน่วยงานบี", name_en="Agency B", orgunit=province, letter_prefix="ทส 0002")


@pytest.fixture
def it_agency(province) -> Agency:
    return Agency.objects.create(code="AG-IT", name_th="สำนักงานจังหวัด", name_en="Provincial Office", orgunit=province, is_provincial_it=True)


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(username: str, roles: list[str], agency: Agency | None = None, **fields) -> User:
        user, _password = user_create(
            username=username, agency=agency, roles=roles, password=TEST_PASSWORD, must_change_password=False, **fields
        )
        return user

    return make


@pytest.fixture
def entry_a(make_user, agency_a) -> User:
    return make_user("entry_a", ["data_entry"], agency_a)


@pytest.fixture
def entry_b(make_user, agency_b) -> User:
    return make_user("entry_b", ["data_entry"], agency_b)


@pytest.fixture
def verifier_a(make_user, agency_a) -> User:
    return make_user("verifier_a", ["verifier"], agency_a)


@pytest.fixture
def executive(make_user, it_agency) -> User:
    return make_user("governor", ["executive"], it_agency)


@pytest.fixture
def it_admin(make_user, it_agency) -> User:
    return make_user("itadmin", ["it_admin"], it_agency)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache is real Redis in CI: start every test from an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield


_CACHE_METHODS = ("get", "get_many", "get_or_set", "set", "set_many", "add", "incr", "decr", "delete", "delete_many", "has_key", "touch")


@pytest.fixture
def cache_calls(monkeypatch) -> list[tuple[str, list[str]]]:
    """The default cache's operations as (method, keys), one per call its callers make (a ``get_or_set`` is one,
    whatever it does inside): with Redis, a page's round trips to it; counted the same with the in-memory cache."""
    from django.core.cache import caches

    backend = caches["default"]
    calls: list[tuple[str, list[str]]] = []
    depth = [0]

    def counted(name, method):
        def call(*args, **kwargs):
            if depth[0] == 0:
                first = args[0] if args else next(iter(kwargs.values()), "")
                calls.append((name, list(first) if isinstance(first, list | tuple | dict | set) else [first]))
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in _CACHE_METHODS:
        monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))
    return calls


@pytest.fixture(autouse=True)
def _thai_first():
    """Every test starts in the default language (Thai): a request in English leaves the thread's language behind."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def en():
    """Run a test in English (messages are Thai by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def sex_area(db):
    """The SEX × AREA category combination with its four option combinations (tests/categories.py)."""
    from tests.categories import make_sex_area

    return make_sex_area()


@pytest.fixture
def second_connection(settings):
    """poc.parallel_reads on (the test settings turn it off), its connection closed after the test: an open one would
    keep the test database from being dropped."""
    from poc import parallel_reads

    settings.POC_PARALLEL_READS = True
    yield
    parallel_reads.shutdown()

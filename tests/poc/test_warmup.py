"""The warm-up gunicorn runs in its master before forking workers (gunicorn.conf.py, poc/warmup.py)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template import engines
from django.urls import get_resolver

from poc import warmup

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)  # no test transaction: close() really closes
def test_warm_up_loads_what_a_first_request_would_and_hands_no_connection_down() -> None:
    connection.ensure_connection()
    timings = warmup.warm_up()
    assert list(timings) == ["urls", "templates", "translations", "request imports", "geo", "static", "content types", "url patterns"]
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()  # SQLite's test database is never closed
    assert connection.connection is None or in_memory  # closed: a forked worker must open its own
    # Every namespace resolves without importing anything more, and the wall's template is compiled in the cached loader.
    assert {"cockpit", "gis", "datasets"} <= set(get_resolver().namespace_dict)
    loader = engines["django"].engine.template_loaders[0]
    assert "cockpit/tiles.html" in {key.split(":")[0] for key in loader.get_template_cache}


def test_a_failing_step_is_logged_not_fatal(monkeypatch, caplog) -> None:
    def broken() -> None:
        raise RuntimeError("no GDAL here")

    monkeypatch.setattr(warmup, "STEPS", {"geo": broken, "translations": warmup._translations})
    assert set(warmup.warm_up()) == {"geo", "translations"}
    assert "warm-up step geo failed" in caplog.text


def test_deployed_config_preloads_and_warms_before_listening(monkeypatch) -> None:
    monkeypatch.setenv("POC_DB_CONN_MAX_AGE", "60")  # restored after the test
    monkeypatch.delenv("POC_DB_CONN_MAX_AGE")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert os.environ["POC_DB_CONN_MAX_AGE"] == "none"  # a worker keeps the backend it warmed
    assert config["preload_app"] is True and config["wsgi_app"] == "poc.wsgi:application"
    assert config["workers"] == 4 and config["max_requests"] == 2000
    assert {"on_starting", "pre_fork", "post_fork"} <= set(config)
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "gunicorn -c gunicorn.conf.py" in compose


@pytest.mark.django_db
def test_after_the_warm_up_a_request_builds_no_resolver_regex_or_content_type_lookup(monkeypatch, django_assert_num_queries) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.middleware import gzip
    from django.urls import reverse
    from django.urls.resolvers import URLResolver
    from django.utils.functional import empty
    from guardian import shortcuts

    from poc.models import Agency

    warmup.warm_up()

    def populate(self) -> None:
        raise AssertionError("a resolver populated during a request")

    monkeypatch.setattr(URLResolver, "_populate", populate)
    assert reverse("cockpit:tiles") and reverse("gis:choropleth") and reverse("home")  # namespaced resolvers ready
    assert gzip.re_accepts_gzip._wrapped is not empty  # Django's lazily compiled expressions compiled
    with django_assert_num_queries(0):  # content types cached, Django's and django-guardian's
        ContentType.objects.get_for_model(Agency)
        for codename, _label in Agency._meta.permissions:
            shortcuts._get_ct_cached("poc", codename)


@pytest.mark.django_db(transaction=True)  # a request outside any transaction, as in a worker
def test_warm_worker_opens_the_connections_serves_the_sign_in_page_and_only_reads() -> None:
    from django.contrib.sessions.models import Session
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from operations.models import PageView

    with CaptureQueriesContext(db) as ctx:
        timings = warmup.warm_worker()
    statements = [query["sql"] for query in ctx.captured_queries]
    assert not [sql for sql in statements if sql.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert (Session.objects.count(), PageView.objects.count()) == (0, 0)  # no session, no page view
    if db.vendor == "postgresql":
        assert list(timings) == ["connections", "database backend", "sign-in page (200 OK)"]
        sent = next(sql for sql in statements if sql.startswith("SELECT postgis_lib_version()")).split(";")  # one round trip
        assert 'EXPLAIN SELECT * FROM "poc_orgunit"' in sent and 'EXPLAIN SELECT * FROM "django_session"' in sent
        assert all(s == "SELECT postgis_lib_version()" or s.startswith("EXPLAIN SELECT * FROM ") for s in sent)
    else:  # SQLite: nothing to warm behind the connection
        assert list(timings) == ["connections", "sign-in page (200 OK)"]


def test_the_master_fixes_the_allocators_thresholds_for_the_workers(monkeypatch) -> None:
    """glibc's malloc with fixed mmap and trim thresholds (set in the master, inherited by each forked worker): big
    buffers stay in the heap, whether or not the process freed such sizes before."""
    calls = []

    class Libc:
        def mallopt(self, parameter: int, value: int) -> int:
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(warmup.ctypes, "CDLL", lambda name: Libc())
    assert warmup.tune_allocator() is True
    assert calls == [(warmup.M_MMAP_THRESHOLD, 32 * 2**20), (warmup.M_TRIM_THRESHOLD, 128 * 2**20)]
    monkeypatch.setattr(warmup.ctypes, "CDLL", lambda name: object())  # no mallopt (not glibc): nothing done
    assert warmup.tune_allocator() is False

    tuned = []
    monkeypatch.setattr(warmup, "tune_allocator", lambda: tuned.append("tuned") or True)
    monkeypatch.setenv("POC_DB_CONN_MAX_AGE", "60")  # the config sets it: restored after the test
    monkeypatch.delenv("POC_DB_CONN_MAX_AGE")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config["on_starting"](SimpleNamespace(cfg=SimpleNamespace(preload_app=False), log=None))  # even without preload
    assert tuned == ["tuned"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("allowed", [[".rayong.go.th"], ["*"], ["poc.rayong.go.th", "localhost"]])
def test_the_sign_in_page_is_asked_for_on_a_host_the_site_accepts(settings, allowed) -> None:
    settings.ALLOWED_HOSTS = allowed
    assert warmup._warm_request() == "200 OK"

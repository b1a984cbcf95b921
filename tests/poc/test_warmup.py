"""The warm-up gunicorn runs in its master before forking workers (gunicorn.conf.py, poc/warmup.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

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
    assert list(timings) == ["urls", "templates", "translations", "geo", "static"]
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


def test_deployed_config_preloads_and_warms_before_listening() -> None:
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True and config["wsgi_app"] == "poc.wsgi:application"
    assert config["workers"] == 4 and config["max_requests"] == 2000
    assert {"on_starting", "pre_fork", "post_fork"} <= set(config)
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "gunicorn -c gunicorn.conf.py" in compose

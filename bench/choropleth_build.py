"""The national choropleth's first build after the cache is emptied, in process (broken down) and through gunicorn.

    DATABASE_URL=postgis://…/poc_bench_national REDIS_URL=redis://…/15 python bench/choropleth_build.py [--rounds 7]

In process: the view (``choropleth_api`` as bench-admin, gzip) after the whole Redis database is flushed (sessions,
versions and bodies: a real flush), and the parts of ``choropleth_body`` timed on their own. Through gunicorn (4
workers, preloaded, ``bench/wsgi_probe.py``): the Redis database flushed before each request, which then builds the
body, on a worker that has served before (warm worker) or on a worker's first request (cold worker, what ``make bench``
reports as the national choropleth's cold max), gunicorn restarted each round; a cached answer on a warm worker beside
them. Medians in ms.

It flushes the Redis database of REDIS_URL: give it one of its own.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import gunicorn, session_cookie, setup
from _http import Browser


def _median(times: list[float]) -> str:
    return f"{statistics.median(times):7.1f} ms (n={len(times)}, min {min(times):.1f}, max {max(times):.1f})"


def selection_path() -> tuple[str, dict[str, str]]:
    from django.urls import reverse

    from benchdata.values import BENCH_DATASET
    from datasets.models import DataElement

    element = DataElement.objects.filter(dataset__code=BENCH_DATASET).order_by("order").first()
    query = {"element": element.code, "period": "FY2566", "level": "3"}
    return f"{reverse('gis:choropleth')}?{urlencode(query)}", query


def in_process(rounds: int) -> None:
    from django.core.cache import cache
    from django.test import RequestFactory

    from gis import selectors
    from gis.forms import MapQueryForm
    from gis.views import choropleth_api
    from poc.models import User

    path, query = selection_path()
    user = User.objects.get(username="bench-admin")
    factory = RequestFactory()

    def view() -> tuple[float, int]:
        request = factory.get(path, HTTP_ACCEPT_ENCODING="gzip")
        request.user = user
        started = time.perf_counter()
        response = choropleth_api(request)
        seconds = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return seconds * 1000, len(response.content)

    selection = MapQueryForm(query, user=user)
    assert selection.is_valid(), selection.errors
    selection = selection.selection()
    parts: dict[str, list[float]] = {}

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts.setdefault(name, []).append((time.perf_counter() - started) * 1000)

        return wrapper

    built, hit, size = [], [], 0
    for _ in range(rounds):
        cache.clear()
        ms, size = view()
        built.append(ms)
        hit.append(view()[0])
    originals = {name: getattr(selectors, name) for name in ("feature_heads", "measure_values")}
    try:
        for name, function in originals.items():
            setattr(selectors, name, timed(name, function))
        for _ in range(rounds):
            started = time.perf_counter()
            selectors.choropleth_body(selection)
            parts.setdefault("choropleth_body", []).append((time.perf_counter() - started) * 1000)
    finally:
        for name, function in originals.items():
            setattr(selectors, name, function)
    print(f"in process, {size / 2**20:.2f} MB gzip")
    print(f"  view after a flush (builds)   {_median(built)}")
    print(f"  view, cached                  {_median(hit)}")
    for name, times in parts.items():
        print(f"  {name:29} {_median(times)}")


def over_http(rounds: int, workers: int) -> None:
    from django.core.cache import cache

    path, _query = selection_path()
    cookie = session_cookie("bench-admin")  # in the database too (cached_db sessions): it outlives the flushes

    def flushed_get(browser: Browser) -> tuple[float, str]:
        cache.clear()
        answer = browser.get(path)
        assert answer.status == 200, answer.status
        return answer.seconds * 1000, answer.worker

    cold_worker, warm_worker, cached = [], [], []
    for _ in range(rounds):
        with gunicorn(workers=workers, probe=True) as base:
            browser = Browser(base, cookie)  # sync workers close each connection: requests land on any worker
            seen: set[str] = set()
            for _ in range(3 * workers):
                ms, worker = flushed_get(browser)
                (warm_worker if worker in seen else cold_worker).append(ms)
                seen.add(worker)
                answer = browser.get(path)
                if answer.worker in seen:
                    cached.append(answer.seconds * 1000)
                seen.add(answer.worker)
    print(f"through gunicorn ({workers} workers, gzip, client decodes)")
    print(f"  flushed, worker's first request {_median(cold_worker)}")
    print(f"  flushed, warm worker            {_median(warm_worker)}")
    print(f"  cached, warm worker             {_median(cached)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-process", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_national")
    from poc.models import User

    if not User.objects.filter(username="bench-admin").exists():  # as run_all.national() creates it
        User.objects.create_superuser("bench-admin", "bench@example.go.th", None, must_change_password=False)
    if not args.no_process:
        # As gunicorn.conf.py does in the master: the allocator's thresholds fixed, and what is loaded so far kept out
        # of the collector's walks, so a build costs here what it costs in a worker.
        from poc.warmup import tune_allocator

        tune_allocator()
        gc.collect()
        gc.freeze()
        in_process(args.rounds)
    if not args.no_http:
        over_http(args.rounds, args.workers)


if __name__ == "__main__":
    main()

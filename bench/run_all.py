"""`make bench`: every benchmark as users meet the system, one table, and JSON lines in bench/results.jsonl.

    BENCH_SCALE=small|national  DATABASE_URL=postgis://…/poc_bench_small  REDIS_URL=redis://…/15  python bench/run_all.py

How it measures (issue 20, point 1):
- pages through gunicorn (4 sync workers, as docker-compose deploys) over keep-alive HTTP with
  ``Accept-Encoding: gzip``, each signed in as the demo role that uses the page (governor, entry);
- while readers load the pages, a data-entry user saves a changed cell through the entry form every second,
  so the caches are invalidated as in life; the first request for a page after each write is reported apart;
- the verdicts come from 4 readers who each pause ~0.5 s between pages (``--think``; ~6–8 pages/s with the saves,
  several times a province's busiest hour); a second phase with readers that never pause saturates the 2 CPUs
  and prints throughput and latencies that are then mostly queueing (no verdict);
- the first request each gunicorn worker serves for a page (cold) is reported apart from warm requests
  (``bench/wsgi_probe.py`` names the worker), and percentiles need at least ``--samples`` (≥ 30) warm samples;
- the database is created fresh and bulk-loaded (seed_demo, generate_national) and never ANALYZEd here: the
  plans are those a database gets after a bulk load when autovacuum is off or has not run yet; the statistics
  state of the main tables is recorded with the run;
- Celery runs inline (CELERY_TASK_ALWAYS_EAGER=1): what a write triggers is inside its request, the worst case;
- the bench's cache database (REDIS_URL: give it one of its own) is emptied at the start and before the national cases,
  so cold requests are cold whatever an earlier run left.

Scales: ``small`` (default, ~10 min on a 2-core machine): the demo province (Rayong) for pages and writes,
import of 100,000 values then a corrected file of the same cells. ``national``: additionally 10M generated
values over Thailand's 74,250 villages (``generate_national``, ~11 min once per database; needs
POC_NATIONAL_REFERENCE_DIR) in a second database ``<name>_national``: national choropleth over HTTP,
completeness, one cell written at national scale, aggregate check and rebuild; import of 1,000,000 values.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import re
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import Browser, Sampler, form_fields
from results import Result, append_jsonl, percentile, print_table, run_identity, verdict

SCALES = {
    "small": {"import_values": 100_000, "national_values": 0},
    "national": {"import_values": 1_000_000, "national_values": 10_000_000},
}
WORKERS = 4  # docker-compose: gunicorn poc.wsgi -w 4 (sync workers)
PAGE_FIRST_BUDGET = 150 * 1024
PAGE_REPEAT_BUDGET = 50 * 1024


# --- database ------------------------------------------------------------------------------------
def fresh_database(url: str, *, recreate: bool) -> None:
    """Create the benchmark database (dropping it first when ``recreate``), so its statistics are a bulk load's."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if recreate:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def statistics_state() -> Result:
    """When the main tables were last analysed: the plans measured depend on it, so the run records it."""
    from django.db import connection

    tables = ["datasets_datavalue", "datasets_aggregatevalue", "poc_orgunit", "gis_orgunitshape"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, n_live_tup, last_analyze, last_autoanalyze, n_mod_since_analyze"
            " FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [tables],
        )
        state = {
            name: {"rows": rows, "last_analyze": a, "last_autoanalyze": aa, "modified_since_analyze": mod}
            for name, rows, a, aa, mod in cursor.fetchall()
        }
    analysed = sorted(name for name, s in state.items() if s["last_analyze"] or s["last_autoanalyze"])
    measured = f"autovacuum {autovacuum}; analysed: {', '.join(analysed) or 'none (as after a bulk load)'}"
    return Result(
        "database statistics during the run",
        "not ANALYZEd by the bench",
        measured,
        "printed",
        details={"autovacuum": autovacuum, "tables": state},
    )


def empty_cache() -> None:
    """Empty the bench's own cache database (REDIS_URL): the caches then start as a new deployment's do, not with what a
    previous run (same keys, same counters) left, and a "first" request is one. Sessions outlive it (cached_db)."""
    from django.core.cache import cache

    cache.clear()


# --- pages -----------------------------------------------------------------------------------------
def demo_pages(governor: Browser, entry: Browser) -> dict[str, tuple[str, str]]:
    """label -> (user, path) for the pages users meet, filled with the demo's data."""
    from django.db.models import Count
    from django.urls import reverse

    from datasets.models import Dataset, DataValue
    from poc.models import OrgUnit, OrgUnitLevel, User

    wall = governor.get(reverse("cockpit:tiles"))
    assert wall.status == 200, f"cockpit answered {wall.status}: is the governor signed in?"
    codes = sorted(set(re.findall(r"/cockpit/indicator/([^/\"]+)/", wall.body.decode(errors="replace"))))
    province = OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
    busiest = (
        DataValue.objects.filter(orgunit__level=OrgUnitLevel.SUBDISTRICT, orgunit__path__startswith=province.path)
        .values("element__code", "period__code")
        .annotate(n=Count("id"))
        .order_by("-n", "element__code")
        .first()
    )
    entry_user = User.objects.get(username="entry")
    enterable = Dataset.objects.restrict(entry_user, "change")
    candidates = (
        DataValue.objects.filter(element__dataset__in=enterable)
        .values("element__dataset__code", "period__code")
        .annotate(n=Count("id"))
        .order_by("-n", "element__dataset__code")[:20]
    )
    entry_path = ""
    for candidate in candidates:  # the fullest grid with no empty cell: a save of one cell is then accepted as is
        pick = {"dataset": candidate["element__dataset__code"], "period": candidate["period__code"]}
        path = f"{reverse('datasets:entry')}?{urlencode(pick)}"
        fields = dict(form_fields(entry.get(path).body, containing="v-"))
        cells = [name.removeprefix("v-") for name in fields if name.startswith("v-")]
        if cells and all(fields[f"v-{c}"].strip() or fields.get(f"na-{c}") for c in cells):
            entry_path = path
            break
    assert entry_path, "no complete entry grid for the entry user in the demo data"
    choropleth = {"element": busiest["element__code"], "period": busiest["period__code"], "parent": province.code, "level": 3}
    pages = {
        "home": ("governor", reverse("home")),
        "cockpit wall": ("governor", reverse("cockpit:tiles")),
        "drill-down": ("governor", reverse("cockpit:drilldown", args=[codes[0]])),
        "map": ("governor", reverse("gis:map")),
        "province choropleth": ("governor", f"{reverse('gis:choropleth')}?{urlencode(choropleth)}"),
        "entry grid (filled)": ("entry", entry_path),
    }
    broken_down = (
        DataValue.objects.filter(option_combo__isnull=False, orgunit__level=OrgUnitLevel.SUBDISTRICT)
        .filter(orgunit__path__startswith=province.path)
        .values("element__code", "element__category_combo", "period__code")
        .annotate(n=Count("id"))
        .order_by("-n", "element__code")
        .first()
    )
    if broken_down:  # issue 16: the choropleth of one option (e.g. female population) at the province's subdistricts
        from datasets.models import CategoryOption

        first = CategoryOption.objects.filter(category__combos=broken_down["element__category_combo"]).order_by("category__order", "-order")
        one = {**choropleth, "element": broken_down["element__code"], "period": broken_down["period__code"], "option": first[0].code}
        pages["choropleth of one option"] = ("governor", f"{reverse('gis:choropleth')}?{urlencode(one)}")
    return pages


def page_weights(base: str, cookies: dict[str, str], pages: dict[str, tuple[str, str]]) -> list[Result]:
    from page_weight import weigh

    rows = []
    for label, (user, path) in pages.items():
        if "choropleth" in label:
            continue
        page = weigh(base, path, cookies[user])
        first = page["html"] + sum(page["assets"].values())
        heaviest = max(page["assets"].items(), key=lambda item: item[1], default=("", 0))
        ok = first < PAGE_FIRST_BUDGET and page["html"] < PAGE_REPEAT_BUDGET
        rows.append(
            Result(
                f"page weight: {label} (first / repeat visit, gzip)",
                "< 150 KB / < 50 KB",
                f"{first / 1024:.0f} KB / {page['html'] / 1024:.0f} KB",
                "met" if ok else "NOT met",
                first / 1024,
                "KB",
                1,
                {
                    "path": path,
                    "user": user,
                    "files": len(page["assets"]),
                    "heaviest": [urlparse(heaviest[0]).path, heaviest[1]],
                    "on_demand": {urlparse(u).path: n for u, n in page["on_demand"].items()},
                    "uncached": page["uncached"],
                },
            )
        )
    return rows


class Writer:
    """A data-entry user changing one cell of the filled grid through the form, every ``every`` seconds.

    In a process of its own, as the user is on a machine of their own: reading the grid's form (~10 ms of Python per
    save) in the readers' process would hold their interpreter lock and be counted into the readers' latencies."""

    def __init__(self, base: str, cookie: str, path: str, sampler: Sampler, stop: threading.Event, every: float) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited database connection or thread
        self.sampler, self.stop = sampler, stop
        self._stop = context.Event()
        self._done = context.Value("i", 0)  # completed saves, read by the readers to mark the first request after one
        self._results = context.Queue()
        self._ready = context.Event()
        self._process = context.Process(
            target=_write_loop, args=(base, cookie, path, every, self._stop, self._ready, self._done, self._results), daemon=True
        )
        self._latencies: list[float] = []
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self._watch = threading.Thread(target=self._forward_stop, daemon=True)

    def start(self) -> None:
        """Start the writer's process and wait until it is ready to save: its interpreter's start-up is the bench's
        own work, not to be counted into the readers' first requests."""
        self._process.start()
        self._ready.wait(60)
        self._watch.start()

    def _forward_stop(self) -> None:
        self.stop.wait()
        self._stop.set()

    @property
    def writes(self) -> int:
        return self._done.value

    @property
    def latencies(self) -> list[float]:
        """The saves' latencies (seconds) reported so far."""
        with self._lock:
            while True:
                try:
                    kind, value = self._results.get_nowait()
                except queue.Empty:
                    break
                (self._latencies if kind == "saved" else self.failures).append(value)
            return list(self._latencies)

    def join(self, timeout: float) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        while self._process.is_alive() and time.monotonic() < deadline:
            self.latencies  # noqa: B018 - drained while it ends: a full queue would keep the process from exiting
            self._process.join(0.1)
        self.latencies  # noqa: B018 - and what it reported last
        self.sampler.writes = self.writes


def _write_loop(base: str, cookie: str, path: str, every: float, stop, ready, done, results) -> None:
    """The writer's process: GET the grid, POST one changed cell, report the save's latency (or why it failed)."""
    browser, step = Browser(base, cookie), 1
    ready.set()
    while not stop.wait(every):
        page = browser.get(path)
        fields = form_fields(page.body, containing="v-")
        cells = [i for i, (name, value) in enumerate(fields) if name.startswith("v-") and value.strip().lstrip("-").isdigit()]
        if page.status != 200 or not cells:
            results.put(("failed", f"grid answered {page.status} with {len(cells)} numeric cells"))
            continue
        name, value = fields[cells[0]]
        cell = name.removeprefix("v-")
        # Only the changed cell (with its as-read value for the conflict check): the view saves the cells posted, and
        # re-posting the whole demo grid would be refused for cells the demo leaves empty.
        posted = [(k, v) for k, v in fields if k == "csrfmiddlewaretoken" or k in (f"o-{cell}", f"na-{cell}")]
        posted.append((name, str(int(value) + step)))
        step = -step  # back and forth: the value stays valid
        answer = browser.request(
            "POST",
            path,
            urlencode(posted).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://" + browser.netloc + path},
        )
        if answer.status != 302:
            results.put(("failed", f"save answered {answer.status}: {answer.body[:200]!r}"))
            continue
        results.put(("saved", answer.seconds))
        with done.get_lock():
            done.value += 1


def under_load(
    base: str,
    cookies: dict[str, str],
    pages: dict[str, tuple[str, str]],
    *,
    samples: int,
    readers: int,
    max_seconds: float,
    think: float,
) -> tuple[Sampler, Writer, float]:
    """Readers cycle through the pages while the writer saves, until every page has ``samples`` warm samples (and
    the writer ``samples`` saves). Each reader pauses ``think`` seconds on average (0.5–1.5×) between pages, as a
    person reading a page does, and before its first: users arrive one by one, not in the same millisecond (at
    once, the first of five requests on a fresh 2-CPU server waited for the other four: 60–85 ms for pages of
    10–20). ``think=0`` saturates the server (queueing is then most of each latency)."""
    sampler, stop = Sampler(), threading.Event()
    writer = Writer(base, cookies["entry"], pages["entry grid (filled)"][1], sampler, stop, every=1.0)
    deadline = time.monotonic() + max_seconds

    def enough() -> bool:
        with sampler.lock:
            warm, after = sampler.warm, sampler.after_write
            pages_done = all(len(warm.get(label, [])) >= samples and len(after.get(label, [])) >= 5 for label in pages)
        return pages_done and len(writer.latencies) >= samples

    def reader(number: int) -> None:
        rng = random.Random(number)
        browsers = {user: Browser(base, cookie) for user, cookie in cookies.items()}
        order = list(pages)
        if think and stop.wait(think * rng.uniform(0.5, 1.5)):  # arrives after a pause, as between its pages
            return
        while not stop.is_set() and time.monotonic() < deadline:
            rng.shuffle(order)
            for label in order:
                user, path = pages[label]
                writes = writer.writes
                try:
                    answer = browsers[user].get(path)
                except OSError:
                    answer = None
                sampler.record(label, answer, writes_before=writes)
                if think and stop.wait(think * rng.uniform(0.5, 1.5)):
                    break
            if enough():
                stop.set()

    def progress() -> None:  # a long phase on a busy machine should not look hung
        while not stop.wait(30):
            with sampler.lock:
                counts = ", ".join(f"{label} {len(sampler.warm.get(label, []))}" for label in pages)
            print(f"  warm samples so far: {counts}; writes {writer.writes}", flush=True)

    started = time.monotonic()
    threading.Thread(target=progress, daemon=True).start()
    writer.start()
    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    writer.join(timeout=60)
    return sampler, writer, time.monotonic() - started


LATENCY_TARGETS = {  # label -> (target text, p95 limit in ms or None, applies to cold too)
    "cockpit wall": ("< 50 ms incl. first after a write", 50),
    "province choropleth": ("< 50 ms p95 incl. each worker's first", 50),
    "choropleth of one option": ("< 100 ms p95 (issue 16)", 100),
    "drill-down": ("< 150 ms p95", 150),
    "home": ("printed", None),
    "map": ("printed", None),
    "entry grid (filled)": ("printed", None),
}


def latency_results(sampler: Sampler, writer: Writer, seconds: float, readers: int, think: float) -> list[Result]:
    rows = []
    load = f"{readers} readers pausing ~{think:g} s, writes during load"
    for label, (target, limit) in LATENCY_TARGETS.items():
        warm = [s * 1000 for s in sampler.warm.get(label, [])]
        cold = [s * 1000 for s in sampler.cold.get(label, [])]
        after = [s * 1000 for s in sampler.after_write.get(label, [])]
        errors = sampler.errors.get(label, 0)
        if not warm:
            rows.append(Result(f"{label} under load", target, f"no successful samples ({errors} errors)", "ERROR"))
            continue
        p50, p95 = percentile(warm, 0.5), percentile(warm, 0.95)
        worst = max([p95, *cold, *after])  # the target holds for cold and after-write requests too
        measured = (
            f"warm p50 {p50:.0f} / p95 {p95:.0f} ms (n={len(warm)}); cold max {max(cold, default=0):.0f} ms (n={len(cold)}); "
            f"after write p50 {statistics.median(after) if after else 0:.0f} ms (n={len(after)})"
        )
        if errors:
            measured += f"; {errors} errors"
        verdict_text = "NOT met" if errors else (verdict(worst, below=limit) if limit else "printed")
        rows.append(
            Result(
                f"{label} (HTTP gzip, {WORKERS} workers, {load})",
                target,
                measured,
                verdict_text,
                worst if limit else p95,
                "ms",
                len(warm),
                {
                    "warm_ms": sorted(warm),
                    "cold_ms": cold,
                    "after_write_ms": after,
                    "errors": errors,
                    "wire_bytes": sampler.wire_bytes.get(label),
                    "readers": readers,
                    "think_seconds": think,
                    "seconds": seconds,
                    "writes": sampler.writes,
                },
            )
        )
    writes = [s * 1000 for s in writer.latencies]
    if writes:
        rows.append(
            Result(
                f"one cell saved through the entry form (POST, all it triggers inline; {load})",
                "< 100 ms",
                f"p50 {percentile(writes, 0.5):.0f} / p95 {percentile(writes, 0.95):.0f} ms (n={len(writes)})",
                verdict(percentile(writes, 0.95), below=100),
                percentile(writes, 0.95),
                "ms",
                len(writes),
                {"write_ms": writes, "failures": writer.failures[:5], "think_seconds": think},
            )
        )
    else:
        rows.append(Result("one cell saved through the entry form", "< 100 ms", f"no write succeeded: {writer.failures[:1]}", "ERROR"))
    return rows


def saturation_results(sampler: Sampler, writer: Writer, seconds: float, readers: int) -> list[Result]:
    """The same pages with readers that never pause: throughput, and latencies that are mostly queueing (printed)."""
    served = sum(len(kind.get(label, [])) for kind in (sampler.warm, sampler.cold, sampler.after_write) for label in LATENCY_TARGETS)
    medians = {label: percentile([s * 1000 for s in sampler.warm[label]], 0.5) for label in LATENCY_TARGETS if sampler.warm.get(label)}
    writes = [s * 1000 for s in writer.latencies]
    measured = f"{served / seconds:.1f} pages/s; p50 " + ", ".join(f"{label} {ms:.0f}" for label, ms in medians.items()) + " ms"
    if writes:
        measured += f"; save p50 {percentile(writes, 0.5):.0f} / p95 {percentile(writes, 0.95):.0f} ms"
    return [
        Result(
            f"saturation: {readers} readers without pause + a save every second, {WORKERS} workers on {os.cpu_count()} CPUs",
            "printed",
            measured,
            "printed",
            served / seconds,
            "pages/s",
            served,
            {"p50_ms": medians, "write_ms": writes, "errors": sampler.errors, "seconds": seconds},
        )
    ]


# --- national ------------------------------------------------------------------------------------
def national(url: str, values: int, samples: int) -> list[Result]:
    """The national cases on their own database (the country's hierarchy instead of the demo province)."""
    from django.db import connections

    connections.close_all()
    os.environ["DATABASE_URL"] = url
    connections.databases["default"].update(_database_settings(url))
    fresh_database(url, recreate=False)  # generate_national takes ~11 min: kept between runs, statistics recorded
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from _common import ensure_national, session_cookie

    from benchdata.values import BENCH_DATASET
    from datasets.aggregates import aggregates_rebuild, aggregates_recompute
    from datasets.models import DataElement, DataValue, ValueSource
    from datasets.services import CellInput, datavalues_save
    from poc.models import OrgUnit, OrgUnitLevel, Period, User

    count = ensure_national(values)
    empty_cache()  # the first request then builds the map and counts, whatever an earlier run left
    rows = [statistics_state()]
    rows[0].measure += " (national)"
    if not User.objects.filter(username="bench-admin").exists():
        User.objects.create_superuser("bench-admin", "bench@example.go.th", None, must_change_password=False)
    element = DataElement.objects.filter(dataset__code=BENCH_DATASET).order_by("order").first()
    from _common import gunicorn
    from django.urls import reverse

    cookie = session_cookie("bench-admin")
    cases = {
        "national choropleth (7,425 subdistricts)": (
            f"{reverse('gis:choropleth')}?{urlencode({'element': element.code, 'period': 'FY2566', 'level': 3})}",
            200,
        ),
        "completeness at national scale": (f"{reverse('datasets:completeness_json')}?{urlencode({'fy': 2566})}", 200),
    }
    with gunicorn(workers=WORKERS, probe=True) as base:
        for label, (path, limit) in cases.items():
            sampler = Sampler()
            browsers = [Browser(base, cookie) for _ in range(2)]
            while len(sampler.warm.get(label, [])) < samples and sampler.errors.get(label, 0) < 3:
                for browser in browsers:
                    sampler.record(label, browser.get(path), writes_before=0)
            warm = [s * 1000 for s in sampler.warm.get(label, [])]
            cold = [s * 1000 for s in sampler.cold.get(label, [])]
            if not warm:
                rows.append(Result(label, f"< {limit} ms", "errors only", "ERROR"))
                continue
            p50, p95 = percentile(warm, 0.5), percentile(warm, 0.95)
            rows.append(
                Result(
                    f"{label} (HTTP gzip)",
                    f"< {limit} ms",
                    f"warm p50 {p50:.0f} / p95 {p95:.0f} ms (n={len(warm)}); cold max "
                    f"{max(cold, default=0):.0f} ms; {sampler.wire_bytes[label] / 2**20:.1f} MB on the wire",
                    verdict(max([p95, *cold]), below=limit),
                    max([p95, *cold]),
                    "ms",
                    len(warm),
                    {"warm_ms": warm, "cold_ms": cold, "wire_bytes": sampler.wire_bytes[label]},
                )
            )
    value = DataValue.objects.filter(element=element).select_related("element__dataset", "orgunit", "period").first()
    writes = []
    for number in range(samples):
        cell = CellInput(
            element=value.element,
            orgunit=value.orgunit,
            period=Period.objects.get(pk=value.period_id),
            raw=(value.value_num or 0) + 1 + number % 2,
        )
        started = time.perf_counter()
        result = datavalues_save(cells=[cell], user=None, source=ValueSource.ADMIN, check_permissions=False)
        writes.append((time.perf_counter() - started) * 1000)
        assert result.ok, result.errors
    rows.append(
        Result(
            f"one cell written at national scale ({OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).count():,} villages; "
            "service, Celery inline)",
            "< 100 ms",
            f"p50 {percentile(writes, 0.5):.0f} / p95 {percentile(writes, 0.95):.0f} ms (n={len(writes)})",
            verdict(percentile(writes, 0.95), below=100),
            percentile(writes, 0.95),
            "ms",
            len(writes),
            {"write_ms": writes},
        )
    )
    started = time.perf_counter()
    report = aggregates_recompute()
    check = time.perf_counter() - started
    started = time.perf_counter()
    rebuilt = aggregates_rebuild()
    rebuild = time.perf_counter() - started
    rows.append(
        Result(
            f"aggregate rebuild / check over {count:,} values",
            "printed; halve 178.5 s / 63.1 s",
            f"{rebuild:.1f} s / {check:.1f} s",
            verdict(rebuild, below=178.5 / 2) if count >= 10_000_000 else "printed",
            rebuild,
            "s",
            1,
            {"check_seconds": check, "rebuild_rows": rebuilt, "checked": report.checked, "differences": len(report.differences)},
        )
    )
    return rows


def _database_settings(url: str) -> dict:
    import dj_database_url

    return dj_database_url.parse(url)


# --- main ------------------------------------------------------------------------------------------
def guarded(name: str, step: Callable[[], list[Result]]) -> list[Result]:
    """One failing benchmark becomes an ERROR row instead of losing the others' figures."""
    started = time.perf_counter()
    print(f"· {name} ...", flush=True)
    try:
        rows = step()
    except Exception as error:  # reported in the table and the JSON
        traceback.print_exc()
        rows = [Result(name, "", f"{type(error).__name__}: {error}"[:160], "ERROR")]
    print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "small"), choices=sorted(SCALES))
    parser.add_argument("--samples", type=int, default=30, help="warm samples per page at least (percentiles need ≥ 30)")
    parser.add_argument("--readers", type=int, default=4, help="concurrent reading users during the load phase")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause of a reader between pages, seconds (0: saturate)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database instead of creating it fresh")
    parser.add_argument("--skip-import", action="store_true", help="pages, load and national only (the import takes minutes)")
    args = parser.parse_args()
    if args.samples < 30:
        parser.error("at least 30 samples per percentile")
    scale = SCALES[args.scale]
    url = os.environ.setdefault("DATABASE_URL", f"postgis://postgres@127.0.0.1:5432/poc_bench_{args.scale}")
    if not url.startswith("post"):
        sys.exit("make bench runs on PostGIS (DATABASE_URL=postgis://…): the figures are compared with production")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    name = urlparse(url).path.lstrip("/")
    recreate = not args.reuse and name.startswith("poc_bench")
    started = time.time()
    print(
        f"make bench: scale {args.scale}, database {name} ({'created fresh' if recreate else 'reused'}), "
        f"redis {os.environ.get('REDIS_URL') or 'none (per-process cache)'}",
        flush=True,
    )
    fresh_database(url, recreate=recreate)
    from _common import gunicorn, seed_demo_once, session_cookie, setup

    setup(url)
    empty_cache()
    rows: list[Result] = []

    def pages_and_load() -> list[Result]:
        seed_demo_once()
        cookies = {user: session_cookie(user) for user in ("governor", "entry")}
        found: list[Result] = []
        with gunicorn(workers=WORKERS, probe=True) as base:
            pages = demo_pages(Browser(base, cookies["governor"]), Browser(base, cookies["entry"]))
            found += page_weights(base, cookies, pages)
        with gunicorn(workers=WORKERS, probe=True) as base:  # fresh workers: their first requests are the cold ones
            sampler, writer, seconds = under_load(
                base, cookies, pages, samples=args.samples, readers=args.readers, max_seconds=420, think=args.think
            )
            found += latency_results(sampler, writer, seconds, args.readers, args.think)
            saturated = under_load(base, cookies, pages, samples=args.samples, readers=args.readers, max_seconds=300, think=0)
            found += saturation_results(*saturated, args.readers)
        return [statistics_state(), *found]

    rows += guarded("pages and load (demo province)", pages_and_load)
    from import_values import run as import_run

    if not args.skip_import:
        rows += guarded("import", lambda: import_run(scale["import_values"]))
        rows += guarded("import (disaggregated)", lambda: import_run(scale["import_values"], disaggregated=True))
    if scale["national_values"]:
        national_url = url.rsplit("/", 1)[0] + f"/{name}_national"
        rows += guarded("national scale", lambda: national(national_url, scale["national_values"], args.samples))
    print(
        f"\nmake bench — scale {args.scale}, {time.time() - started:.0f} s, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print_table(rows)
    append_jsonl(rows, run=run_identity(args.scale))
    print(f"appended {len(rows)} lines to bench/results.jsonl")


if __name__ == "__main__":
    main()

"""Load test: 50 concurrent executives on the cockpit and drill-down pages (target p95 < 150 ms).

Run (the database is created, migrated and seeded with the demo province if missing):

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/poc_bench_pages REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/cockpit_load.py [--users 50] [--seconds 60] [--think 1-5] [--saturate 20]

Production settings under gunicorn on 127.0.0.1 (hashed static files, DEBUG off). Each simulated user is a
thread with its own signed-in session (governor or deputy) and its own keep-alive connection, like a browser
tab. It walks the cockpit the way an executive does: the tile wall, a tile's drill-down by district, one
district's drill-down, back to the wall; between pages it reads for a think time drawn uniformly from
``--think`` seconds (Locust's documented ``between(1, 5)``). After warming every page once it measures for
``--seconds``. Then, with ``--saturate S``, the same users fire back-to-back for S seconds with no think time
(~50 requests always in flight, many times the load of 50 people): that phase measures capacity, not the target.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import random
import re
import statistics
import threading
import time
from urllib.parse import urlparse

from _common import gunicorn, seed_demo_once, session_cookie, setup

EXECUTIVES = ("governor", "deputy")


class Browser:
    """One user's keep-alive connection with its session cookie; reconnects when the server closed it."""

    def __init__(self, base: str, cookie: str) -> None:
        self.netloc = urlparse(base).netloc
        self.headers = {"Cookie": cookie, "Accept-Encoding": "gzip", "Accept-Language": "th"}
        self.connection = http.client.HTTPConnection(self.netloc, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
                if response.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)  # as a browser does; timed with the request
                return response.status, body
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.netloc, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def journeys(browser: Browser) -> tuple[list[str], dict[str, list[str]]]:
    """The wall's drill-down links and, per indicator, its district links, read from the pages themselves."""
    status, wall = browser.get("/cockpit/")
    assert status == 200, f"cockpit answered {status}"
    codes = sorted(set(re.findall(r"/cockpit/indicator/(IND\d+)/", wall.decode(errors="replace"))))
    assert codes, "no indicator tiles on the cockpit: seed the demo first"
    districts = {}
    for code in codes:
        page = browser.get(f"/cockpit/indicator/{code}/")[1].decode(errors="replace")
        districts[code] = sorted(set(re.findall(r'orgunit=(\d{4})"', page)))
    return codes, districts


def run_phase(
    base: str, cookies: list[str], codes: list[str], districts: dict[str, list[str]], seconds: float, think: tuple[float, float]
) -> tuple[list[tuple[str, float]], int]:
    samples: list[tuple[str, float]] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(number: int) -> None:
        rng = random.Random(number)
        browser = Browser(base, cookies[number])
        time.sleep(rng.uniform(*think))  # users arrive spread out, as people do
        while time.monotonic() < deadline:
            code = rng.choice(codes)
            unit = rng.choice(districts[code] or [""])
            pages = [("wall", "/cockpit/"), ("indicator", f"/cockpit/indicator/{code}/")]
            if unit:
                pages.append(("district", f"/cockpit/indicator/{code}/?orgunit={unit}"))
            for label, path in pages:
                if time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    status, _body = browser.get(path)
                    ok = status == 200
                except (http.client.HTTPException, OSError):
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    if ok:
                        samples.append((label, elapsed))
                    else:
                        errors[0] += 1
                time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(len(cookies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, errors[0]


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def report(title: str, samples: list[tuple[str, float]], errors: int, seconds: float) -> float:
    latencies = sorted(s[1] for s in samples)
    p95 = pct(latencies, 0.95)
    print(f"{title}: {len(samples)} requests, {len(samples) / seconds:.1f} req/s, {errors} errors")
    print(f"  p50 {pct(latencies, 0.5):.0f} ms · p95 {p95:.0f} ms · p99 {pct(latencies, 0.99):.0f} ms · max {latencies[-1] * 1000:.0f} ms")
    for label in ("wall", "indicator", "district"):
        mine = sorted(s[1] for s in samples if s[0] == label)
        if mine:
            print(f"  {label:<10} {len(mine):>6} requests, median {statistics.median(mine) * 1000:.0f} ms, p95 {pct(mine, 0.95):.0f} ms")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", default="1-5", help="think time between pages, seconds: MIN-MAX")
    parser.add_argument("--saturate", type=float, default=20, help="seconds of back-to-back requests afterwards (0: skip)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers, as deployed)")
    args = parser.parse_args()
    low, _dash, high = args.think.partition("-")
    think = (float(low), float(high or low))
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_pages")
    seed_demo_once()
    cookies = [session_cookie(EXECUTIVES[n % len(EXECUTIVES)]) for n in range(args.users)]

    with gunicorn(workers=args.workers, threads=args.threads) as base:
        codes, districts = journeys(Browser(base, cookies[0]))
        for browser in (Browser(base, cookie) for cookie in cookies[: len(EXECUTIVES)]):  # warm every page once
            for code in codes:
                for unit in districts[code]:
                    browser.get(f"/cockpit/indicator/{code}/?orgunit={unit}")
        pages = 1 + len(codes) + sum(len(units) for units in districts.values())
        print(f"{args.users} executives, gunicorn {args.workers} workers × {args.threads} threads, {pages} distinct pages")

        samples, errors = run_phase(base, cookies, codes, districts, args.seconds, think)
        p95 = report(f"users with {think[0]:g}–{think[1]:g} s think time, {args.seconds:g} s", samples, errors, args.seconds)
        print(f"  target p95 < 150 ms: {'met' if p95 < 150 else 'NOT met'}")
        if args.saturate:
            samples, errors = run_phase(base, cookies, codes, districts, args.saturate, (0.0, 0.0))
            report(f"saturation: the same {args.users} users with no think time, {args.saturate:g} s", samples, errors, args.saturate)


if __name__ == "__main__":
    main()

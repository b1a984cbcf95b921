"""Load: concurrent users mixing home, cockpit, map and data-entry pages on gunicorn over loopback.

Run (the database is created, migrated and seeded with the demo province if missing):

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/poc_bench_pages .venv/bin/python bench/load.py [--duration 300] [--users 50]

Each user is a thread with its own signed-in session that requests a random page of the mix, then
waits 0–1 s (think time), until the duration is over. Only 127.0.0.1 is ever contacted. Prints
p50/p95/max latency, throughput and the error count (any non-200 answer or failed connection).
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from _common import gunicorn, page_paths, seed_demo_once, session_cookie, setup

PAGE_USERS = {"home": "governor", "cockpit": "governor", "map": "governor", "data entry": "entry"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers, as deployed)")
    args = parser.parse_args()
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_pages")
    seed_demo_once()
    pages = page_paths()
    skipped = [label for label in ("data entry", "cockpit", "map") if label not in pages]
    cookies = {(user, n): session_cookie(user) for user in set(PAGE_USERS.values()) for n in range(args.users)}
    samples: list[tuple[str, float, bool]] = []
    lock = threading.Lock()

    with gunicorn(workers=args.workers, threads=args.threads) as base:
        deadline = time.time() + args.duration

        def user(number: int) -> None:
            rng = random.Random(number)
            while time.time() < deadline:
                label = rng.choice(list(pages))
                cookie = cookies[(PAGE_USERS[label], number)]
                request = urllib.request.Request(base + pages[label], headers={"Accept-Encoding": "gzip", "Cookie": cookie})
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        response.read()
                        ok = response.status == 200 and response.geturl() == base + pages[label]
                except (urllib.error.URLError, OSError):
                    ok = False
                with lock:
                    samples.append((label, time.perf_counter() - started, ok))
                time.sleep(rng.uniform(0, 1))

        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        started = time.time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - started

    latencies = sorted(s[1] for s in samples)
    errors = sum(1 for s in samples if not s[2])

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    print(f"{args.users} users, {elapsed:.0f} s, gunicorn {args.workers} workers × {args.threads} threads, pages: {', '.join(pages)}")
    print(f"requests {len(samples)}, throughput {len(samples) / elapsed:.1f} req/s, errors {errors}")
    print(f"latency p50 {pct(latencies, 0.5):.0f} ms, p95 {pct(latencies, 0.95):.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    for label, count in sorted(Counter(s[0] for s in samples).items()):
        mine = sorted(s[1] for s in samples if s[0] == label)
        print(f"  {label:<11} {count:>6} requests, median {statistics.median(mine) * 1000:.0f} ms, p95 {pct(mine, 0.95):.0f} ms")
    for label in skipped:
        print(f"{label}: SKIPPED — its app has not landed on this checkout")


if __name__ == "__main__":
    main()

"""Each gunicorn worker's first request on every page against its second, with and without the warmed preload.

    DATABASE_URL=postgis://…/poc_bench REDIS_URL=redis://…/15 python bench/first_requests.py [--workers 4] [--rounds 1]

Starts gunicorn as deployed (``gunicorn.conf.py``: the app loaded and warmed in the master before the workers fork)
and bare (each worker loads the app on its own, as before), in turn; asks each page as the governor from as many
concurrent connections as there are workers until every worker has answered it twice, and prints per page the
worker's first request against its second (ms, over HTTP with gzip). Seeds the demo province when needed.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from _common import gunicorn, seed_demo_once, session_cookie, setup
from _http import Browser


def pages() -> dict[str, str]:
    from django.urls import reverse

    from indicators.models import Indicator

    found = {"home": reverse("home"), "cockpit wall": reverse("cockpit:tiles"), "map": reverse("gis:map")}
    first = Indicator.objects.filter(is_active=True).order_by("order", "code").first()
    if first is not None:
        found["drill-down"] = reverse("cockpit:drilldown", args=[first.code])
    return found


def _first_two(base: str, cookie: str, path: str, workers: int) -> dict[str, list[float]]:
    """worker -> its first two answers to ``path`` (ms), from ``workers`` concurrent clients on fresh connections."""
    seen: dict[str, list[float]] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + 120

    def ask() -> None:
        browser = Browser(base, cookie)
        while time.monotonic() < deadline:
            with lock:
                if len(seen) >= workers and all(len(times) >= 2 for times in seen.values()):
                    return
            answer = browser.get(path)
            assert answer.status == 200, f"{path} answered {answer.status}"
            with lock:
                seen.setdefault(answer.worker, []).append(answer.seconds * 1000)
            browser.connection.close()  # a new connection: the kernel may hand it to another worker

    threads = [threading.Thread(target=ask) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seen


def measure(base: str, cookie: str, paths: dict[str, str], workers: int) -> dict[str, tuple[list[float], list[float]]]:
    """page -> (first request of each worker, second request of each worker), in ms."""
    result = {}
    for label, path in paths.items():
        seen = _first_two(base, cookie, path, workers)
        result[label] = ([t[0] for t in seen.values()], [t[1] for t in seen.values() if len(t) > 1])
    return result


def _summary(times: list[float]) -> str:
    return f"max {max(times):6.0f}  median {statistics.median(times):6.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="servers started per mode (alternating)")
    args = parser.parse_args()
    setup("postgis://postgres@127.0.0.1:5432/poc_bench")
    seed_demo_once()
    cookie = session_cookie("governor")
    paths = pages()
    rows: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for _round in range(args.rounds):
        for mode, preload in (("bare", False), ("preloaded", True)):
            with gunicorn(workers=args.workers, probe=True, preload=preload) as base:
                for label, (first, second) in measure(base, cookie, paths, args.workers).items():
                    old = rows.setdefault((mode, label), ([], []))
                    old[0].extend(first)
                    old[1].extend(second)
    print(f"{'server':10} {'page':14} {'first per worker (ms)':>32} {'second per worker (ms)':>32}")
    for (mode, label), (first, second) in rows.items():
        print(f"{mode:10} {label:14} {_summary(first):>32} {_summary(second):>32}")


if __name__ == "__main__":
    main()

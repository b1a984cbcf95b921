"""Load test: 50 concurrent signed-in users on the cockpit and drill-down pages (target p95 < 150 ms).

Run against a seeded database (``manage.py seed_demo``), e.g.:
    DATABASE_URL=postgis://... REDIS_URL=redis://... .venv/bin/python bench/cockpit_load.py --seconds 40
Starts gunicorn on 127.0.0.1, logs every simulated user in as ``governor`` and prints p50/p95.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def opener_for(base: str, username: str, password: str, jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"})
    opener.open(request).read()
    return opener


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "POC_HTTPS": "0", "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "bench.cockpit_settings", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "gunicorn", "poc.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers)]
    server = subprocess.Popen(
        [*command, "--threads", "4", "-k", "gthread"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/").read()
                break
            except OSError:
                time.sleep(0.2)
        password = os.environ.get("POC_DEMO_PASSWORD", "poc-demo-2568")
        jar = http.cookiejar.CookieJar()
        first = opener_for(base, "governor", password, jar)
        # One session shared by every simulated user: the benchmark times pages, not password hashing.
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        codes = sorted(set(re.findall(r"/cockpit/indicator/(IND\d+)/", first.open(f"{base}/cockpit/").read().decode())))
        districts = sorted(set(re.findall(r'orgunit=(\d{4})"', first.open(f"{base}/cockpit/indicator/{codes[0]}/").read().decode())))
        urls = (
            ["/cockpit/"]
            + [f"/cockpit/indicator/{c}/" for c in codes]
            + [f"/cockpit/indicator/{c}/?orgunit={d}" for c in codes[:5] for d in districts]
        )
        timings: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def user(number: int) -> None:
            i = number
            while time.monotonic() < stop:
                url = urls[i % len(urls)]
                i += 7
                start = time.perf_counter()
                try:
                    urllib.request.urlopen(urllib.request.Request(base + url, headers={"Cookie": cookie})).read()
                except OSError:
                    with lock:
                        errors[0] += 1
                    continue
                with lock:
                    timings.append((time.perf_counter() - start) * 1000)

        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{len(timings)} requests in {args.seconds}s by {args.users} users ({len(urls)} distinct pages), {errors[0]} errors")
        print(f"throughput {len(timings) / args.seconds:.0f} req/s · p50 {p50:.0f} ms · p95 {p95:.0f} ms · max {timings[-1]:.0f} ms")
        print("target p95 < 150 ms:", "met" if p95 < 150 else "NOT met")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

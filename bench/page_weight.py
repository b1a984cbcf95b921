"""Page weight on slow links: bytes transferred for home, data entry and cockpit, first and repeat visit.

Run (the database is created, migrated and seeded with the demo province if missing):

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/poc_bench_pages .venv/bin/python bench/page_weight.py

The app runs under gunicorn on 127.0.0.1 after collectstatic with the production storage (hashed,
precompressed names), DEBUG off, POC_HTTPS=0. First visit: the HTML plus every CSS/JS/font/image it
references (recursively through CSS url()), as served with ``Accept-Encoding: gzip``. Repeat visit:
the HTML only, since static files carry hashed names and a far-future Cache-Control. Bytes are
response bodies as transferred (headers not counted). Budget: < 300 KB first, < 50 KB repeat.
"""

from __future__ import annotations

import re
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from _common import gunicorn, page_paths, seed_demo_once, session_cookie, setup

FIRST_BUDGET = 300 * 1024
REPEAT_BUDGET = 50 * 1024
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
PAGE_USERS = {"home": "governor", "cockpit": "governor", "map": "governor", "data entry": "entry"}


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("href") and {"stylesheet", "icon", "preload"} & set((attributes.get("rel") or "").split()):
            self.urls.append(attributes["href"])
        elif tag in ("script", "img") and attributes.get("src"):
            self.urls.append(attributes["src"])


def fetch(url: str, cookie: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "Cookie": cookie})
    with urllib.request.urlopen(request) as response:  # urllib does not decompress: len(body) is what crossed the wire
        if response.geturl() != url:
            raise RuntimeError(f"{url} redirected to {response.geturl()}: the benchmark session is not signed in")
        return response.status, response.read(), dict(response.headers)


def decoded(body: bytes, headers: dict[str, str]) -> str:
    import gzip

    return (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body).decode("utf-8", "replace")


def weigh(base: str, path: str, cookie: str) -> dict:
    status, html_body, headers = fetch(base + path, cookie)
    page = {"html": len(html_body), "assets": {}, "uncached": [], "on_demand": {}}
    parser = Assets()
    text = decoded(html_body, headers)
    parser.feed(text)
    # Scripts a page's own code loads later, when needed (the map's plotly): weighed, reported apart.
    referenced = {urljoin(base + path, u) for u in parser.urls}
    for url in {urljoin(base + path, u) for u in re.findall(r'"(/static/[^"]+\.js)"', text)} - referenced:
        page["on_demand"][url] = len(fetch(url, cookie)[1])
    queue = [urljoin(base + path, u) for u in parser.urls]
    while queue:
        url = queue.pop(0)
        if url in page["assets"] or urlparse(url).netloc != urlparse(base).netloc:
            continue
        _status, body, asset_headers = fetch(url, cookie)
        page["assets"][url] = len(body)
        if "immutable" not in asset_headers.get("Cache-Control", "") and "max-age=315360000" not in asset_headers.get("Cache-Control", ""):
            page["uncached"].append(url)
        if url.split("?")[0].endswith(".css"):
            queue += [urljoin(url, u) for u in CSS_URL.findall(decoded(body, asset_headers)) if not u.startswith("data:")]
    page["status"] = status
    return page


def main() -> None:
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_pages")
    seed_demo_once()
    pages = page_paths()
    missing = [label for label in ("data entry", "cockpit", "map") if label not in pages]
    cookies = {user: session_cookie(user) for user in set(PAGE_USERS.values())}
    rows = []
    with gunicorn(workers=2) as base:
        for label, path in pages.items():
            page = weigh(base, path, cookies[PAGE_USERS[label]])
            first = page["html"] + sum(page["assets"].values())
            heaviest = max(page["assets"].items(), key=lambda item: item[1], default=("", 0))
            files = len(page["assets"])
            rows.append((label, path, page["status"], page["html"], first, files, heaviest, page["uncached"], page["on_demand"]))
    print(f"{'page':<11} {'path':<22} {'status':>6} {'first visit':>12} {'repeat':>9}  {'files':>5}  verdict / heaviest file")
    for label, path, status, html, first, files, heaviest, uncached, on_demand in rows:
        verdict = "ok" if first < FIRST_BUDGET and html < REPEAT_BUDGET else "OVER BUDGET"
        name = urlparse(heaviest[0]).path.rsplit("/", 1)[-1]
        print(
            f"{label:<11} {path:<22} {status:>6} {first / 1024:>9.1f} KB {html / 1024:>6.1f} KB  {files:>5}  {verdict}; "
            f"heaviest {name} {heaviest[1] / 1024:.1f} KB"
        )
        if "plotly" in name and first >= FIRST_BUDGET:
            print(f"{'':<11} over the first-visit budget because of plotly-basic.min.js ({heaviest[1] / 1024:.0f} KB gzipped); charts kept")
        for url, size in on_demand.items():
            name = urlparse(url).path.rsplit("/", 1)[-1]
            print(f"{'':<11} + {name} {size / 1024:.1f} KB fetched on demand, after the page is drawn, when a chart is shown")
        if uncached:
            print(f"{'':<11} not cacheable forever (repeat visit would fetch again): {uncached}")
    print(f"budget: first visit < {FIRST_BUDGET // 1024} KB, repeat visit < {REPEAT_BUDGET // 1024} KB (gzip bodies; headers not counted)")
    for label in missing:
        print(f"{label}: SKIPPED — its app has not landed on this checkout")


if __name__ == "__main__":
    main()

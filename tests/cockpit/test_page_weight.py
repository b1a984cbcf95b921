"""The drill-down's first visit stays under 150 KB gzipped (HTML and every stylesheet, script and font it loads at
once): plotly is fetched from its cached static file only when a chart is drawn, never named by a script tag."""

import gzip
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.conftest import TEST_PASSWORD

FIRST_VISIT_BUDGET = 150 * 1024
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("href") and {"stylesheet", "icon", "preload"} & set((attributes.get("rel") or "").split()):
            self.urls.append(attributes["href"])
        elif tag in ("script", "img") and attributes.get("src"):
            self.urls.append(attributes["src"])
        if tag == "script":
            self.scripts.append(attributes)


def _static_bytes(url: str) -> bytes:
    path = finders.find(url.split("?")[0].removeprefix("/static/"))
    assert path, url
    with open(path, "rb") as handle:
        return handle.read()


def _first_visit(html: str) -> tuple[int, list[str]]:
    """Gzipped bytes of the HTML and of everything it loads at once (CSS url() followed), and those urls."""
    parser = _Assets()
    parser.feed(html)
    total, seen, queue = len(gzip.compress(html.encode())), [], list(parser.urls)
    while queue:
        url = queue.pop(0)
        if url in seen or not url.startswith("/static/"):
            continue
        seen.append(url)
        body = _static_bytes(url)
        total += len(gzip.compress(body)) if not url.endswith((".woff2", ".png", ".jpg")) else len(body)
        if url.endswith(".css"):
            base = url.rsplit("/", 1)[0]
            queue += [u if u.startswith("/") else f"{base}/{u}" for u in CSS_URL.findall(body.decode()) if not u.startswith("data:")]
    return total, seen


@pytest.fixture
def drill_page(client, executive, rate, inputs, subdistricts, entry_a, write):
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    client.login(username="governor", password=TEST_PASSWORD)
    response = client.get(reverse("cockpit:drilldown", args=["RATE1"]), {"fy": 2568})
    assert response.status_code == 200
    return response.content.decode()


def test_the_drilldown_loads_plotly_only_on_demand_and_weighs_under_150_kb(drill_page):
    assert 'data-figure="fig-bar"' in drill_page and 'id="fig-bar"' in drill_page  # the charts are there, as data
    weight, loaded = _first_visit(drill_page)
    assert not [url for url in loaded if "plotly" in url]
    assert weight < FIRST_VISIT_BUDGET, (weight, loaded)
    assert "Plotly.register" not in drill_page and "plotly.js v" not in drill_page  # no bundle inlined either
    parser = _Assets()
    parser.feed(drill_page)
    cockpit_js = next(s for s in parser.scripts if "cockpit/cockpit.js" in (s.get("src") or ""))
    # The chart script names the one vendored, cacheable file it fetches when a chart comes into view.
    assert cockpit_js["data-plotly"].startswith("/static/vendor/plotly/plotly-basic.min")
    assert finders.find("vendor/plotly/plotly-basic.min.js")
